"""Staff's words for what a review calls something else: glossary synonyms and abbreviations. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.lexical import tokenize

BUNDLED_GLOSSARY = Path(__file__).with_name("glossary.txt")
_LINKING_WORDS = frozenset({"and", "of", "the", "for", "&"})


@dataclass(frozen=True)
class Glossary:
    """Groups of equivalent terms ("covid-19 | coronavirus | pandemic")."""

    groups: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def parse(cls, text: str) -> Glossary:
        groups = []
        for line in text.splitlines():
            terms = tuple(dict.fromkeys(term.strip().lower() for term in line.split("#")[0].split("|")))
            terms = tuple(term for term in terms if term)
            if len(terms) > 1:
                groups.append(terms)
        return cls(tuple(groups))

    @classmethod
    def load(cls, path: Path) -> Glossary:
        return cls.parse(path.read_text(encoding="utf-8"))

    def variants(self, text: str, limit: int = 8) -> list[str]:
        """The text, then the text with each glossary term it uses swapped for each equivalent.

        Equivalents that differ only by inflection ("pharmacies" for "pharmacy"), or that contain
        the term used ("covid" for "covid-19"), add nothing and are skipped.
        """
        found = [text]
        for group in self.groups:
            used = max((_find(term, text) for term in group), key=_length)
            if used is None:
                continue
            seen = [frozenset(tokenize(used.group()))]
            for term in group:
                words = frozenset(tokenize(term))
                if not any(words <= other or other <= words for other in seen):
                    seen.append(words)
                    found.append(f"{text[: used.start()]}{term}{text[used.end() :]}")
        return found[:limit]


def _find(term: str, text: str) -> re.Match[str] | None:
    return re.search(rf"(?<![\w&-]){re.escape(term)}(?![\w&-])", text, re.IGNORECASE)


def _length(match: re.Match[str] | None) -> int:
    return len(match.group()) if match else -1


def abbreviates(short: str, words: Sequence[str]) -> bool:
    """Whether `short` abbreviates a run of `words` (in text order, case kept).

    An acronym takes word initials, or letters of an acronym inside the run ("NHSE" = "NHS
    England", "BLMK" = "Bedfordshire, Luton and Milton Keynes"); linking words may be skipped.
    A shortened word shares the long word's first three letters and the rest of its letters in
    order ("Lincs" = "Lincolnshire"). Stricter than Schwartz and Hearst's subsequence test, so
    "NWAS" is not read as "NHS Wales".
    """
    if len(short) < 2:
        return False
    if short.isupper():
        return any(_acronym_at(short.lower(), words, start) for start in range(len(words)))
    lowered = short.lower()
    return len(lowered) >= 4 and any(
        len(word) > len(lowered) and word.lower().startswith(lowered[:3]) and _in_order(lowered[3:], word.lower()[3:])
        for word in words
    )


def _acronym_at(letters: str, words: Sequence[str], start: int) -> bool:
    """Match the letters from words[start] on: each word used gives its initial, an all-capitals
    word may give more of its letters, and linking words between may be skipped."""
    position = start
    remaining = letters
    while remaining:
        if position >= len(words):
            return False
        word = words[position]
        if word[0].lower() == remaining[0]:
            taken = 1
            if word.isupper():
                while taken < len(word) and taken < len(remaining) and word[taken].lower() == remaining[taken]:
                    taken += 1
            remaining = remaining[taken:]
        elif position == start or word.lower() not in _LINKING_WORDS:
            return False
        position += 1
    return position - start > 1 or words[start].lower() != letters


def _in_order(letters: str, word: str) -> bool:
    characters = iter(word)
    return all(letter in characters for letter in letters)
