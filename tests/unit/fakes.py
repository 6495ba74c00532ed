"""Hand-made passages and evidence for pure-logic tests (no model, no store)."""

from __future__ import annotations

from assistant.answering import Evidence

__all__ = ["Evidence", "evidence", "passage"]
from assistant.retrieval import Passage
from vectorstore.store import ChunkRecord


def passage(text: str, doc_id: str = "doc-a", start: int = 0, section: str | None = "Findings") -> Passage:
    chunk = ChunkRecord(
        chunk_id=f"{doc_id}:{start}",
        doc_id=doc_id,
        title=f"Title of {doc_id}",
        source=f"{doc_id}.txt",
        text=text,
        start=start,
        end=start + len(text),
        section=section,
        page=None,
    )
    return Passage(chunk, score=0.03, similarity=0.6)


def evidence(text: str, score: float, doc_id: str = "doc-a", start: int = 0) -> Evidence:
    return Evidence(passage(text, doc_id, start), start, start + len(text), text, score)
