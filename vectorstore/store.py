"""Chroma holds everything: chunk vectors in one collection, the document manifest and texts in another.

Keeping the manifest in Chroma (not a local file) means every app instance pointed at the same
`chroma run` server sees the same documents.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import chromadb
from langchain_core.embeddings import Embeddings

_MANIFEST_VECTOR = [1.0]  # the manifest collection is looked up by id and filter, never by similarity
_GENERATION_ID = "__generation__"  # a manifest entry whose token changes with every write to the store
# Dense search goes through Chroma's HNSW index; bench/scale.py measures these settings' recall against
# exact search (a wide beam and 32 links per node keep small stores from leaving a chunk unreachable).
_VECTOR_INDEX: Any = {"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}}


@dataclass(frozen=True)
class DocumentRecord:
    """One ingested document: what the manifest says of it."""

    doc_id: str
    title: str
    source: str
    path: str
    sha256: str
    chunks: int
    version: int
    ingested_at: str

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> DocumentRecord:
        return cls(**{name: metadata[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ChunkRecord:
    """A chunk as stored: its span in the document and what a citation needs to show."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    text: str
    start: int
    end: int
    section: str | None
    page: int | None

    def metadata(self) -> dict[str, str | int]:
        values = asdict(self)
        del values["text"], values["chunk_id"]
        return {key: value for key, value in values.items() if value is not None}

    @classmethod
    def from_stored(cls, chunk_id: str, text: str, metadata: dict[str, Any]) -> ChunkRecord:
        return cls(
            chunk_id=chunk_id,
            doc_id=str(metadata["doc_id"]),
            title=str(metadata["title"]),
            source=str(metadata["source"]),
            text=text,
            start=int(metadata["start"]),
            end=int(metadata["end"]),
            section=metadata.get("section"),
            page=metadata.get("page"),
        )


@dataclass(frozen=True)
class SentenceRecord:
    """A quotable sentence of a chunk, with document offsets; embedded at ingest so answering
    never has to embed text at question time. Its id is "<chunk id>#<n>"."""

    sentence_id: str
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int


