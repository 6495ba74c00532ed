"""The persistent lexical index (SQLite FTS5 + Lucene BM25), on hand-made chunks: no model, no Chroma."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import bm25s
import numpy as np
import pytest

from assistant.lexical import tokenize
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChunkRecord, DocumentRecord

TEXTS = {
    "care": [
        "Care homes and GPs worked together on care plans during the pandemic.",
        "Care home staff shared personal protective equipment with district nurses.",
        "Dentists set up urgent dental care hubs across the county.",
    ],
    "ambulance": [
        "North West Ambulance Service employed pharmacists in NHS 111 call centres.",
        "Ambulance crews carried end of life medication for care home residents.",
    ],
    "digital": [
        "Digital tools helped care homes hold virtual ward rounds with GPs.",
        "Video consultations replaced many face-to-face GP appointments.",
        "Care care care: a heading that repeats one common word.",
    ],
}


def record(doc_id: str, version: int = 1) -> DocumentRecord:
    return DocumentRecord(doc_id, doc_id.title(), f"{doc_id}.txt", f"/{doc_id}.txt", f"sha-{doc_id}", 3, version, "")


def chunks_of(texts: dict[str, list[str]]) -> Callable[[Sequence[DocumentRecord]], dict[str, list[ChunkRecord]]]:
    def read(documents: Sequence[DocumentRecord]) -> dict[str, list[ChunkRecord]]:
        return {document.doc_id: chunks(document.doc_id) for document in documents}

    def chunks(doc_id: str) -> list[ChunkRecord]:
        return [
            ChunkRecord(f"{doc_id}:{n}", doc_id, doc_id.title(), f"{doc_id}.txt", text, 0, len(text), None, None)
            for n, text in enumerate(texts[doc_id])
        ]

    return read


@pytest.fixture
def index() -> LexicalIndex:
    lexical = LexicalIndex(tokenize)
    assert lexical.sync([record(doc_id) for doc_id in TEXTS], chunks_of(TEXTS)) == (3, 0)
    return lexical


@pytest.mark.parametrize(
    "question",
    [
        "How did care homes and GPs work together?",
        "Which ambulance service employed pharmacists?",
        "What did dentists do about urgent dental care?",
        "Were virtual ward rounds used in care homes?",
    ],
)
def test_ranking_is_lucene_bm25_as_bm25s_computes_it(index: LexicalIndex, question: str) -> None:
    ids = [f"{doc_id}:{n}" for doc_id, texts in TEXTS.items() for n in range(len(texts))]
    reference = bm25s.BM25()  # method "lucene", k1 1.5, b 0.75
    reference.index([tokenize(text) for texts in TEXTS.values() for text in texts], show_progress=False)
    words = [word for word in dict.fromkeys(tokenize(question)) if word in reference.vocab_dict]
    scores = np.asarray(reference.get_scores(words))
    expected = [ids[i] for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
    found = index.search(tokenize(question), limit=len(ids))
    assert set(found) == set(expected)
    assert [scores[ids.index(chunk_id)] for chunk_id in found] == sorted(scores[scores > 0], reverse=True)


def test_idf_follows_lucene_and_never_goes_negative(index: LexicalIndex) -> None:
    assert index.chunk_count == 8
    frequency = sum("care" in tokenize(text) for texts in TEXTS.values() for text in texts)
    assert frequency > 4  # in over half the chunks: FTS5's own idf would be negative here
    assert index.idf("care") == pytest.approx(math.log(1 + (8 - frequency + 0.5) / (frequency + 0.5)))
    assert index.idf("care") > 0
    assert index.idf("zebra") > index.idf("dentist") > index.idf("care")


def test_a_remembered_idf_follows_the_library_after_a_sync(index: LexicalIndex) -> None:
    (word,) = tokenize("paramedics")
    before = index.idf(word)  # absent: the highest weight
    assert index.idf(word) == before  # remembered
    revised = {**TEXTS, "ambulance": ["Paramedics triaged calls from care homes by video."]}
    index.sync([record(doc_id, version=2) for doc_id in TEXTS], chunks_of(revised))
    assert index.idf(word) < before  # now in one chunk of seven
    assert index.idf(word) == pytest.approx(math.log(1 + (7 - 1 + 0.5) / (1 + 0.5)))


def test_a_document_filter_keeps_to_those_documents(index: LexicalIndex) -> None:
    found = index.search(tokenize("care homes"), limit=10, doc_ids=["digital"])
    assert found and all(chunk_id.startswith("digital:") for chunk_id in found)


def test_sync_reindexes_only_what_changed_and_drops_what_went(index: LexicalIndex) -> None:
    revised = {**TEXTS, "ambulance": ["Paramedics triaged calls from care homes by video."]}
    documents = [record("care"), record("ambulance", version=2)]
    assert index.sync(documents, chunks_of(revised)) == (1, 1)
    assert index.search(tokenize("pharmacists"), limit=5) == []
    assert index.search(tokenize("paramedics"), limit=5) == ["ambulance:0"]
    assert index.search(tokenize("virtual ward rounds"), limit=5) == []  # "digital" was removed
    assert index.chunk_count == 4
    assert index.sync(documents, chunks_of(revised)) == (0, 0)


def test_documents_are_read_and_indexed_a_block_at_a_time() -> None:
    read = chunks_of(TEXTS)
    blocks: list[int] = []

    def counting(documents: Sequence[DocumentRecord]) -> dict[str, list[ChunkRecord]]:
        blocks.append(len(documents))
        return read(documents)

    lexical = LexicalIndex(tokenize)
    assert lexical.sync([record(doc_id) for doc_id in TEXTS], counting, block=2) == (3, 0)
    assert blocks == [2, 1] and lexical.chunk_count == 8
    assert lexical.search(tokenize("pharmacists"), limit=3) == ["ambulance:0"]


def test_the_index_persists_in_its_file_and_another_connection_sees_it(tmp_path: Path) -> None:
    path = tmp_path / "lexical.sqlite3"
    first = LexicalIndex(tokenize, path)
    first.sync([record(doc_id) for doc_id in TEXTS], chunks_of(TEXTS))
    second = LexicalIndex(tokenize, path)  # e.g. the next start of the app
    assert second.chunk_count == 8
    assert second.search(tokenize("pharmacists"), limit=3) == ["ambulance:0"]
    assert second.sync([record(doc_id) for doc_id in TEXTS], chunks_of(TEXTS)) == (0, 0)
    first.close()
    second.close()


@pytest.mark.parametrize("words", [[], ["and"], ['"; DROP TABLE chunks; --'], ["NEAR(care"]])
def test_words_fts5_would_read_as_syntax_find_nothing_and_break_nothing(index: LexicalIndex, words: list[str]) -> None:
    assert index.search(words, limit=5) == []
    assert index.chunk_count == 8


def test_in_a_large_library_common_words_do_not_choose_the_candidates_but_still_score() -> None:
    from vectorstore.lexical import LARGE

    texts = {"big": [f"Care home visit number {n}." for n in range(LARGE)] + ["Care home dentists met weekly."]}
    texts["big"].append("Dentists met weekly.")
    lexical = LexicalIndex(tokenize)
    lexical.sync([record("big")], chunks_of(texts))
    found = lexical.search(tokenize("Did care home dentists meet?"), limit=3)
    assert set(found[:2]) == {f"big:{LARGE}", f"big:{LARGE + 1}"}  # chosen by "dentists", not by "care home"
    assert len(lexical.search(tokenize("care home"), limit=3)) == 3  # only common words: they still search


def test_a_file_of_another_shape_is_rebuilt_not_a_crash(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "lexical.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE documents (doc_id TEXT PRIMARY KEY, stamp TEXT); INSERT INTO documents VALUES ('care', 'x');"
    )
    old.close()
    index = LexicalIndex(tokenize, path)
    assert index.chunk_count == 0
    assert index.sync([record(doc_id) for doc_id in TEXTS], chunks_of(TEXTS)) == (3, 0)
    assert index.search(tokenize("pharmacists"), limit=3) == ["ambulance:0"]
