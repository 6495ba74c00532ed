"""Answer or abstain: a logistic regression over the evidence's scores, fitted on the labelled question sets.

`bench/fit_abstention.py` fits it and writes `abstention.json` beside this file (features, scaler,
coefficients and the decision threshold). The features are a pure function of the scored evidence;
reading the JSON (once per process) is the only I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.lexical import tokenize
from assistant.model_files import ModelFileError, finite_numbers, read_model

if TYPE_CHECKING:
    from assistant.answering import Evidence

MODEL_FILE = Path(__file__).with_name("abstention.json")
AbstentionModelError = ModelFileError
STRONG_SCORE = 0.4  # a sentence at least this good counts towards the "strong" feature
FEATURES = (
    "best",  # score of the best sentence the hand rules let through (0 when none does)
    "best_similarity",  # its cosine to the question ...
    "best_coverage",  # ... and its share of the question's IDF-weighted words
    "second",  # score of the second-best such sentence
    "strong",  # log(1 + number of such sentences scoring STRONG_SCORE or more)
    "best_unfiltered",  # best score of any sentence, before the hand rules
    "passage_similarity",  # best cosine of a retrieved passage to the question
    "question_words",  # log(1 + content words in the question)
)


def features(question: str, candidates: Sequence[Evidence], evidence: Sequence[Evidence]) -> dict[str, float]:
    """The model's inputs, from the sentences that pass the hand rules (`candidates`) and every scored
    sentence of the retrieved passages (`evidence`)."""
    ranked = sorted((item for item in candidates), key=lambda item: -item.score)
    best = ranked[0] if ranked else None
    return {
        "best": best.score if best else 0.0,
        "best_similarity": best.similarity if best else 0.0,
        "best_coverage": best.coverage if best else 0.0,
        "second": ranked[1].score if len(ranked) > 1 else 0.0,
        "strong": math.log1p(sum(item.score >= STRONG_SCORE for item in ranked)),
        "best_unfiltered": max((item.score for item in evidence), default=0.0),
        "passage_similarity": max((item.passage.similarity for item in evidence), default=0.0),
        "question_words": math.log1p(len(tokenize(question))),
    }


@dataclass(frozen=True)
class AbstentionModel:
    """P(answerable) = logistic(intercept + sum(coef * (value - mean) / scale)); abstain below `threshold`."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def __post_init__(self) -> None:
        unknown = [name for name in self.features if name not in FEATURES]
        if unknown:
            raise ValueError(f"unknown features {unknown} (known: {', '.join(FEATURES)})")
        if not len(self.features) == len(self.mean) == len(self.scale) == len(self.coef):
            raise ValueError("features, mean, scale and coef must have the same length")
        numbers = (*self.mean, *self.scale, *self.coef, self.intercept, self.threshold)
        if not finite_numbers(numbers):
            raise ValueError("every number must be finite")
        if any(value <= 0 for value in self.scale):
            raise ValueError("every scale must be positive")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("threshold must lie between 0 and 1")

    def probability(self, values: Mapping[str, float]) -> float:
        """P(the documents answer the question), from `features()`."""
        z = self.intercept + sum(
            coef * (values[name] - mean) / scale
            for name, mean, scale, coef in zip(self.features, self.mean, self.scale, self.coef)
        )
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def abstains(self, values: Mapping[str, float]) -> bool:
        return self.probability(values) < self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> AbstentionModel:
        return cls(
            features=tuple(str(name) for name in raw["features"]),
            mean=tuple(raw["mean"]),
            scale=tuple(raw["scale"]),
            coef=tuple(raw["coef"]),
            intercept=raw["intercept"],
            threshold=raw["threshold"],
        )


def load_model(path: Path = MODEL_FILE) -> AbstentionModel:
    """The model in `path` (read once per process); a clear error when it is missing or malformed."""
    return _load(Path(path))


@lru_cache(maxsize=8)
def _load(path: Path) -> AbstentionModel:
    fix = "refit it with `python bench/fit_abstention.py --write`"
    return read_model(path, "abstention model", fix, AbstentionModel.from_dict)


def should_abstain(
    question: str,
    candidates: Sequence[Evidence],
    evidence: Sequence[Evidence],
    model: AbstentionModel | None = None,
) -> bool:
    """Abstain when no sentence passes the hand rules, or when the model finds the best of them too weak."""
    if not candidates:
        return True
    return (model or load_model()).abstains(features(question, candidates, evidence))
