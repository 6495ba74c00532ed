"""Hybrid retrieval: dense (chunk and sentence vectors, Chroma's HNSW) and BM25 (SQLite FTS5), fused by
reciprocal rank, then MMR."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from assistant.lexical import tokenize
from assistant.vocabulary import Glossary
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChunkRecord, EvidenceStore, SentenceRecord

RRF_K = 60


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the evidence of why: fused rank score and cosine to the question."""

    chunk: ChunkRecord
    score: float
    similarity: float
    about: str = ""  # the opening of the chunk's document, where it names its publisher, place and subject


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Fuse ranked id lists: each list contributes 1 / (k + rank)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def newest_versions(found: dict[str, tuple[ChunkRecord, Any]]) -> dict[str, tuple[ChunkRecord, Any]]:
    """Only the newest version's chunks of each document. A question reads chunks twice (the dense candidates,
    then the lexical ones), and a re-ingest between the reads made one answer cite two versions."""
    newest: dict[str, int] = {}
    for record, _ in found.values():
        newest[record.doc_id] = max(newest.get(record.doc_id, 0), chunk_version(record.chunk_id))
    return {key: value for key, value in found.items() if chunk_version(key) == newest[value[0].doc_id]}


def chunk_version(chunk_id: str) -> int:
    """ "report:v3:1f0c..." -> 3 (ingest/pipeline.py's chunk ids)."""
    return int(chunk_id.rsplit(":", 2)[1].removeprefix("v"))


