"""Fit the sentence ranker (assistant/ranking.py) on every public labelled question set, and compare it.

For each answerable question the real pipeline runs up to the scored evidence (as fit_abstention.py
collects it). A candidate sentence is positive when it holds a gold phrase of the question. Pairwise
logistic regression (L2, Newton's method; each question's pairs weigh 1 in all) learns weights such that
positives outscore the other candidates of the same question. Evaluated leave-one-corpus-out: fit on two
corpora, report on the third the share of questions whose top-scored sentence is a positive (top-1), among
the questions with any positive candidate. Rows: the old hand-set score (0.7 cosine + 0.3 coverage) and
fitted feature sets, the shipped one among them; richer sets are computed here only.

    .venv/bin/python bench/fit_ranker.py [--home realdocs=/tmp/rd_home] [--extra /work/extra-docs]
        [--cache /tmp/ranker.pkl] [--write]

`--write` refits the shipped feature set on every corpus and writes assistant/ranker.json
(absolute values summing to 1). Refit the abstention model after it: its features are these scores.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fit_abstention import CORPORA, Record, collected, collection_arguments  # noqa: E402

from assistant.evaluation import hits  # noqa: E402
from assistant.lexical import tokenize  # noqa: E402
from assistant.ranking import FEATURES, MODEL_FILE, Ranker, sentence_features  # noqa: E402

SHIPPED = FEATURES
EXTRA = ("passage_rank", "own_words", "length")  # tried, not shipped
L2 = 1.0


def table(records: list[Record]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(corpus, features, labels) per answerable question with at least one positive candidate."""
    rows = []
    for record in records:
        item, evidence = record.item, record.evidence
        if not item.answerable or not evidence:
            continue
        labels = np.array([any(hits(g, e.passage.chunk.source, e.text) for g in item.evidence) for e in evidence])
        if labels.any():
            rows.append((record.corpus, np.hstack([sentence_features(item.question, evidence), extra(record)]), labels))
    return rows


def extra(record: Record) -> np.ndarray:
    """The features tried beyond the shipped ones."""
    question = set(tokenize(record.item.question))
    ranks: dict[str, int] = {}
    values = []
    for item in record.evidence:
        rank = ranks.setdefault(item.passage.chunk.chunk_id, len(ranks))
        own = len(set(tokenize(item.text)) & question) / len(question) if question else 0.0
        values.append((math.log1p(rank), own, math.log(max(1, len(item.text.split())))))
    return np.asarray(values, dtype=float)


COLUMNS = (*FEATURES, *EXTRA)


def fit_pairwise(questions: list[tuple[str, np.ndarray, np.ndarray]], columns: list[int], l2: float = L2) -> np.ndarray:
    """Weights w minimising the weighted logistic loss of w . (positive - negative) over each question's pairs."""
    differences, labels, weights = [], [], []
    for _, X, y in questions:
        if y.all():
            continue
        pairs = (X[y][:, None, columns] - X[~y][None, :, columns]).reshape(-1, len(columns))
        differences += [pairs, -pairs]
        labels += [np.ones(len(pairs)), np.zeros(len(pairs))]
        weights.append(np.full(2 * len(pairs), 1.0 / len(pairs)))
    D, t, s = np.vstack(differences), np.concatenate(labels), np.concatenate(weights)
    w = np.zeros(len(columns))
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-D @ w))
        gradient = D.T @ ((p - t) * s) + l2 * w
        hessian = D.T @ (D * (p * (1 - p) * s)[:, None]) + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w / np.abs(w).sum()


def top1(questions: list[tuple[str, np.ndarray, np.ndarray]], columns: list[int], w: np.ndarray) -> float:
    return float(np.mean([y[np.argmax(X[:, columns] @ w)] for _, X, y in questions])) if questions else 0.0


def main() -> None:
    args = collection_arguments(__doc__.splitlines()[0], MODEL_FILE)
    records = collected(args)
    questions = table(records)
    counts = {name: sum(corpus == name for corpus, _, _ in questions) for name in CORPORA}
    print("top-1: share of questions whose best-scored sentence holds the answer, each corpus held out")
    print(f"| features | {' | '.join(f'{name} ({counts[name]})' for name in CORPORA)} | mean |")
    print("|---|" + "---|" * (len(CORPORA) + 1))
    hand = [COLUMNS.index("similarity"), COLUMNS.index("coverage")]
    candidates: list[tuple[str, tuple[str, ...]]] = [
        ("similarity, coverage", ("similarity", "coverage")),
        ("+ passage_similarity", ("similarity", "coverage", "passage_similarity")),
        ("+ kind_match (shipped)", SHIPPED),
        ("+ " + ", ".join(EXTRA), (*SHIPPED, *EXTRA)),
    ]
    cells = [top1([q for q in questions if q[0] == name], hand, np.array([0.7, 0.3])) for name in CORPORA]
    print(f"| hand-set 0.7 cosine + 0.3 coverage | {' | '.join(f'{v:.3f}' for v in cells)} | {np.mean(cells):.3f} |")
    for label, names in candidates:
        columns = [COLUMNS.index(name) for name in names]
        cells = []
        for held_out in CORPORA:
            w = fit_pairwise([q for q in questions if q[0] != held_out], columns)
            cells.append(top1([q for q in questions if q[0] == held_out], columns, w))
        print(f"| {label} | {' | '.join(f'{v:.3f}' for v in cells)} | {np.mean(cells):.3f} |")
    columns = [COLUMNS.index(name) for name in SHIPPED]
    w = fit_pairwise(questions, columns)
    ranker = Ranker({name: round(float(value), 4) for name, value in zip(SHIPPED, w)})
    print("fitted on everything:", json.dumps(ranker.as_dict()["weights"]))
    if args.write:
        MODEL_FILE.write_text(json.dumps(ranker.as_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}; now refit the abstention model: python bench/fit_abstention.py --write")


if __name__ == "__main__":
    main()
