"""Chroma holds everything: chunk vectors in one collection, the document manifest and texts in another.

Keeping the manifest in Chroma (not a local file) means every app instance pointed at the same
`chroma run` server sees the same documents.

Writes are versioned. Every chunk and sentence row carries its document's version; a new version is
written beside the current one, the manifest entry switches to it in one upsert, and the other versions'
rows are deleted after. Readers keep only rows of the version the manifest names, so a question never sees
half a document, and a writer killed at any point leaves rows that `recover` deletes: a pending marker in
the manifest names each document a writer had begun to change.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import chromadb
from langchain_core.embeddings import Embeddings

_MANIFEST_VECTOR = [1.0]  # the manifest collection is looked up by id and filter, never by similarity
_GENERATION_ID = "__generation__"  # a manifest entry whose token changes with every write to the store
_SCHEMA_ID = "__schema__"  # a manifest entry naming the store's layout, for migrating older stores
_PENDING = "__pending__:"  # + doc id: a manifest entry that says a writer is changing that document
_INTERNAL = "__"  # manifest ids that are not documents start with this
SCHEMA = 2  # 2: rows carry their document's version
OPENING_CHARS = 500  # a document's opening: a report's cover page names its publisher, place and subject
# Dense search goes through Chroma's HNSW index; bench/scale.py measures these settings' recall against
# exact search (a wide beam and 32 links per node keep small stores from leaving a chunk unreachable).
_VECTOR_INDEX: Any = {"hnsw": {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}}
# A question takes 240 sentences (30 chunks' worth). HNSW recall@240 at 100k chunks (600k sentences): 0.905 at
# ef_search 200, 0.958 at 600, 1.000 at 1500; at 10k it costs 2.4 ms a question (bench/scale.py)
_SENTENCE_SEARCH_EF = 1500
_SENTENCE_INDEX: Any = {"hnsw": {**_VECTOR_INDEX["hnsw"], "ef_search": _SENTENCE_SEARCH_EF}}


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
    sentence_spans: tuple[tuple[int, int], ...] | None = None  # its quotable sentences' offsets; None: not stored

    def metadata(self) -> dict[str, str | int]:
        values = asdict(self)
        del values["text"], values["chunk_id"], values["sentence_spans"]
        if self.sentence_spans is not None:
            values["sentences"] = " ".join(f"{start}-{end}" for start, end in self.sentence_spans)
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
            sentence_spans=None if "sentences" not in metadata else _spans(str(metadata["sentences"])),
        )


@dataclass(frozen=True)
class SentenceRecord:
    """A quotable sentence of a chunk, with document offsets; embedded at ingest so answering
    never has to embed text at question time. Its id is "<chunk id>#<n>". Its row holds no text: the
    text is its span of the chunk's (stored text costs Chroma a full-text index entry per row, which
    made sentence rows a third of an ingest's time outside the encoder)."""

    sentence_id: str
    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentWrite:
    """One document version to store: its manifest record, its verbatim text, and its rows with vectors."""

    record: DocumentRecord
    text: str
    chunks: Sequence[ChunkRecord]
    chunk_vectors: Sequence[Sequence[float]]
    sentences: Sequence[SentenceRecord]
    sentence_vectors: Sequence[Sequence[float]]