def maximal_marginal_relevance(
    relevance: np.ndarray, vectors: np.ndarray, k: int, lambda_mult: float, duplicate_cosine: float = 0.95
) -> list[int]:
    """Pick k indices trading relevance against similarity to what is already picked.

    Near-duplicates (cosine above `duplicate_cosine` to a picked item) are never picked.
    """
    chosen: list[int] = []
    remaining = list(range(len(relevance)))
    similarity = vectors @ vectors.T if len(vectors) else np.zeros((0, 0))
    while remaining and len(chosen) < k:
        best, best_value = -1, -np.inf
        for index in remaining:
            redundancy = max((similarity[index, other] for other in chosen), default=0.0)
            if redundancy > duplicate_cosine:
                continue
            value = lambda_mult * relevance[index] - (1 - lambda_mult) * redundancy
            if value > best_value:
                best, best_value = index, value
        if best < 0:
            break
        chosen.append(best)
        remaining.remove(best)
    return chosen


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the evidence store: dense (chunks and sentences, through Chroma's HNSW
    index) and BM25 (the persistent lexical index) fused by reciprocal rank, then diversified.

    Nothing here holds the library in memory: each question asks Chroma and the lexical index for its
    candidates, and reads the sentence vectors of the passages it keeps.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: EvidenceStore
    lexical: LexicalIndex = Field(
        default_factory=lambda: LexicalIndex(tokenize), description="BM25 index; in memory unless given a file."
    )
    k: int = Field(default=5, ge=1)
    candidates: int = Field(default=30, ge=1, description="Candidates taken from each ranker before fusion.")
    mmr_lambda: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="1 = relevance only, 0 = diversity only. Fused scores of the top candidates lie within a few "
        "percent of each other, so even 0.1 lets diversity reorder close calls.",
    )
    doc_ids: list[str] | None = Field(default=None, description="Restrict retrieval to these documents.")
    glossary: Glossary = Field(default_factory=Glossary, description="Equivalent terms also searched with.")
    check_seconds: float = Field(
        default=1.0, ge=0, description="A question looks for changes by other processes at most this often."
    )

    _generation: str | None = PrivateAttr(default=None)
    _checked_at: float = PrivateAttr(default=-math.inf)
    _pool: ThreadPoolExecutor = PrivateAttr(default_factory=lambda: ThreadPoolExecutor(4, "retrieval"))
    _sync_lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def refresh(self, *, wait: bool = True) -> bool:
        """Bring the lexical index in step with the store when the store's generation token moved (one
        lookup by id). A question (`wait=False`) looks at most every `check_seconds` and does not wait for
        another thread's sync: it searches the index as it stands. True when this call synced."""
        if not wait and time.monotonic() - self._checked_at < self.check_seconds:
            return False
        self._checked_at = time.monotonic()
        generation = self.store.generation()
        if generation == self._generation:
            return False
        if not self._sync_lock.acquire(blocking=wait):
            return False
        try:
            if generation == self._generation:
                return False
            self.lexical.sync(self.store.documents(), self.store.chunks_of)
            self._generation = generation
            return True
        finally:
            self._sync_lock.release()

    def embed_query(self, query: str) -> np.ndarray:
        return self.embed_queries([query])[0]

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        """One unit vector per query: the mean over its glossary variants, so "during COVID-19" also
        finds findings that say "during the pandemic". One encode call for all of them."""
        variants = [self.glossary.variants(query) for query in queries]
        vectors = np.asarray(self.store.embeddings.embed_documents([text for group in variants for text in group]))
        bounds = np.cumsum([0] + [len(group) for group in variants])
        means = np.stack([vectors[start:end].mean(axis=0) for start, end in pairwise(bounds)])
        return (means / np.linalg.norm(means, axis=1, keepdims=True)).astype(np.float32)

    def query_tokens(self, query: str) -> list[str]:
        """The query's words and those of its glossary equivalents, for BM25."""
        return list(dict.fromkeys(token for text in self.glossary.variants(query) for token in tokenize(text)))

    def idf(self, token: str) -> float:
        """How rare a word is across the library's chunks (BM25's inverse document frequency)."""
        return self.lexical.idf(token)

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Passage]:
        """The k best passages for a query, best first."""
        self.refresh(wait=False)
        k = k or self.k
        doc_ids = doc_ids if doc_ids is not None else self.doc_ids
        vector = self.embed_query(query) if query_vector is None else query_vector
        # the three rankers wait on Chroma and SQLite, which release the GIL: ask them at once
        dense_job = self._pool.submit(self.store.nearest_chunks, vector.tolist(), self.candidates, doc_ids)
        sentence_job = self._pool.submit(
            self.store.chunks_of_nearest_sentences, vector.tolist(), self.candidates, doc_ids
        )
        lexical_ids = self.lexical.search(self.query_tokens(query), self.candidates, doc_ids)
        dense, sentence_ids = dense_job.result(), sentence_job.result()
        fused = reciprocal_rank_fusion([[record.chunk_id for record, _ in dense], sentence_ids, lexical_ids])
        if not fused:
            return []
        ranked = sorted(fused, key=lambda chunk_id: -fused[chunk_id])[: self.candidates]
        found = {record.chunk_id: (record, chunk_vector) for record, chunk_vector in dense}
        found.update(
            (record.chunk_id, (record, chunk_vector))
            for record, chunk_vector in self.store.chunks([chunk_id for chunk_id in ranked if chunk_id not in found])
        )
        found = newest_versions(found)  # the two reads straddled a re-ingest: one version of a document only
        ranked = [chunk_id for chunk_id in ranked if chunk_id in found]  # a chunk removed since it was indexed
        if not ranked:
            return []
        vectors = np.asarray([found[chunk_id][1] for chunk_id in ranked], dtype=np.float32)
        relevance = np.array([fused[chunk_id] for chunk_id in ranked], dtype=np.float32)
        relevance = relevance / relevance.max()
        picked = maximal_marginal_relevance(relevance, vectors, k, self.mmr_lambda)
        similarities = vectors @ vector
        return [Passage(found[ranked[i]][0], float(fused[ranked[i]]), float(similarities[i])) for i in picked]

    def sentences(self, passages: Sequence[Passage], vector: np.ndarray) -> list[tuple[SentenceRecord, float]]:
        """The quotable sentences of the passages, each with its cosine to the vector, passage by passage
        in the passages' order and within a passage in document order."""
        stored = self.store.sentences_of([passage.chunk for passage in passages])
        if not stored:
            return []
        similarities = np.asarray([sentence_vector for _, sentence_vector in stored], dtype=np.float32) @ vector
        by_chunk: dict[str, list[tuple[SentenceRecord, float]]] = {}
        for (sentence, _), similarity in zip(stored, similarities):
            by_chunk.setdefault(sentence.chunk_id, []).append((sentence, float(similarity)))
        return [pair for passage in passages for pair in by_chunk.get(passage.chunk.chunk_id, [])]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        passages = self.search(query, k=kwargs.get("k"), doc_ids=kwargs.get("doc_ids"))
        return [passage_document(passage) for passage in passages]


def passage_document(passage: Passage) -> Document:
    chunk = passage.chunk
    metadata = {
        **{key: value for key, value in chunk.metadata().items() if key != "sentences"},  # offsets: storage only
        "chunk_id": chunk.chunk_id,
        "score": passage.score,
        "similarity": passage.similarity,
    }
    return Document(id=chunk.chunk_id, page_content=chunk.text, metadata=metadata)
