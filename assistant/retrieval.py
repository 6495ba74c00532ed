"""Hybrid retrieval: dense (chunk and sentence vectors from Chroma) and BM25, fused by reciprocal rank, then MMR."""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from assistant.lexical import tokenize
from assistant.vocabulary import Glossary
from vectorstore.store import ChunkRecord, EvidenceStore

RRF_K = 60


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the evidence of why: fused rank score and cosine to the question."""

    chunk: ChunkRecord
    score: float
    similarity: float


class ChunkIndex:
    """In-memory lexical index and vectors of every chunk, rebuilt only when the store changes."""

    def __init__(self, store: EvidenceStore, fingerprint: str) -> None:
        records, vectors = store.all_chunks()
        self.records = records
        self.position = {record.chunk_id: index for index, record in enumerate(records)}
        self.vectors = _matrix(vectors)
        sentences, sentence_vectors = store.all_sentences()
        self.sentences = sentences
        self.sentence_vectors = _matrix(sentence_vectors)
        self.sentences_of: dict[str, list[int]] = {}
        for position, sentence in enumerate(sentences):
            self.sentences_of.setdefault(sentence.chunk_id, []).append(position)
        self.fingerprint = fingerprint
        self._bm25: bm25s.BM25 | None = None
        corpus = [tokenize(f"{record.section or ''} {record.text}") or ["_"] for record in records]
        self._document_frequency = Counter(token for tokens in corpus for token in set(tokens))
        if records:
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency; words absent from the corpus weigh the most."""
        frequency = self._document_frequency.get(token, 0)
        return math.log(1 + (len(self.records) - frequency + 0.5) / (frequency + 0.5))

    def dense(self, vector: np.ndarray, allowed: np.ndarray | None, limit: int) -> list[int]:
        """Positions of the chunks closest to the vector by cosine, best first.

        Exact, over the vectors read from Chroma: on small collections Chroma's HNSW graph can leave
        a chunk unreachable (1 build in 3 of the sample corpus lost one from every query).
        """
        if not self.records:
            return []
        similarities = self.vectors @ vector
        if allowed is not None:
            similarities = np.where(allowed, similarities, -np.inf)
        order = np.argsort(-similarities, kind="stable")[:limit]
        return [int(index) for index in order if np.isfinite(similarities[index])]

    def lexical(self, query_tokens: list[str], allowed: np.ndarray | None, limit: int) -> list[int]:
        """Positions of the best BM25 matches (score > 0), best first."""
        if self._bm25 is None or not query_tokens:
            return []
        known = [token for token in query_tokens if token in self._bm25.vocab_dict]
        if not known:
            return []
        scores = np.asarray(self._bm25.get_scores(known), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores)[:limit]
        return [int(index) for index in order if scores[index] > 0]

    def by_best_sentence(self, vector: np.ndarray, doc_ids: Sequence[str] | None, limit: int) -> list[str]:
        """Chunk ids ranked by their closest sentence: finds a finding whose one key sentence
        matches even when the rest of the chunk dilutes its own vector."""
        if not self.sentences:
            return []
        wanted = set(doc_ids) if doc_ids else None
        best: list[str] = []
        for position in np.argsort(-(self.sentence_vectors @ vector)):
            sentence = self.sentences[position]
            if (wanted is None or sentence.doc_id in wanted) and sentence.chunk_id not in best:
                best.append(sentence.chunk_id)
                if len(best) == limit:
                    break
        return best

    def allowed(self, doc_ids: Sequence[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        wanted = set(doc_ids)
        return np.array([record.doc_id in wanted for record in self.records], dtype=bool)


def _matrix(vectors: list[list[float]]) -> np.ndarray:
    """Rows of vectors as float32; an empty store gives an empty (0, 0) matrix."""
    return np.asarray(vectors, dtype=np.float32) if vectors else np.zeros((0, 0), dtype=np.float32)


def store_fingerprint(store: EvidenceStore) -> str:
    """Changes whenever any document is added, revised or removed."""
    parts = sorted(f"{record.doc_id}:{record.sha256}:{record.version}" for record in store.documents())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Fuse ranked id lists: each list contributes 1 / (k + rank)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


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
    """LangChain retriever over the evidence store: dense + BM25 fused, then diversified."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: EvidenceStore
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

    _index: ChunkIndex | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def index(self) -> ChunkIndex:
        """The in-memory index, rebuilt when the store's documents changed (e.g. by another process)."""
        fingerprint = store_fingerprint(self.store)
        with self._lock:
            if self._index is None or self._index.fingerprint != fingerprint:
                self._index = ChunkIndex(self.store, fingerprint)
            return self._index

    def last_index(self) -> ChunkIndex:
        """The index the latest search used, without asking the store whether it changed since."""
        return self._index if self._index is not None else self.index()

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

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Passage]:
        """The k best passages for a query, best first."""
        k = k or self.k
        doc_ids = doc_ids if doc_ids is not None else self.doc_ids
        index = self.index()
        if not index.records:
            return []
        vector = self.embed_query(query) if query_vector is None else query_vector
        allowed = index.allowed(doc_ids)
        dense_ids = [index.records[position].chunk_id for position in index.dense(vector, allowed, self.candidates)]
        lexical = index.lexical(self.query_tokens(query), allowed, self.candidates)
        lexical_ids = [index.records[position].chunk_id for position in lexical]
        sentence_ids = index.by_best_sentence(vector, doc_ids, self.candidates)
        fused = reciprocal_rank_fusion([dense_ids, sentence_ids, lexical_ids])
        if not fused:
            return []
        ranked = sorted(fused, key=lambda chunk_id: -fused[chunk_id])[: self.candidates]
        positions = [index.position[chunk_id] for chunk_id in ranked]
        vectors = index.vectors[positions]
        relevance = np.array([fused[chunk_id] for chunk_id in ranked], dtype=np.float32)
        relevance = relevance / relevance.max()
        picked = maximal_marginal_relevance(relevance, vectors, k, self.mmr_lambda)
        similarities = vectors @ vector
        return [Passage(index.records[positions[i]], float(fused[ranked[i]]), float(similarities[i])) for i in picked]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        passages = self.search(query, k=kwargs.get("k"), doc_ids=kwargs.get("doc_ids"))
        return [passage_document(passage) for passage in passages]


def passage_document(passage: Passage) -> Document:
    chunk = passage.chunk
    metadata = {
        **chunk.metadata(),
        "chunk_id": chunk.chunk_id,
        "score": passage.score,
        "similarity": passage.similarity,
    }
    return Document(id=chunk.chunk_id, page_content=chunk.text, metadata=metadata)
