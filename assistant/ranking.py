"""Which sentence answers the question: a linear score over each candidate sentence's features, its
weights fitted on the labelled question sets by pairwise logistic regression (a sentence holding the gold
answer should outscore every other candidate for the same question).

`bench/fit_ranker.py` fits the weights and writes `ranker.json` beside this file; it also tried richer
feature sets, which did worse on held-out corpora. The features are a pure function of the question and
the scored sentences; reading the JSON (once per process) is the only I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.model_files import finite_numbers, read_model

if TYPE_CHECKING:
    from assistant.answering import Evidence

MODEL_FILE = Path(__file__).with_name("ranker.json")
FEATURES = (
    "similarity",  # cosine of the sentence to the question
    "coverage",  # share of the question's IDF-weighted words in the sentence, its section heading or document name
    "passage_similarity",  # cosine of the sentence's whole passage to the question: the finding's context
    "kind_match",  # +1 states the asked-for kind of fact (a number for "how many"), -1 does not, 0 no kind asked
)


def sentence_features(question: str, evidence: Sequence[Evidence]) -> np.ndarray:
    """One row of FEATURES per evidence sentence, in the evidence's order."""
    from assistant.answering import answer_type, has_answer_type

    kind = answer_type(question)
    rows = [
        (
            item.similarity,
            item.coverage,
            item.passage.similarity,
            0.0 if kind is None else (1.0 if has_answer_type(kind, item.text, question) else -1.0),
        )
        for item in evidence
    ]
    return np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURES))


@dataclass(frozen=True)
class Ranker:
    """score = sum(weight * feature); the weights' absolute values sum to 1, so scores stay near [0, 1]."""

    weights: Mapping[str, float]

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(FEATURES)
        if unknown or not self.weights:
            raise ValueError(f"unknown or no features {sorted(unknown)} (known: {', '.join(FEATURES)})")
        if not finite_numbers(self.weights.values()):
            raise ValueError("every weight must be a finite number")

    def scores(self, question: str, evidence: Sequence[Evidence]) -> np.ndarray:
        vector = np.array([self.weights.get(name, 0.0) for name in FEATURES])
        return sentence_features(question, evidence) @ vector

    def as_dict(self) -> dict[str, Any]:
        return {"weights": dict(self.weights)}


def load_ranker(path: Path = MODEL_FILE) -> Ranker:
    """The ranker in `path` (read once per process); a clear error when it is missing or malformed."""
    return _load(Path(path))


@lru_cache(maxsize=8)
def _load(path: Path) -> Ranker:
    fix = "refit it with `python bench/fit_ranker.py --write`"
    return read_model(path, "sentence ranker", fix, lambda raw: Ranker(dict(raw["weights"])))
