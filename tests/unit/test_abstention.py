"""The learned abstention decision: its features, the shipped model file, and its failure modes. Pure."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from assistant.abstention import (
    FEATURES,
    MODEL_FILE,
    AbstentionModel,
    AbstentionModelError,
    features,
    load_model,
    should_abstain,
)
from assistant.answering import supporting

from .fakes import Evidence, evidence

ROOT = Path(__file__).resolve().parents[2]
SENTENCE = "Across the Black Country STP, a risk matrix was adopted."


def scored(score: float, text: str = SENTENCE, start: int = 0, similarity: float = 0.0) -> Evidence:
    return replace(evidence(text, score, start=start), similarity=similarity, coverage=0.5)


def test_features_describe_the_best_sentences_that_pass_the_rules() -> None:
    best = scored(0.7, similarity=0.8)
    second = scored(0.45, "A second finding about the risk matrix.", start=100)
    weak = scored(0.2, "Something else entirely.", start=200)
    values = features("What did the Black Country adopt?", [weak, best, second], [weak, best, second])
    assert set(values) == set(FEATURES)
    assert values["best"] == 0.7 and values["second"] == 0.45
    assert values["best_similarity"] == 0.8 and values["best_coverage"] == 0.5
    assert values["strong"] == pytest.approx(math.log1p(2))  # 0.7 and 0.45 reach STRONG_SCORE
    assert values["best_unfiltered"] == 0.7
    assert values["passage_similarity"] == 0.6  # the fake passages' cosine
    assert values["question_words"] == pytest.approx(math.log1p(3))  # black, country, adopt


def test_features_without_candidates_are_zero_but_keep_the_unfiltered_best() -> None:
    values = features("How many?", [], [scored(0.9)])
    assert values["best"] == values["second"] == values["strong"] == 0.0
    assert values["best_unfiltered"] == 0.9


def test_the_shipped_model_file_loads() -> None:
    model = load_model()
    assert model is load_model(MODEL_FILE)  # read once per process
    assert model.features and set(model.features) <= set(FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert AbstentionModel.from_dict(model.as_dict()) == model


def test_the_model_file_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert MODEL_FILE.name in pyproject["tool"]["setuptools"]["package-data"]["assistant"]


def test_the_decision_is_monotonic_in_the_score() -> None:
    model = load_model()
    question = "What did the Black Country adopt?"
    grid = [i / 100 for i in range(101)]
    alone = [model.probability(features(question, [scored(s)], [scored(s)])) for s in grid]
    assert all(a <= b for a, b in pairwise(alone))
    decisions = [should_abstain(question, [scored(s)], [scored(s)], model) for s in grid]
    assert decisions[0] and not decisions[-1]  # off-topic abstains, a strong match answers
    assert decisions == sorted(decisions, reverse=True)  # abstain below one score, answer above it
    for low in (0.1, 0.3, 0.5):  # a better second sentence never turns an answer into an abstention
        pair = [model.probability(features(question, [scored(0.6), scored(s, start=9)], [])) for s in (low, 0.6)]
        assert pair[0] <= pair[1]


def test_no_candidate_means_abstain_whatever_the_model() -> None:
    always_answer = AbstentionModel(("best",), (0.5,), (0.1,), (1.0,), intercept=50.0, threshold=0.5)
    assert should_abstain("What?", [], [scored(0.9)], always_answer)
    assert not should_abstain("What?", [scored(0.01)], [scored(0.01)], always_answer)


def test_supporting_follows_the_model() -> None:
    strong, weak = evidence(SENTENCE, 0.8), evidence(SENTENCE, 0.05)
    assert supporting("What did the Black Country adopt?", [strong]) == [strong]
    assert supporting("What did the Black Country adopt?", [weak]) == []


def test_probability_is_stable_at_extremes() -> None:
    model = AbstentionModel(("best",), (0.5,), (0.001,), (10.0,), intercept=0.0, threshold=0.5)
    assert model.probability({"best": 100.0}) == 1.0
    assert model.probability({"best": -100.0}) == 0.0


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "abstention.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AbstentionModelError, match=r"missing: refit it with .*fit_abstention\.py"):
        load_model(tmp_path / "absent.json")


def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AbstentionModelError, match="unreadable"):
        load_model(write(tmp_path, '{"features": ["best"], '))


GOOD = {"features": ["best"], "mean": [0.6], "scale": [0.15], "coef": [0.4], "intercept": 0.9, "threshold": 0.5}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coef": None}, "coef"),
        ({"coef": [0.4, 0.1]}, "same length"),
        ({"features": ["shoe_size"]}, "unknown features"),
        ({"scale": [0.0]}, "positive"),
        ({"threshold": 1.5}, "between 0 and 1"),
        ({"intercept": "high"}, "finite"),
        ({"mean": [float("nan")]}, "finite"),
    ],
)
def test_a_malformed_model_is_a_clear_error(tmp_path: Path, change: dict, message: str) -> None:
    raw = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    with pytest.raises(AbstentionModelError, match=rf"is not a model \(.*{message}"):
        load_model(write(tmp_path, json.dumps(raw)))


def test_a_model_file_that_is_not_an_object_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AbstentionModelError, match="is not a model"):
        load_model(write(tmp_path, "[1, 2, 3]"))


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    assert load_model(write(tmp_path, json.dumps({**GOOD, "fitted": {"by": "hand"}}))).coef == (0.4,)
