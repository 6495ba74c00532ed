"""Sentence spans inside a stretch of document text, as offsets (never copies), and how a quote is shown.

A quote is one or more whole sentences of the stored text, so the splitter must not stop at a line
wrap (`... is a completely` / `different thing.`) nor at an abbreviation (`e.g.`, `U.S.`, `J. Smith`).
It is a set of rules rather than a library: on a hand-checked gold set (bench/sentence_segmenters.py)
they score higher than pysbd, syntok and blingfire (alone or on the same pieces), and run about three
times faster than the fastest of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.structure import (  # one notion of a wrapped line for blocks and sentences
    _ROOM,
    _SHORT_LABEL,
    _WRAP_MAX,
    _ends_mid_sentence,
    _is_item,
    _Line,
    _lines,
    _marker_of,
    bullet_marker_length,
    looks_like_heading,
)

MIN_EVIDENCE_CHARS = 25

_TRIM = " \t\r\n\f\v\u00a0\u2028\u2029\x85"
_LINE_BREAK = re.compile(r"[\n\r\u2028\u2029\x0b\x0c\x85]")
# a sentence end: terminal marks, then any closing quotes, brackets or citation marks (`[1]`), then white space
_END = re.compile(r"(?P<marks>[.!?…]+)[\"'”’»)\]]*(?:\[[^\[\]]{1,30}\][\"'”’»)\]]*)*(?=\s)")
_OPENERS = "\"'“‘«([*_"

# abbreviations that precede a name, a number or more of the sentence, never end one
_NEVER_FINAL = frozenset(
    "mr mrs ms mx dr prof rev revd hon gen col capt cpt lt sgt cllr sen rep gov st mt ft vs v cf e.g i.e eg ie viz "
    "al approx ca incl esp nb lit".split()
)
# abbreviations before a number (`No. 13`, `p. 12`, `Fig. 3`, `3 Jan. 2021`); before a word they may end a sentence
_BEFORE_NUMBER = frozenset(
    "no nos p pp fig figs vol vols para paras sec ch art eq eqs ref refs tab s ss c op ed d b fl r "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# abbreviations that often end a sentence: a capitalised word after them starts the next one
_OFTEN_FINAL = frozenset("etc ltd inc plc llc corp".split())
# words that start sentences (not names): after `U.S.`, `Co.` or an initial they mean a new sentence
_STARTERS = frozenset(
    "the a an this that these those there here it its he she they we i you our their his her my your in on at "
    "for from by with after before during since when while where if although though but and or nor so yet however "
    "also as all some many most one two three no not other such each every both what which who how why then thus "
    "therefore overall further furthermore moreover meanwhile instead indeed finally despite following according "
    "only even until unless because once again similarly additionally consequently nevertheless nonetheless hence "
    "today".split()
)
_DOTTED = re.compile(r"(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}")
_JOINER = re.compile(r"[-–/]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end]: whole sentences, bullet markers and padding trimmed.

    Meant for one block at a time, where a line break is a wrap. On longer text a blank line, a new
    list item, a short heading-like line or an unwrapped line also end a sentence.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for piece_start, piece_end in _pieces(text, start, stop):
        cursor = piece_start + _marker_length(text, piece_start, piece_end)
        for sentence_end in _sentence_ends(text, cursor, piece_end):
            _append_trimmed(text, cursor, sentence_end, spans)
            cursor = sentence_end
        _append_trimmed(text, cursor, piece_end, spans)
    return spans


def _marker_length(text: str, start: int, end: int) -> int:
    """Length of the list marker a piece opens with (`  • `, `1. `), when it opens a line."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    if text[line_start:start].strip(_TRIM):
        return 0
    return bullet_marker_length(text[start:end])