class EvidenceStore:
    """A thin layer over Chroma: writes whole documents, reads chunks and the manifest."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: Embeddings, namespace: str = "evidence") -> None:
        self.client = client
        self.embeddings = embeddings
        self._chunks: Any = client.get_or_create_collection(
            f"{namespace}_chunks", configuration=_VECTOR_INDEX, embedding_function=None
        )
        self._sentences: Any = client.get_or_create_collection(
            f"{namespace}_sentences", configuration=_VECTOR_INDEX, embedding_function=None
        )
        self._manifest = client.get_or_create_collection(f"{namespace}_documents", embedding_function=None)

    # --- manifest -------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        """Every document in the store, by title."""
        stored = self._manifest.get(include=["metadatas"])
        records = [
            DocumentRecord.from_metadata(dict(metadata))
            for item_id, metadata in zip(stored["ids"], stored["metadatas"] or [])
            if item_id != _GENERATION_ID
        ]
        return sorted(records, key=lambda record: (record.title.lower(), record.doc_id))

    def generation(self) -> str:
        """A token that changes whenever any process adds, revises or removes a document: one lookup by id."""
        stored = self._manifest.get(ids=[_GENERATION_ID], include=["metadatas"])
        metadatas = stored["metadatas"] or []
        return str(metadatas[0]["token"]) if metadatas else ""

    def _next_generation(self) -> None:
        """Written after the data it announces, so a reader that sees the new token finds the new data."""
        self._manifest.upsert(
            ids=[_GENERATION_ID],
            metadatas=[{"token": uuid.uuid4().hex}],
            embeddings=[_MANIFEST_VECTOR],  # type: ignore[arg-type]
        )

    def document(self, doc_id: str) -> DocumentRecord | None:
        stored = self._manifest.get(ids=[doc_id], include=["metadatas"])
        metadatas = stored["metadatas"] or []
        return DocumentRecord.from_metadata(dict(metadatas[0])) if metadatas else None

    def documents_by_id(self, doc_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        """The stored documents among these ids, in one lookup (a batch's files, not the whole library)."""
        if not doc_ids:
            return {}
        stored = self._manifest.get(ids=list(dict.fromkeys(doc_ids)), include=["metadatas"])
        records = (DocumentRecord.from_metadata(dict(metadata)) for metadata in stored["metadatas"] or [])
        return {record.doc_id: record for record in records}

    def documents_where(self, **fields: str) -> list[DocumentRecord]:
        """Documents whose manifest fields equal these values (an indexed metadata lookup, e.g. sha256=...)."""
        where: Any = {name: value for name, value in fields.items()}
        if len(where) > 1:
            where = {"$and": [{name: value} for name, value in fields.items()]}
        stored = self._manifest.get(where=where, include=["metadatas"])
        return [DocumentRecord.from_metadata(dict(metadata)) for metadata in stored["metadatas"] or []]

    def document_text(self, doc_id: str) -> str | None:
        """The verbatim text that every chunk and quote of this document points into."""
        stored = self._manifest.get(ids=[doc_id], include=["documents"])
        documents = stored["documents"] or []
        return documents[0] if documents else None

    # --- writes ---------------------------------------------------------------------------
    def put_document(
        self,
        record: DocumentRecord,
        text: str,
        chunks: Sequence[ChunkRecord],
        chunk_vectors: Sequence[Sequence[float]],
        sentences: Sequence[SentenceRecord],
        sentence_vectors: Sequence[Sequence[float]],
    ) -> None:
        """Store a document's chunks and sentences, then drop whatever of it is no longer current."""
        self._replace(
            self._chunks,
            record.doc_id,
            [chunk.chunk_id for chunk in chunks],
            [chunk.text for chunk in chunks],
            [chunk.metadata() for chunk in chunks],
            chunk_vectors,
        )
        self._replace(
            self._sentences,
            record.doc_id,
            [sentence.sentence_id for sentence in sentences],
            [sentence.text for sentence in sentences],
            [
                {"doc_id": sentence.doc_id, "chunk_id": sentence.chunk_id, "start": sentence.start, "end": sentence.end}
                for sentence in sentences
            ],
            sentence_vectors,
        )
        self._manifest.upsert(
            ids=[record.doc_id],
            documents=[text],
            metadatas=[asdict(record)],
            embeddings=[_MANIFEST_VECTOR],  # type: ignore[arg-type]
        )
        self._next_generation()

    def remove_document(self, doc_id: str) -> bool:
        """Delete a document and all its chunks; False when there was no such document."""
        if self.document(doc_id) is None:
            return False
        self._chunks.delete(where={"doc_id": doc_id})
        self._sentences.delete(where={"doc_id": doc_id})
        self._manifest.delete(ids=[doc_id])
        self._next_generation()
        return True

    # --- reads ----------------------------------------------------------------------------
    def chunk_count(self) -> int:
        return self._chunks.count()

    def nearest_chunks(
        self, vector: Sequence[float], limit: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[ChunkRecord, list[float]]]:
        """The chunks closest to the vector by cosine (Chroma's HNSW index), best first, with their vectors."""
        count = self._chunks.count()
        if not count:
            return []
        stored = self._chunks.query(
            query_embeddings=[list(vector)],
            n_results=min(limit, count),
            where=_among(doc_ids),
            include=["documents", "metadatas", "embeddings"],
        )
        return list(_records(stored["ids"][0], stored["documents"][0], stored["metadatas"][0], stored["embeddings"][0]))

    def chunks_of_nearest_sentences(
        self, vector: Sequence[float], limit: int, doc_ids: Sequence[str] | None = None
    ) -> list[str]:
        """Chunk ids ranked by their sentence closest to the vector (HNSW over sentences), best first."""
        count = self._sentences.count()
        if not count:
            return []
        stored = self._sentences.query(
            query_embeddings=[list(vector)],
            n_results=min(limit * _SENTENCES_PER_CHUNK, count),
            where=_among(doc_ids),
            include=[],  # ids only: a sentence id is "<chunk id>#<n>"
        )
        ranked = dict.fromkeys(sentence_id.rpartition("#")[0] for sentence_id in stored["ids"][0])
        return list(ranked)[:limit]

    def chunks(self, chunk_ids: Sequence[str]) -> list[tuple[ChunkRecord, list[float]]]:
        """The given chunks with their vectors, in the order asked for (missing ones left out)."""
        if not chunk_ids:
            return []
        stored = self._chunks.get(ids=list(chunk_ids), include=["documents", "metadatas", "embeddings"])
        found = {
            record.chunk_id: (record, vector)
            for record, vector in _records(
                stored["ids"], stored["documents"], stored["metadatas"], stored["embeddings"]
            )
        }
        return [found[chunk_id] for chunk_id in chunk_ids if chunk_id in found]

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks, without vectors (for the lexical index)."""
        stored = self._chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        return [
            ChunkRecord.from_stored(item_id, text, dict(metadata))
            for item_id, text, metadata in zip(stored["ids"], stored["documents"] or [], stored["metadatas"] or [])
        ]

    def sentences_of(self, chunk_ids: Sequence[str]) -> list[tuple[SentenceRecord, list[float]]]:
        """The quotable sentences of the given chunks with their vectors, in document order.

        Looked up by id ("<chunk id>#0", "#1", ...), a block of numbers at a time, which Chroma answers
        several times faster than a metadata filter over every sentence of the library.
        """
        found: list[tuple[SentenceRecord, list[float]]] = []
        pending, first = list(dict.fromkeys(chunk_ids)), 0
        while pending:
            numbers = range(first, first + _SENTENCE_ID_BLOCK)
            stored = self._sentences.get(
                ids=[f"{chunk_id}#{n}" for chunk_id in pending for n in numbers],
                include=["documents", "metadatas", "embeddings"],
            )
            block = [
                (_sentence(item_id, text, dict(metadata)), [float(value) for value in vector])
                for item_id, text, metadata, vector in zip(
                    stored["ids"], stored["documents"] or [], stored["metadatas"] or [], _vectors(stored)
                )
            ]
            found += block
            counts = Counter(sentence.chunk_id for sentence, _ in block)
            pending = [chunk_id for chunk_id in pending if counts[chunk_id] == _SENTENCE_ID_BLOCK]  # may have more
            first += _SENTENCE_ID_BLOCK
        return sorted(found, key=lambda pair: (pair[0].doc_id, pair[0].start))

    def all_chunks(self) -> tuple[list[ChunkRecord], list[list[float]]]:
        """Every chunk with its vector: a full scan, for benchmarks and tests (never on a question)."""
        records: list[ChunkRecord] = []
        vectors: list[list[float]] = []
        for item_id, text, metadata, vector in _scan(self._chunks, self.client.get_max_batch_size()):
            records.append(ChunkRecord.from_stored(item_id, text, metadata))
            vectors.append(vector)
        return records, vectors

    def all_sentences(self) -> tuple[list[SentenceRecord], list[list[float]]]:
        """Every quotable sentence with its vector: a full scan, for benchmarks and tests (never on a question)."""
        records: list[SentenceRecord] = []
        vectors: list[list[float]] = []
        for item_id, text, metadata, vector in _scan(self._sentences, self.client.get_max_batch_size()):
            records.append(_sentence(item_id, text, metadata))
            vectors.append(vector)
        return records, vectors

    def _replace(
        self,
        collection: Any,
        doc_id: str,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict[str, Any]],
        vectors: Sequence[Sequence[float]],
    ) -> None:
        """Upsert a document's items into a collection and delete its items that are not among them."""
        size = self.client.get_max_batch_size()
        for start in range(0, len(ids), size):
            stop = start + size
            collection.upsert(
                ids=ids[start:stop],
                documents=texts[start:stop],
                metadatas=metadatas[start:stop],
                embeddings=[list(vector) for vector in vectors[start:stop]],
            )
        current = set(ids)
        stale = [item for item in collection.get(where={"doc_id": doc_id}, include=[])["ids"] if item not in current]
        if stale:
            collection.delete(ids=stale)


_SENTENCES_PER_CHUNK = 8  # sentence hits asked for per chunk wanted: a good chunk has several close sentences
_SENTENCE_ID_BLOCK = 16  # sentence ids asked for per chunk and call: most chunks have fewer sentences


def _among(doc_ids: Sequence[str] | None) -> dict[str, Any] | None:
    """Chroma's `where` filter for a document restriction (None: the whole library)."""
    if not doc_ids:
        return None
    return {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}


def _vectors(stored: Any) -> Any:
    return stored["embeddings"] if stored["embeddings"] is not None else []


def _records(ids: Any, texts: Any, metadatas: Any, vectors: Any) -> Iterator[tuple[ChunkRecord, list[float]]]:
    for item_id, text, metadata, vector in zip(
        ids, texts or [], metadatas or [], vectors if vectors is not None else []
    ):
        yield ChunkRecord.from_stored(item_id, text, dict(metadata)), [float(value) for value in vector]


def _sentence(item_id: str, text: str, metadata: dict[str, Any]) -> SentenceRecord:
    return SentenceRecord(
        item_id, str(metadata["chunk_id"]), str(metadata["doc_id"]), text, int(metadata["start"]), int(metadata["end"])
    )


def _scan(collection: Any, page: int) -> Iterator[tuple[str, str, dict[str, Any], list[float]]]:
    """Every item of a collection with text, metadata and vector, a page at a time."""
    for offset in range(0, collection.count(), page):
        stored = collection.get(include=["documents", "metadatas", "embeddings"], limit=page, offset=offset)
        embeddings = stored["embeddings"] if stored["embeddings"] is not None else []
        for item_id, text, metadata, vector in zip(
            stored["ids"], stored["documents"] or [], stored["metadatas"] or [], embeddings
        ):
            yield item_id, text, dict(metadata), [float(value) for value in vector]
