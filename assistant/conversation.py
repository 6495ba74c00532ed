"""Follow-up resolution: decide how much a question leans on the previous turn. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.lexical import tokenize

_FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|but|also|so|then|what about|how about|and what|what else|why|how come|"
    r"tell me more|more on|same for|is that|was that|were they|did they|do they)\b",
    re.IGNORECASE,
)
_REFERRING = re.compile(r"\b(?:they|them|their|theirs|it|its|this|that|these|those|there|he|she|his|her)\b", re.I)


@dataclass(frozen=True)
class ResolvedQuestion:
    """What to retrieve with: the question, plus the earlier question it depends on (if any)."""

    question: str
    context: str | None = None
    weight: float = 1.0  # share of the question itself in the blended query vector

    @property
    def search_text(self) -> str:
        return self.question if self.context is None else f"{self.question} {self.context}"

    @property
    def standalone(self) -> str:
        """The question as it reads on its own, away from the chat (a briefing): a follow-up names what it follows."""
        return self.question if self.context is None else f"{self.question} (following: {self.context})"


def is_follow_up(question: str) -> bool:
    return bool(_FOLLOW_UP_START.search(question) or _REFERRING.search(question))


def resolve(question: str, previous_questions: Sequence[str]) -> ResolvedQuestion:
    """Attach the previous question as context when this one is a follow-up.

    A follow-up with its own subject ("what about dentists?") keeps most of the weight; one
    with almost none ("why was that?") borrows most of its meaning from the previous turn.
    """
    if not previous_questions or not is_follow_up(question):
        return ResolvedQuestion(question)
    context = previous_questions[-1]
    own_words = len(tokenize(_REFERRING.sub(" ", _FOLLOW_UP_START.sub(" ", question))))
    weight = 0.6 if own_words >= 1 else 0.3
    return ResolvedQuestion(question, context, weight)


def standalone_questions(history: Sequence[tuple[str, str]]) -> list[str]:
    """Previous user questions, each already resolved against its own predecessors."""
    resolved: list[str] = []
    for question, _ in history:
        resolved.append(resolve(question, resolved).search_text)
    return resolved
