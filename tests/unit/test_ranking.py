"""The fitted sentence ranker: its features, the shipped weights file, and its failure modes. Pure."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.model_files import ModelFileError
from assistant.ranking import FEATURES, MODEL_FILE, load_ranker, sentence_features

from .fakes import Evidence, evidence

ROOT = Path(__file__).resolve().parents[2]


def scored(text: str, similarity: float, coverage: float, start: int = 0) -> Evidence:
    return replace(evidence(text, 0.0, start=start), similarity=similarity, coverage=coverage)


def test_features_are_one_row_per_sentence_in_order() -> None:
    number = scored("Nearly 3,000 Protestants were killed in Toulouse.", 0.6, 0.4)
    none = scored("Many Protestants fled Toulouse.", 0.7, 0.5, start=60)
    rows = sentence_features("How many Protestants were killed in Toulouse?", [number, none])
    assert rows.shape == (2, len(FEATURES))
    column = {name: rows[:, FEATURES.index(name)] for name in FEATURES}
    assert list(column["similarity"]) == [0.6, 0.7] and list(column["coverage"]) == [0.4, 0.5]
    assert list(column["passage_similarity"]) == [0.6, 0.6]  # the fake passages' cosine
    assert list(column["kind_match"]) == [1.0, -1.0]  # a number for "how many", and none
    assert sentence_features("Why did they flee?", [none])[0, FEATURES.index("kind_match")] == 0.0
    assert sentence_features("Why?", []).shape == (0, len(FEATURES))


def test_the_shipped_ranker_loads_and_rewards_every_feature() -> None:
    ranker = load_ranker()
    assert ranker is load_ranker(MODEL_FILE)  # read once per process
    assert set(ranker.weights) == set(FEATURES)
    assert all(weight > 0 for weight in ranker.weights.values())
    assert sum(abs(weight) for weight in ranker.weights.values()) == pytest.approx(1.0, abs=1e-3)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert MODEL_FILE.name in pyproject["tool"]["setuptools"]["package-data"]["assistant"]


def test_a_sentence_stating_the_asked_for_kind_outranks_an_equal_one_that_does_not() -> None:
    question = "How many Protestants were killed in Toulouse?"
    number = scored("Nearly 3,000 Protestants were killed in Toulouse.", 0.6, 0.5)
    none = scored("Protestants were killed in Toulouse as elsewhere.", 0.6, 0.5, start=60)
    scores = load_ranker().scores(question, [none, number])
    assert scores[1] > scores[0]
    closer = scored("Protestants were killed in Toulouse as elsewhere.", 0.7, 0.5, start=60)
    assert np.all(np.diff(load_ranker().scores("Why?", [none, closer])) > 0)


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "ranker.json"
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"weights": {"similarity": 0.5', "unreadable"),
        ("[1, 2]", "not a JSON object"),
        ("{}", "weights"),
        ('{"weights": {"shoe_size": 1.0}}', "unknown"),
        ('{"weights": {}}', "no features"),
        ('{"weights": {"similarity": NaN}}', "finite"),
        ('{"weights": {"similarity": "high"}}', "finite"),
    ],
)
def test_a_malformed_ranker_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(ModelFileError, match=rf"sentence ranker .*{message}.*fit_ranker\.py --write"):
        load_ranker(write(tmp_path, content))


def test_a_missing_ranker_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"missing: refit it with `python bench/fit_ranker\.py --write`"):
        load_ranker(tmp_path / "absent.json")


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    ranker = load_ranker(write(tmp_path, json.dumps({"weights": {"similarity": 0.6, "coverage": 0.4}})))
    assert ranker.as_dict() == {"weights": {"similarity": 0.6, "coverage": 0.4}}