class EvidenceStore:
    """A thin layer over Chroma: writes whole documents, reads chunks and the manifest."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: Embeddings, namespace: str = "evidence") -> None:
        self.client = client
        self.embeddings = embeddings
        self._chunks: Any = client.get_or_create_collection(
            f"{namespace}_chunks", configuration=_VECTOR_INDEX, embedding_function=None
        )
        self._sentences: Any = client.get_or_create_collection(
            f"{namespace}_sentences", configuration=_SENTENCE_INDEX, embedding_function=None
        )
        if (self._sentences.configuration_json or {}).get("hnsw", {}).get("ef_search") != _SENTENCE_SEARCH_EF:
            self._sentences.modify(configuration={"hnsw": {"ef_search": _SENTENCE_SEARCH_EF}})  # a store made before
        self._manifest = client.get_or_create_collection(f"{namespace}_documents", embedding_function=None)
        self._versions: dict[str, int | None] = {}  # doc id -> current version, as of `_versions_token`
        self._versions_token: str | None = None
        self._openings: dict[str, tuple[int | None, str]] = {}  # doc id -> (version, its opening text)
        self._migrate()

    # --- manifest -------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        """Every document in the store, by title."""
        stored = self._manifest.get(include=["metadatas"])
        records = [
            DocumentRecord.from_metadata(dict(metadata))
            for item_id, metadata in zip(stored["ids"], stored["metadatas"] or [])
            if not item_id.startswith(_INTERNAL)
        ]
        return sorted(records, key=lambda record: (record.title.lower(), record.doc_id))

    def generation(self) -> str:
        """A token that changes whenever any process adds, revises or removes a document: one lookup by id."""
        stored = self._manifest.get(ids=[_GENERATION_ID], include=["metadatas"])
        metadatas = stored["metadatas"] or []
        token = str(metadatas[0]["token"]) if metadatas else ""
        if token != self._versions_token:
            self._versions, self._versions_token = {}, token
        return token

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

    def documents_holding(self, sha256s: Sequence[str]) -> dict[str, DocumentRecord]:
        """A stored document for each of these contents that is stored (by SHA-256), in one indexed lookup."""
        if not sha256s:
            return {}
        where: Any = {"sha256": {"$in": list(dict.fromkeys(sha256s))}}
        stored = self._manifest.get(where=where, include=["metadatas"])
        records = [DocumentRecord.from_metadata(dict(metadata)) for metadata in stored["metadatas"] or []]
        return {record.sha256: record for record in records}

    def document_text(self, doc_id: str) -> str | None:
        """The verbatim text that every chunk and quote of this document points into."""
        stored = self._manifest.get(ids=[doc_id], include=["documents"])
        documents = stored["documents"] or []
        return documents[0] if documents else None

    def document_openings(self, doc_ids: Sequence[str], chars: int = OPENING_CHARS) -> dict[str, str]:
        """The first `chars` characters of each document: its cover page or lead, where a report names its
        publisher, place and subject. Cached per document version; one lookup for those not cached."""
        wanted = list(dict.fromkeys(doc_ids))
        missing = [
            doc_id
            for doc_id in wanted
            if self._versions.get(doc_id) is None or self._openings.get(doc_id, (None, ""))[0] != self._versions[doc_id]
        ]
        if missing:
            stored = self._manifest.get(ids=missing, include=["documents", "metadatas"])
            for doc_id, text, metadata in zip(stored["ids"], stored["documents"] or [], stored["metadatas"] or []):
                version = metadata.get("version")
                self._openings[doc_id] = (version if isinstance(version, int) else None, (text or "")[:chars])
        return {doc_id: self._openings[doc_id][1] for doc_id in wanted if doc_id in self._openings}

    # --- writes ----------------------------------------------------------------------------
    def put_document(
        self,
        record: DocumentRecord,
        text: str,
        chunks: Sequence[ChunkRecord],
        chunk_vectors: Sequence[Sequence[float]],
        sentences: Sequence[SentenceRecord],
        sentence_vectors: Sequence[Sequence[float]],
    ) -> None:
        """Store a new version of one document (see `put_documents`)."""
        self.put_documents([DocumentWrite(record, text, chunks, chunk_vectors, sentences, sentence_vectors)])

    def put_documents(self, writes: Sequence[DocumentWrite]) -> None:
        """Store a new version of each document (chunk and sentence ids must name its record's version),
        switch the manifest to them, then delete every other version's rows. Rows a killed writer left
        are deleted first.

        Each step is one Chroma call for all the documents: a write call costs some 6 ms whatever its
        size, which made the calls, not the rows, most of the time a library of small files took."""
        if not writes:
            return
        doc_ids = [write.record.doc_id for write in writes]
        for doc_id in self._pending_among(doc_ids):
            self.settle(doc_id)
        revised = self.documents_by_id(doc_ids)  # documents whose older version's rows go at the end
        versions = {write.record.doc_id: {"version": write.record.version} for write in writes}
        self._begin(*doc_ids)
        chunks = [chunk for write in writes for chunk in write.chunks]
        self._add(
            self._chunks,
            [chunk.chunk_id for chunk in chunks],
            [chunk.text for chunk in chunks],
            [chunk.metadata() | versions[chunk.doc_id] for chunk in chunks],
            [vector for write in writes for vector in write.chunk_vectors],
        )
        sentences = [sentence for write in writes for sentence in write.sentences]
        self._add(
            self._sentences,
            [sentence.sentence_id for sentence in sentences],
            None,
            [
                {"doc_id": sentence.doc_id, "chunk_id": sentence.chunk_id, "start": sentence.start, "end": sentence.end}
                | versions[sentence.doc_id]
                for sentence in sentences
            ],
            [vector for write in writes for vector in write.sentence_vectors],
        )
        self._add(
            self._manifest,
            doc_ids,
            [write.text for write in writes],
            [asdict(write.record) for write in writes],
            [_MANIFEST_VECTOR] * len(writes),
        )
        self._next_generation()
        for write in writes:
            if write.record.doc_id in revised:
                self._delete_other_versions(write.record.doc_id, write.record.version)
        self._manifest.delete(ids=[_PENDING + doc_id for doc_id in doc_ids])

    def remove_document(self, doc_id: str) -> DocumentRecord | None:
        """Delete a document and all its chunks; the removed record, or None when there was no such document."""
        record = self.document(doc_id)
        if record is None:
            return None
        self._begin(doc_id)
        self._manifest.delete(ids=[doc_id])
        self._next_generation()
        self.settle(doc_id)
        return record

    def pending(self) -> list[str]:
        """Documents a writer began to change and did not finish (a killed run), by doc id."""
        stored = self._manifest.get(where={"kind": "pending"}, include=["metadatas"])
        return [str(metadata["doc_id"]) for metadata in stored["metadatas"] or []]

    def recover(self) -> list[str]:
        """Finish what killed writers left: delete the rows of every version but the current one of each
        pending document. Only a writer holding the writers' lock may call it. The doc ids settled."""
        doc_ids = self.pending()
        for doc_id in doc_ids:
            self.settle(doc_id)
        return doc_ids

    def settle(self, doc_id: str) -> None:
        """Delete the rows of a document that are not of its current version (all of them when it is not
        in the manifest), then its pending marker."""
        current = self.document(doc_id)
        self._delete_other_versions(doc_id, current.version if current is not None else None)
        self._manifest.delete(ids=[_PENDING + doc_id])

    def _delete_other_versions(self, doc_id: str, version: int | None) -> None:
        """Delete a document's rows of every version but `version` (of every version when None)."""
        stale: Any = {"doc_id": doc_id}
        if version is not None:
            stale = {"$and": [stale, {"version": {"$ne": version}}]}
        self._sentences.delete(where=stale)
        self._chunks.delete(where=stale)

    def delete_sentences(self, sentence_ids: Sequence[str]) -> None:
        """Delete sentence rows by id (those `evidence doctor` found without their chunk)."""
        if sentence_ids:
            self._sentences.delete(ids=list(sentence_ids))

    def _begin(self, *doc_ids: str) -> None:
        """Mark documents as being changed, before their first row is written."""
        self._manifest.upsert(
            ids=[_PENDING + doc_id for doc_id in doc_ids],
            metadatas=[{"kind": "pending", "doc_id": doc_id} for doc_id in doc_ids],
            embeddings=[_MANIFEST_VECTOR] * len(doc_ids),  # type: ignore[arg-type]
        )

    def _pending_among(self, doc_ids: Sequence[str]) -> list[str]:
        """Those of these documents that a killed writer left half-written (one lookup by id)."""
        stored = self._manifest.get(ids=[_PENDING + doc_id for doc_id in doc_ids], include=[])
        return [item_id.removeprefix(_PENDING) for item_id in stored["ids"]]

    def _add(
        self,
        collection: Any,
        ids: list[str],
        texts: list[str] | None,
        metadatas: list[dict[str, Any]],
        vectors: Sequence[Sequence[float]],
    ) -> None:
        size = self.client.get_max_batch_size()
        for start in range(0, len(ids), size):
            stop = start + size
            collection.upsert(
                ids=ids[start:stop],
                documents=texts[start:stop] if texts is not None else None,
                metadatas=metadatas[start:stop],
                embeddings=[list(vector) for vector in vectors[start:stop]],
            )

    def _migrate(self) -> None:
        """Bring a store written by an older release to this layout: rows of schema 1 carry no version,
        and get their document's current one. Safe to run by several processes at once."""
        stored = self._manifest.get(ids=[_SCHEMA_ID], include=["metadatas"])
        if stored["metadatas"] and int(str(stored["metadatas"][0]["schema"])) >= SCHEMA:
            return
        versions = {record.doc_id: record.version for record in self.documents()}
        size = self.client.get_max_batch_size()
        for collection in (self._chunks, self._sentences):
            unversioned = [
                (item_id, versions[metadata["doc_id"]])
                for item_id, metadata in _scan_metadata(collection, size)
                if "version" not in metadata and metadata.get("doc_id") in versions
            ]
            for start in range(0, len(unversioned), size):
                page = unversioned[start : start + size]
                collection.update(
                    ids=[item_id for item_id, _ in page], metadatas=[{"version": version} for _, version in page]
                )
        self._manifest.upsert(
            ids=[_SCHEMA_ID],
            metadatas=[{"schema": SCHEMA}],
            embeddings=[_MANIFEST_VECTOR],  # type: ignore[arg-type]
        )

    # --- which rows are current ---------------------------------------------------------------------
    def _current(self, metadatas: Sequence[Any]) -> list[bool]:
        """Whether each row is of its document's current version. Versions are cached until the
        generation token moves; a row newer than the cache makes its document be looked up again."""
        rows = [(str(metadata.get("doc_id")), metadata.get("version")) for metadata in metadatas]
        unknown = {doc_id for doc_id, _ in rows if doc_id not in self._versions}
        newer = {
            doc_id
            for doc_id, version in rows
            if doc_id in self._versions and version is not None and version > (self._versions[doc_id] or 0)
        }
        if unknown or newer:
            found = self.documents_by_id(list(unknown | newer))
            self._versions.update({doc_id: getattr(found.get(doc_id), "version", None) for doc_id in unknown | newer})
        return [version is not None and self._versions.get(doc_id) == version for doc_id, version in rows]

    # --- reads ----------------------------------------------------------------------------
    def chunk_count(self) -> int:
        return self._chunks.count()

    def nearest_chunks(
        self, vector: Sequence[float], limit: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[ChunkRecord, Sequence[float]]]:
        """The chunks closest to the vector by cosine (Chroma's HNSW index), best first, with their vectors.

        No count is asked first: Chroma returns what there is when asked for more, and counting the
        collection costs a scan that grows with the library (3.5 ms over 60k sentences)."""
        stored = self._chunks.query(
            query_embeddings=[list(vector)],
            n_results=limit,
            where=_among(doc_ids),
            include=["documents", "metadatas", "embeddings"],
        )
        return self._current_records(
            stored["ids"][0], stored["documents"][0], stored["metadatas"][0], stored["embeddings"][0]
        )

    def chunks_of_nearest_sentences(
        self, vector: Sequence[float], limit: int, doc_ids: Sequence[str] | None = None
    ) -> list[str]:
        """Chunk ids ranked by their sentence closest to the vector (HNSW over sentences), best first."""
        stored = self._sentences.query(
            query_embeddings=[list(vector)],
            n_results=limit * _SENTENCES_PER_CHUNK,
            where=_among(doc_ids),
            include=[],  # ids only: a sentence id is "<chunk id>#<n>"
        )
        ranked = dict.fromkeys(sentence_id.rpartition("#")[0] for sentence_id in stored["ids"][0])
        return list(ranked)[:limit]

    def chunks(self, chunk_ids: Sequence[str]) -> list[tuple[ChunkRecord, Sequence[float]]]:
        """The given chunks with their vectors, in the order asked for (missing ones left out)."""
        if not chunk_ids:
            return []
        stored = self._chunks.get(ids=list(chunk_ids), include=["documents", "metadatas", "embeddings"])
        found = {
            record.chunk_id: (record, vector)
            for record, vector in self._current_records(
                stored["ids"], stored["documents"], stored["metadatas"], stored["embeddings"]
            )
        }
        return [found[chunk_id] for chunk_id in chunk_ids if chunk_id in found]

    def chunks_of(self, records: Sequence[DocumentRecord]) -> dict[str, list[ChunkRecord]]:
        """The chunks of these versions of documents, without vectors (for the lexical index), by doc id, in
        one read filtered on their doc ids: a filtered read scans the library's rows whatever it matches
        (26 ms at 10k chunks), so a read per document made indexing 1,000 new small files take 26 s."""
        versions = {record.doc_id: record.version for record in records}
        found: dict[str, list[ChunkRecord]] = {doc_id: [] for doc_id in versions}
        if not versions:
            return found
        stored = self._chunks.get(where=_among(list(versions)), include=["documents", "metadatas"])
        for item_id, text, metadata in zip(stored["ids"], stored["documents"] or [], stored["metadatas"] or []):
            doc_id = str(metadata["doc_id"])
            if metadata.get("version") == versions.get(doc_id):  # not another version being written or deleted
                found[doc_id].append(ChunkRecord.from_stored(item_id, text, dict(metadata)))
        return found

    def sentences_of(self, chunks: Sequence[ChunkRecord]) -> list[tuple[SentenceRecord, Sequence[float]]]:
        """The quotable sentences of the given chunks with their vectors (as Chroma returns them, not copied
        into Python floats: a question reads over a hundred), in document order.

        Looked up by id ("<chunk id>#0", "#1", ...), a block of numbers at a time, which Chroma answers
        several times faster than a metadata filter over every sentence of the library.
        """
        by_id = {chunk.chunk_id: chunk for chunk in chunks}
        if by_id and all(chunk.sentence_spans is not None for chunk in chunks):
            return self._sentences_by_span(list(by_id.values()))
        found: list[tuple[SentenceRecord, Sequence[float]]] = []
        pending, first = list(by_id), 0
        while pending:
            numbers = range(first, first + _SENTENCE_ID_BLOCK)
            stored = self._sentences.get(
                ids=[f"{chunk_id}#{n}" for chunk_id in pending for n in numbers], include=["metadatas", "embeddings"]
            )
            metadatas = stored["metadatas"] or []
            block = [
                (_sentence(item_id, dict(metadata), by_id), vector)
                for item_id, metadata, vector, current in zip(
                    stored["ids"], metadatas, _vectors(stored), self._current(metadatas)
                )
                if current
            ]
            found += block
            counts = Counter(sentence.chunk_id for sentence, _ in block)
            pending = [chunk_id for chunk_id in pending if counts[chunk_id] == _SENTENCE_ID_BLOCK]  # may have more
            first += _SENTENCE_ID_BLOCK
        return sorted(found, key=lambda pair: (pair[0].doc_id, pair[0].start))

    def _sentences_by_span(self, chunks: Sequence[ChunkRecord]) -> list[tuple[SentenceRecord, Sequence[float]]]:
        """The same, for chunks that carry their sentences' offsets: only the vectors are read (a chunk is
        current, so its sentence rows are too; reading their metadata was most of the read's time)."""
        sentences: dict[str, SentenceRecord] = {}
        for chunk in chunks:
            for number, (start, end) in enumerate(chunk.sentence_spans or ()):
                sentence_id = f"{chunk.chunk_id}#{number}"
                sentences[sentence_id] = _sliced(sentence_id, chunk, start, end)
        stored = self._sentences.get(ids=list(sentences), include=["embeddings"])
        found = [(sentences[item_id], vector) for item_id, vector in zip(stored["ids"], _vectors(stored))]
        return sorted(found, key=lambda pair: (pair[0].doc_id, pair[0].start))

    def all_chunks(self) -> tuple[list[ChunkRecord], list[list[float]]]:
        """Every chunk with its vector: a full scan, for benchmarks and tests (never on a question)."""
        rows = self._current_rows(self._chunks)
        return [ChunkRecord.from_stored(*row[:3]) for row in rows], [row[3] for row in rows]

    def all_sentences(self) -> tuple[list[SentenceRecord], list[list[float]]]:
        """Every quotable sentence with its vector: a full scan, for benchmarks and tests (never on a question)."""
        chunks = {chunk.chunk_id: chunk for chunk in self.all_chunks()[0]}
        rows = self._current_rows(self._sentences)
        rows = [row for row in rows if row[2]["chunk_id"] in chunks]  # `evidence doctor` reports the others
        return [_sentence(item_id, metadata, chunks) for item_id, _, metadata, _ in rows], [row[3] for row in rows]

    def _current_rows(self, collection: Any) -> list[tuple[str, str, dict[str, Any], list[float]]]:
        rows = list(_scan(collection, self.client.get_max_batch_size()))
        return [row for row, current in zip(rows, self._current([row[2] for row in rows])) if current]

    def row_metadata(self) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
        """(id, metadata) of every chunk row and every sentence row, of every version: a full scan, for
        `evidence doctor`."""
        size = self.client.get_max_batch_size()
        return list(_scan_metadata(self._chunks, size)), list(_scan_metadata(self._sentences, size))

    def _current_records(
        self, ids: Any, texts: Any, metadatas: Any, vectors: Any
    ) -> list[tuple[ChunkRecord, Sequence[float]]]:
        current = self._current(metadatas or [])
        return [pair for pair, keep in zip(_records(ids, texts, metadatas, vectors), current) if keep]


_SENTENCES_PER_CHUNK = 8  # sentence hits asked for per chunk wanted: a good chunk has several close sentences
_SENTENCE_ID_BLOCK = 16  # sentence ids asked for per chunk and call: most chunks have fewer sentences


def _among(doc_ids: Sequence[str] | None) -> dict[str, Any] | None:
    """Chroma's `where` filter for a document restriction (None: the whole library)."""
    if not doc_ids:
        return None
    return {"doc_id": doc_ids[0]} if len(doc_ids) == 1 else {"doc_id": {"$in": list(doc_ids)}}


def _vectors(stored: Any) -> Any:
    return stored["embeddings"] if stored["embeddings"] is not None else []


def _records(ids: Any, texts: Any, metadatas: Any, vectors: Any) -> Iterator[tuple[ChunkRecord, Sequence[float]]]:
    """Rows as records, each with its vector as Chroma returns it (copying 30 vectors into Python floats
    cost a question over a millisecond)."""
    for item_id, text, metadata, vector in zip(
        ids, texts or [], metadatas or [], vectors if vectors is not None else []
    ):
        yield ChunkRecord.from_stored(item_id, text, dict(metadata)), vector


def _spans(stored: str) -> tuple[tuple[int, int], ...]:
    """ "120-188 189-260" -> ((120, 188), (189, 260))"""
    return tuple((int(start), int(end)) for start, _, end in (span.partition("-") for span in stored.split()))


def _sentence(item_id: str, metadata: dict[str, Any], chunks: Mapping[str, ChunkRecord]) -> SentenceRecord:
    """A sentence row as a record."""
    return _sliced(item_id, chunks[str(metadata["chunk_id"])], int(metadata["start"]), int(metadata["end"]))


def _sliced(sentence_id: str, chunk: ChunkRecord, start: int, end: int) -> SentenceRecord:
    """The sentence at document offsets start:end of a chunk, its text sliced from the chunk's."""
    return SentenceRecord(
        sentence_id, chunk.chunk_id, chunk.doc_id, chunk.text[start - chunk.start : end - chunk.start], start, end
    )


def _scan_metadata(collection: Any, page: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every item of a collection's id and metadata, a page at a time."""
    for offset in range(0, collection.count(), page):
        stored = collection.get(include=["metadatas"], limit=page, offset=offset)
        yield from ((item_id, dict(metadata)) for item_id, metadata in zip(stored["ids"], stored["metadatas"] or []))


def _scan(collection: Any, page: int) -> Iterator[tuple[str, str, dict[str, Any], list[float]]]:
    """Every item of a collection with text, metadata and vector, a page at a time."""
    for offset in range(0, collection.count(), page):
        stored = collection.get(include=["documents", "metadatas", "embeddings"], limit=page, offset=offset)
        embeddings = stored["embeddings"] if stored["embeddings"] is not None else []
        for item_id, text, metadata, vector in zip(
            stored["ids"], stored["documents"] or [], stored["metadatas"] or [], embeddings
        ):
            yield item_id, text, dict(metadata), [float(value) for value in vector]
