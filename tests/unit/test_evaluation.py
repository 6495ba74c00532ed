"""Question-set parsing and gold matching: `contains` and SQuAD-style `contains_any`."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation import GoldEvidence, QAItem, first_hit_rank, hits, load_question_set


def test_contains_and_contains_any_are_both_read(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "Who?", "evidence": [{"source": "d.txt", "contains": "North West"}]}\n'
        '{"id": "b", "question": "When?", "evidence": [{"source": "s.txt", "contains_any": ["1973", "in 1973"]}]}\n',
        encoding="utf-8",
    )
    first, second = load_question_set(questions)
    assert first.evidence == (GoldEvidence("d.txt", ("North West",)),)
    assert second.evidence == (GoldEvidence("s.txt", ("1973", "in 1973")),)


@pytest.mark.parametrize("bad", ['"contains_any": "1973"', '"contains_any": []', '"phrase": "x"'])
def test_malformed_gold_is_a_line_error(tmp_path: Path, bad: str) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text(f'{{"question": "When?", "evidence": [{{"source": "s.txt", {bad}}}]}}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl line 1"):
        load_question_set(questions)


@pytest.mark.parametrize(
    ("source", "text", "expected"),
    [
        ("s.txt", "The crisis began in October  1973.", True),  # whitespace folded
        ("s.txt", "THE OIL EMBARGO was lifted", True),  # case folded, second variant
        ("other.txt", "began in 1973", False),  # right phrase, wrong document
        ("s.txt", "began in 1974", False),
    ],
)
def test_any_variant_from_the_right_source_hits(source: str, text: str, expected: bool) -> None:
    gold = GoldEvidence("s.txt", ("october 1973", "oil embargo"))
    assert hits(gold, source, text) is expected


def test_first_hit_rank_is_one_based() -> None:
    item = QAItem("x", "When?", True, (GoldEvidence("s.txt", ("1973",)),))
    assert first_hit_rank(item, [("s.txt", "no"), ("s.txt", "in 1973")]) == 2
    assert first_hit_rank(item, [("s.txt", "no")]) is None
