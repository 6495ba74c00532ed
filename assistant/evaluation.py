"""Question-set evaluation: retrieval, citation and abstention quality plus latency."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering import Answer
from assistant.citations import invariant_problems
from assistant.lexical import normalise


@dataclass(frozen=True)
class GoldEvidence:
    """A passage from `source` is gold when it holds any one of `phrases` (SQuAD-style sets give variants)."""

    source: str
    phrases: tuple[str, ...]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> GoldEvidence:
        phrases = raw["contains_any"] if "contains_any" in raw else [raw["contains"]]
        if isinstance(phrases, str) or not phrases:
            raise ValueError("contains_any must be a non-empty list of phrases")
        return cls(str(raw["source"]), tuple(str(phrase) for phrase in phrases))


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    answerable: bool
    evidence: tuple[GoldEvidence, ...]


def load_question_set(path: Path) -> list[QAItem]:
    """Read a JSONL question set; a malformed line is a one-line error naming the line."""
    items: list[QAItem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                QAItem(
                    id=str(raw.get("id", number)),
                    question=str(raw["question"]),
                    answerable=bool(raw.get("answerable", True)),
                    evidence=tuple(GoldEvidence.parse(e) for e in raw.get("evidence", [])),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"{path.name} line {number}: not a question object ({error})") from None
    if not items:
        raise ValueError(f"{path.name} holds no questions")
    return items


def hits(gold: GoldEvidence, source: str, text: str) -> bool:
    if source != gold.source:
        return False
    folded = normalise(text)
    return any(normalise(phrase) in folded for phrase in gold.phrases)


def first_hit_rank(item: QAItem, retrieved: Sequence[tuple[str, str]]) -> int | None:
    """1-based rank of the first retrieved (source, text) that holds any gold phrase."""
    for rank, (source, text) in enumerate(retrieved, start=1):
        if any(hits(gold, source, text) for gold in item.evidence):
            return rank
    return None


def recall_at(item: QAItem, retrieved: Sequence[tuple[str, str]], k: int) -> float:
    """Share of the item's gold evidence found in the top k."""
    top = retrieved[:k]
    found = sum(any(hits(gold, source, text) for source, text in top) for gold in item.evidence)
    return found / len(item.evidence)


def evaluate(
    items: Sequence[QAItem],
    ask: Callable[[str], Answer],
    document_text: Callable[[str], str | None],
) -> dict[str, Any]:
    """Run every question once and compute the design's metrics (plus per-question rows)."""
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    valid = total_citations = 0
    for item in items:
        answer = ask(item.question)
        latencies.append(answer.timings_ms["total"])
        retrieved = [(p.chunk.source, p.chunk.text) for p in answer.passages]
        cited = [(c.source, c.quote) for c in answer.citations]
        problems = invariant_problems(answer.as_dict(), document_text)
        total_citations += len(answer.citations)
        valid += len(answer.citations) - sum("quote" in problem or "unknown" in problem for problem in problems)
        rank = first_hit_rank(item, retrieved) if item.answerable else None
        cited_rank = first_hit_rank(item, cited) if item.answerable else None
        rows.append(
            {
                "id": item.id,
                "answerable": item.answerable,
                "abstained": answer.abstained,
                "rank": rank,
                "recall@1": recall_at(item, retrieved, 1) if item.answerable else None,
                "recall@5": recall_at(item, retrieved, 5) if item.answerable else None,
                "cited": cited_rank is not None if item.answerable else None,
                "first_cited": cited_rank == 1 if item.answerable else None,
                "quoted_chars": sum(len(quote) for _, quote in cited),
                "problems": problems,
                "ms": answer.timings_ms["total"],
            }
        )
    answerable = [row for row in rows if row["answerable"]]
    unanswerable = [row for row in rows if not row["answerable"]]
    metrics = {
        "questions": len(rows),
        "recall@1": _mean(row["recall@1"] for row in answerable),
        "recall@5": _mean(row["recall@5"] for row in answerable),
        "mrr": _mean(1.0 / row["rank"] if row["rank"] else 0.0 for row in answerable),
        "citation_hit_rate": _mean(float(row["cited"]) for row in answerable),
        "first_citation_hit_rate": _mean(float(row["first_cited"]) for row in answerable),
        "quoted_chars_median": float(np.median([row["quoted_chars"] for row in rows if not row["abstained"]] or [0])),
        "citation_validity": valid / total_citations if total_citations else 1.0,
        "abstention_accuracy": _mean(float(row["abstained"]) for row in unanswerable),
        "answerable_abstained": sum(row["abstained"] for row in answerable),
        "invariant_violations": sum(len(row["problems"]) for row in rows),
        "latency_ms_p50": float(np.percentile(latencies, 50)),
        "latency_ms_p95": float(np.percentile(latencies, 95)),
    }
    return {"metrics": metrics, "rows": rows}


def _mean(values: Any) -> float | None:
    collected = list(values)
    return round(sum(collected) / len(collected), 4) if collected else None


def format_report(result: dict[str, Any]) -> str:
    """Human-readable table of the metrics and of the questions that missed."""
    lines = []
    for row in result["rows"]:
        missed = (row["answerable"] and (row["abstained"] or not row["cited"])) or (
            not row["answerable"] and not row["abstained"]
        )
        if missed or row["problems"]:
            lines.append(f"  miss {row['id']}: rank={row['rank']} abstained={row['abstained']} cited={row['cited']}")
    metrics = result["metrics"]
    width = max(len(name) for name in metrics)
    lines += [f"{name:<{width}}  {_show(value)}" for name, value in metrics.items()]
    return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return "n/a" if value is None else str(value)
