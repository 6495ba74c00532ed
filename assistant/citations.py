"""Citations and `[n]` markers: the contract every answer keeps. Pure functions only."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass(frozen=True)
class Citation:
    """One verbatim source passage: `quote == document_text[start:end]`."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    section: str | None
    page: int | None
    quote: str
    start: int
    end: int
    score: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def marker_numbers(answer: str) -> list[int]:
    """Every `[n]` in an answer, in order of appearance."""
    return [int(number) for number in MARKER.findall(answer)]


def invariant_problems(answer: Mapping[str, Any], document_text: Callable[[str], str | None]) -> list[str]:
    """Ways an answer object breaks the design's invariants; empty when it keeps them all."""
    problems: list[str] = []
    citations = answer.get("citations") or []
    numbers = {citation["n"] for citation in citations}
    for number in marker_numbers(answer.get("answer") or ""):
        if number not in numbers:
            problems.append(f"marker [{number}] has no citation")
    if answer.get("abstained") and citations:
        problems.append("abstained answer carries citations")
    texts: dict[str, str | None] = {}
    for citation in citations:
        doc_id = citation["doc_id"]
        if doc_id not in texts:
            texts[doc_id] = document_text(doc_id)
        text = texts[doc_id]
        if text is None:
            problems.append(f"citation [{citation['n']}] points at unknown document {doc_id}")
        elif text[citation["start"] : citation["end"]] != citation["quote"]:
            problems.append(
                f"citation [{citation['n']}] quote is not verbatim at {citation['start']}:{citation['end']}"
            )
    return problems
