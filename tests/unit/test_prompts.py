from __future__ import annotations

from pathlib import Path

import pytest

from assistant.prompts import EXPECTED_VARIABLES, PromptError, load_prompt, template_variables

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


@pytest.mark.parametrize("name", sorted(EXPECTED_VARIABLES))
def test_prompt_files_use_exactly_their_variables(name: str) -> None:
    text = (PROMPTS / f"{name}.txt").read_text(encoding="utf-8")
    assert template_variables(text) == EXPECTED_VARIABLES[name]
    rendered = load_prompt(name).format(question="Q?", context="none", passages="<passage n=1>x</passage>")
    assert "Q?" in rendered and "{" not in rendered


def test_every_prompt_file_is_known() -> None:
    assert {path.stem for path in PROMPTS.glob("*.txt")} == set(EXPECTED_VARIABLES)


def test_unknown_prompt_is_an_error() -> None:
    with pytest.raises(PromptError):
        load_prompt("nope")