def _pieces(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    """Stretches of text[start:stop] that no sentence crosses: split at blank lines, list items and
    lines that stand alone (a short heading-like line, a line longer than any hard wrap)."""
    if not _LINE_BREAK.search(text, start, stop):
        yield start, stop
        return
    lines = [
        _Line(line.start + start, line.end + start, line.content_start + start, line.content_end + start, line.hard_end)
        for line in _lines(text[start:stop])
    ]
    width = max(line.width for line in lines)
    piece_start = start
    previous: _Line | None = None
    marker: str | None = None  # the list marker the current piece starts with
    after_break = False
    for line in lines:
        if line.blank:
            after_break = previous is not None
            continue
        if previous is None:
            marker = _marker_of(text, line)
        elif after_break or _ends_piece(text, previous, line, marker, width):
            yield piece_start, previous.content_end
            # a list goes on until a blank line, through an item's lazy continuation lines
            piece_start, marker = line.start, _marker_of(text, line) or (None if after_break else marker)
        previous, after_break = line, line.hard_end
    yield piece_start, stop


def _ends_piece(text: str, previous: _Line, line: _Line, marker: str | None, width: int) -> bool:
    """Whether the line break between two non-blank lines ends a sentence whatever precedes it."""
    if _is_item(text, previous, line, marker, width):
        return True
    before = text[previous.content_start : previous.content_end]
    after = text[line.content_start : line.content_end].lstrip(_OPENERS)
    if not after or not (after[0].isupper() or after[0].isdigit()) or _ends_mid_sentence(before):
        return False
    if previous.width > _WRAP_MAX:
        return True  # no program wraps this wide: the line is a whole paragraph
    unindented_after_item = bool(bullet_marker_length(previous.text(text))) and line.content_start == line.start
    if not (looks_like_heading(before) or unindented_after_item):
        return False  # a paragraph's line: the line break is a wrap
    word = after.split(None, 1)[0]
    return len(before) <= _SHORT_LABEL or previous.width + 1 + len(word) <= _ROOM * width


def _sentence_ends(text: str, start: int, stop: int) -> Iterator[int]:
    """Offsets just past each sentence-ending mark (and its closing quotes) inside text[start:stop]."""
    for match in _END.finditer(text, start, stop):
        position = match.end()
        while position < stop and text[position].isspace():
            position += 1
        while position < stop and text[position] in _OPENERS:
            position += 1
        if position < stop and _starts_sentence(text[position]) and _ends_sentence(text, start, match, position):
            yield match.end()


def _starts_sentence(first: str) -> bool:
    return first.isupper() or first.isdigit() or first in "£$€#"


def _ends_sentence(text: str, start: int, match: re.Match[str], following: int) -> bool:
    """Whether a full stop ends its sentence rather than an abbreviation or initial (`?`, `!`, `…` always do)."""
    if match.group("marks") != ".":
        return True
    word_start = match.start()
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    token = _JOINER.split(text[word_start : match.start()].lstrip(_OPENERS))[-1]  # `Trinity-St.` ends in `St.`
    if not token[:1].isalpha():
        return True  # `2020.`, `3.5.`, `(1879).`
    if len(token) == 1 and token.isupper():
        return _starts_with_starter(text, following)  # `J. Smith`, `J. A. Hobson` but `Plan B. The`
    lower = token.lower()
    if lower in _NEVER_FINAL:
        return False
    if lower in _BEFORE_NUMBER:
        return not text[following].isdigit()
    if lower in _OFTEN_FINAL:
        return True
    if _DOTTED.fullmatch(token):
        return token.islower() or _starts_with_starter(text, following)  # `5 p.m. Staff`, `U.S. Secretary`
    if lower in ("co", "jr", "sr"):
        return _starts_with_starter(text, following)  # `Co. Durham`
    return True


def _starts_with_starter(text: str, position: int) -> bool:
    """Whether the word at `position` is one that starts sentences (`The`, `In`), not a name or an initial."""
    end = position
    while end < len(text) and text[end].isalpha():
        end += 1
    if end == position + 1 and text[end : end + 1] == ".":
        return False  # `A.` or `I.` is one more initial, not the article or the pronoun
    return text[position:end].lower() in _STARTERS


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if end > start:
        spans.append((start, end))


# what follows a line-end hyphen when typesetting split a word (`develop-` / `ment`): fragments that
# are not words of their own. Anything else after a line-end hyphen is a compound's own hyphen.
_WORD_ENDINGS = frozenset(
    "ment ments mental tion tions tional sion sions ing ings ity ities ness nesses ance ances ence ences ency ancy "
    "ible ibly able ably ous ously ive ives ively ation ations ically ical ary ory ories aries ial ially tive tives "
    "ture tures ist ists ism isms ise ised ises ising ize ized izes izing ful fully less lessly ship ships hood ed er "
    "ers est ly al ally ic ics ent ents ant ants ure ures".split()
)
_MARKDOWN_EMPHASIS = re.compile(r"(?<!\w)(\*\*|`)(?=\S)(.+?)(?<=\S)\1(?!\w)")  # `__` is left: it is in code (__init__)
_MARKDOWN_LINK = re.compile(r"!?\[([^\]\n]+)\]\([^)\s]+\)")
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])(?:-|\u00ad)[ \t]*(?:\r\n|[\n\r\u2028])\s*(?=(\w+))")


def as_prose(quote: str) -> str:
    """A verbatim quote as it is shown: white space (line breaks included) folded to single spaces, words
    that hyphenation split at a line end joined again, and Markdown's inline markup (`**bold**`, `` `code` ``,
    `[link](url)`) shown as the words it marks up.

    The rule, needing no dictionary: a hyphen at a line end is dropped only when what follows is a
    lower-case word ending that is no word of its own (`develop-` `ment` -> `development`, `informa-`
    `tion` -> `information`); otherwise it is a compound's hyphen and stays (`well-` `known` ->
    `well-known`, `COVID-` `19` -> `COVID-19`). A soft hyphen (U+00AD) is always dropped.
    """
    text = _LINE_END_HYPHEN.sub(_rejoin, quote)
    text = _MARKDOWN_LINK.sub(r"\1", _MARKDOWN_EMPHASIS.sub(r"\2", text))
    return " ".join(text.replace("\u00ad", "").split())


def _rejoin(match: re.Match[str]) -> str:
    if match.group().startswith("\u00ad"):
        return ""
    return "" if match.group(1) in _WORD_ENDINGS else "-"
