"""Stored records: what a chunk's metadata holds and reads back as (pure, no store)."""

from __future__ import annotations

import pytest

from vectorstore.store import ChunkRecord


def chunk(spans: tuple[tuple[int, int], ...] | None) -> ChunkRecord:
    return ChunkRecord("doc:v1:abc", "doc", "Doc", "doc.txt", "First one. Second.", 100, 118, "Findings", 3, spans)


@pytest.mark.parametrize("spans", [((100, 110), (111, 118)), (), None])
def test_a_chunk_reads_back_as_it_was_stored(spans: tuple[tuple[int, int], ...] | None) -> None:
    record = chunk(spans)
    assert ChunkRecord.from_stored(record.chunk_id, record.text, record.metadata()) == record


def test_sentence_offsets_are_one_string_and_absent_when_unknown() -> None:
    assert chunk(((100, 110), (111, 118))).metadata()["sentences"] == "100-110 111-118"
    assert chunk(()).metadata()["sentences"] == ""
    assert "sentences" not in chunk(None).metadata()
