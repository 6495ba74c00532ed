"""Prompt templates from `prompts/`, loaded once and checked for exactly their expected variables."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from langchain_core.prompts import BasePromptTemplate, PromptTemplate

CANNOT_ANSWER = "I cannot answer this from the documents."
EXPECTED_VARIABLES = {
    "answer": {"question", "passages", "context", "cannot_answer"},
}


class PromptError(ValueError):
    """A prompt file is missing or uses variables the code does not fill."""


def template_variables(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def load_prompt(name: str) -> BasePromptTemplate:
    """The named prompt; fails at start-up, not mid-answer, when its variables drift."""
    if name not in EXPECTED_VARIABLES:
        raise PromptError(f"unknown prompt '{name}'")
    try:
        text = resources.files("prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"prompt file prompts/{name}.txt is missing") from None
    found = template_variables(text)
    if found != EXPECTED_VARIABLES[name]:
        raise PromptError(f"prompts/{name}.txt uses {sorted(found)}; expected {sorted(EXPECTED_VARIABLES[name])}")
    return PromptTemplate.from_template(text).partial(cannot_answer=CANNOT_ANSWER)
