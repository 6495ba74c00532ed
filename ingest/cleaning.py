"""Find page furniture (navigation, tags, contents lists) without rewriting the text.

Cleaning returns the indices of boilerplate blocks; the text itself stays verbatim so
every offset a citation points at remains valid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.structure import Block

_NAVIGATION = re.compile(
    r"""^(?:
        (?:next|previous)\ page
      | page\ last\ (?:updated|reviewed)\b.*
      | last\ updated:?\ .*
      | categories
      | go\ to\ the\ latest\b.*
      | this\ is\ the\ .{1,40}\ edition\ of\b.*
      | back\ to\ top | skip\ to\ (?:main\ )?content | print\ this\ page | share\ this\ page
      | related\ (?:content|pages|links) | download\ (?:this\ )?(?:report|pdf|page).*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_LINK_LABELS = re.compile(r"^(?:next|previous) page$", re.IGNORECASE)
_CONTENTS = re.compile(r"^(?:contents|table of contents|on this page|in this section)$", re.IGNORECASE)
_SENTENCE_END = (".", "!", ":", ";")  # a title may be a question, so "?" does not end a label
_SHORT = 120
_CONTENTS_RUN = 5
_DIGIT = re.compile(r"\d")
_SECTION_NUMBER = re.compile(r"(?:[A-Z]?\d{1,3}(?:\.\d{1,3})*\.?|(?:chapter|part|section|annex|appendix) \w+)", re.I)
_DOT_LEADER = re.compile(r"\s*(?:\.{5,}|…{3,}|(?:\. ){5,})\s*")  # "Introduction ........ 3"
_PAGE_NUMBER = re.compile(r"(?:\d{1,4}|[ivxlc]{1,7})\b", re.IGNORECASE)  # matched whole, or opening a part
_LINK_NOTE = re.compile(r"\[\d{1,4}\]\s*https?://\S+(?:[;,]\s*https?://\S+)*")  # an endnote that is only its sources


def is_navigation(line: str) -> bool:
    """A line of page furniture such as `Next page` or `Page last updated: ...`."""
    return bool(_NAVIGATION.match(line.strip()))


def _is_short_label(text: str) -> bool:
    """A contents entry, link or tag: short, and not a statement."""
    stripped = text.strip().lstrip("-•*–· ").strip()
    return 0 < len(stripped) <= _SHORT and not stripped.endswith(_SENTENCE_END)


def _contents_entries(text: str, heading: bool = False) -> bool:
    """One or more contents entries, each a title, a dot leader and its page ("Introduction ....... 2 Background
    ....... 3"); a form's blank ("used by ........ (name of PHO)") has no page number after its dots. A heading
    is one only with its page number ("PHO NAME: ........" is a form's field set as a heading)."""
    parts = _DOT_LEADER.split(text.strip())
    if heading and not parts[-1]:
        return False
    return len(parts) > 1 and all(
        len(part) <= _SHORT and (index == 0 or not part or _PAGE_NUMBER.match(part)) for index, part in enumerate(parts)
    )


def _is_data_row(text: str) -> bool:
    """A table row with a figure past its first cell ("Grand total | £33,000", "3.8.1 | Partner member |
    Amended | 19.09.25", "Maxim | San Jose | 150 | Closure"): data, unlike a contents entry, whose cells are a
    number, a title and its page."""
    cells = [cell.strip() for cell in text.split(" | ")]
    if len(cells) > 3 or any(_DIGIT.search(cell) for cell in cells[1:-1]):
        return True
    if len(cells) > 1 and _DIGIT.search(cells[0]) and not _SECTION_NUMBER.fullmatch(cells[0]):
        return True  # "05-Jan-2014 | Glaucoma | Problem": a date, not a contents entry's "3.1 | Background | 9"
    return len(cells) > 1 and bool(_DIGIT.search(cells[-1])) and not _PAGE_NUMBER.fullmatch(cells[-1])


def boilerplate_blocks(text: str, blocks: Sequence[Block]) -> set[int]:
    """Indices of blocks that are navigation or page furniture rather than findings."""
    lines = [text[block.start : block.end].strip() for block in blocks]
    furniture = {
        index
        for index, block in enumerate(blocks)
        if block.kind == "furniture"
        or _contents_entries(lines[index], block.kind == "heading")
        or _LINK_NOTE.fullmatch(lines[index])
    }
    index = 0
    while index < len(blocks):
        line = lines[index]
        if _CONTENTS.match(line):
            furniture.add(index)
            index += 1
            while index < len(blocks) and _is_short_label(lines[index]):
                furniture.add(index)
                index += 1
            continue
        if _NAVIGATION.match(line):
            furniture.add(index)
            follows_label = _LINK_LABELS.match(line) or line.lower() == "categories"
            if follows_label and index + 1 < len(blocks) and _is_short_label(lines[index + 1]):
                furniture.add(index + 1)  # the linked page's title, or the category tag
                index += 1
        index += 1
    furniture |= _label_runs(lines, blocks)
    return furniture


def _label_runs(lines: Sequence[str], blocks: Sequence[Block]) -> set[int]:
    """Long runs of short unpunctuated lines are contents lists or link farms, not findings.

    List items never count: a report's bullet list of short points is evidence.
    """
    found: set[int] = set()
    run: list[int] = []
    for index, line in enumerate([*lines, "."]):  # the sentinel closes a trailing run
        if index < len(blocks) and blocks[index].kind != "bullet" and _is_short_label(line) and not _is_data_row(line):
            run.append(index)
            continue
        if len(run) >= _CONTENTS_RUN:
            found.update(run)
        run = []
    return found
