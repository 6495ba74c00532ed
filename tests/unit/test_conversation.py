from __future__ import annotations

import pytest

from assistant.conversation import is_follow_up, resolve, standalone_questions


@pytest.mark.parametrize(
    ("question", "follow_up"),
    [
        ("What about dentists?", True),
        ("Why was that?", True),
        ("And care homes?", True),
        ("Did they feel included?", True),
        ("Which NHS ambulance service employed pharmacists?", False),
        ("How did local businesses help community pharmacies?", False),
    ],
)
def test_is_follow_up(question: str, follow_up: bool) -> None:
    assert is_follow_up(question) is follow_up


def test_standalone_question_is_left_alone() -> None:
    resolved = resolve("When was the Sussex ICS formed?", ["What helped care homes in Devon?"])
    assert resolved.context is None and resolved.search_text == "When was the Sussex ICS formed?"
    assert resolved.standalone == "When was the Sussex ICS formed?"


def test_follow_up_with_its_own_subject_keeps_most_weight() -> None:
    resolved = resolve("What about dentists?", ["Did adult social care providers feel included?"])
    assert resolved.context == "Did adult social care providers feel included?"
    assert resolved.weight > 0.5
    assert "dentists" in resolved.search_text and "adult social care" in resolved.search_text
    assert resolved.standalone == "What about dentists? (following: Did adult social care providers feel included?)"


def test_follow_up_without_a_subject_leans_on_the_previous_question() -> None:
    resolved = resolve("Why was that?", ["Why did care homes feel isolated?"])
    assert resolved.weight < 0.5


def test_history_is_resolved_turn_by_turn() -> None:
    history = [("Did adult social care providers feel included?", "..."), ("What about dentists?", "...")]
    questions = standalone_questions(history)
    assert questions[0] == "Did adult social care providers feel included?"
    assert "dentists" in questions[1] and "adult social care" in questions[1]
