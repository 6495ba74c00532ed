from __future__ import annotations

import numpy as np

from assistant.lexical import normalise, tokenize
from assistant.retrieval import chunk_version, maximal_marginal_relevance, newest_versions, reciprocal_rank_fusion
from vectorstore.store import ChunkRecord


def test_rrf_rewards_agreement_between_rankers() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]])
    assert max(fused, key=lambda key: fused[key]) == "b"
    assert set(fused) == {"a", "b", "c", "d"}
    assert fused["a"] > fused["c"]


def test_mmr_skips_near_duplicates_and_prefers_diversity() -> None:
    vectors = np.array([[1.0, 0.0], [0.999, 0.0447], [0.0, 1.0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    relevance = np.array([1.0, 0.99, 0.6], dtype=np.float32)
    assert maximal_marginal_relevance(relevance, vectors, k=2, lambda_mult=0.75) == [0, 2]


def test_mmr_returns_fewer_when_only_duplicates_remain() -> None:
    vectors = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    assert maximal_marginal_relevance(np.array([1.0, 0.9]), vectors, k=2, lambda_mult=0.5) == [0]


def test_tokenize_stems_and_drops_stopwords() -> None:
    assert tokenize("The pharmacists were employed by ambulance services") == [
        "pharmacist",
        "employ",
        "ambul",
        "servic",
    ]
    assert tokenize("care homes’ managers") == ["care", "home", "manag"]


def test_normalise_folds_quotes_dashes_and_space() -> None:
    assert normalise("People’s  care – “safe”") == 'people\'s care - "safe"'


def test_accents_are_folded_for_search_and_matching() -> None:
    assert tokenize("Tugh Temür's café") == tokenize("Tugh Temur's cafe") == ["tugh", "temur", "cafe"]
    assert normalise("Besançon ﬁnds") == "besancon finds"


def test_a_question_keeps_one_version_of_each_document() -> None:
    """Dense candidates read before a re-ingest, lexical ones after: the answer must not mix the two."""

    def row(chunk_id: str) -> tuple[ChunkRecord, list[float]]:
        doc_id = chunk_id.split(":")[0]
        return ChunkRecord(chunk_id, doc_id, doc_id, f"{doc_id}.txt", "text", 0, 4, None, None), [1.0]

    found = {chunk_id: row(chunk_id) for chunk_id in ("elm:v1:aa", "elm:v2:bb", "elm:v2:cc-2", "ash:v7:dd")}
    assert chunk_version("elm:v2:cc-2") == 2
    assert sorted(newest_versions(found)) == ["ash:v7:dd", "elm:v2:bb", "elm:v2:cc-2"]
