"""The shared vocabulary of ingest: blocks of a document's text and the document itself.

Every span is a pair of offsets into `LoadedDocument.text`, which is stored verbatim,
so anything derived from a span (chunks, quotes) can be checked against the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "bullet"]

_BULLET = re.compile(r"^[ \t]*(?:[•◦▪‣●*\-–]|\d{1,2}[.)])[ \t]+")
_TERMINAL = (".", "!", "?", ":", ";", ",", "…", '"', "”", ")")


@dataclass(frozen=True)
class Block:
    """One structural unit of a document: a heading line, a paragraph or a bullet."""

    kind: BlockKind
    start: int
    end: int
    level: int = 0  # heading depth (1 = top); 0 for non-headings


@dataclass(frozen=True)
class LoadedDocument:
    """A document's stored text plus what the loader learnt of its structure."""

    text: str
    title: str
    blocks: tuple[Block, ...]
    page_starts: tuple[int, ...] = field(default=())  # offset where each PDF page begins

    def page_at(self, offset: int) -> int | None:
        """1-based page containing `offset`, or None for formats without pages."""
        if not self.page_starts:
            return None
        page = 0
        for number, start in enumerate(self.page_starts):
            if start <= offset:
                page = number
            else:
                break
        return page + 1


def bullet_marker_length(line: str) -> int:
    """Length of a leading bullet marker (`  • `, `- `, `1. `), 0 when the line is no bullet."""
    match = _BULLET.match(line)
    return match.end() if match else 0


def looks_like_heading(line: str) -> bool:
    """Plain-text heading heuristic: a short single line that does not end like a sentence."""
    stripped = line.strip()
    if not stripped or len(stripped) > 160 or bullet_marker_length(line):
        return False
    if stripped.endswith(_TERMINAL):
        return False
    first = stripped[0]
    return first.isupper() or first.isdigit()


def segment_plain_text(text: str, base: int = 0, *, detect_headings: bool = True) -> list[Block]:
    """Split plain text into blocks: each non-empty line is a heading, bullet or paragraph.

    A line that directly follows a paragraph line ending mid-sentence (hard-wrapped text)
    continues that paragraph.
    """
    blocks: list[Block] = []
    offset = 0
    previous_blank = True
    for raw_line in text.splitlines(keepends=True):
        line = raw_line.rstrip("\r\n")
        line_start, offset = offset, offset + len(raw_line)
        stripped = line.strip()
        if not stripped:
            previous_blank = True
            continue
        start = base + line_start + (len(line) - len(line.lstrip()))
        end = base + line_start + len(line.rstrip())
        previous = blocks[-1] if blocks else None
        if bullet_marker_length(line):
            blocks.append(Block("bullet", start, end))
        elif (
            previous is not None
            and not previous_blank
            and text[previous.end - base - 1].isalnum()
            and stripped[0].islower()
        ):  # a "heading" that wraps onto a lower-case line was a hard-wrapped paragraph's first line
            blocks[-1] = Block("paragraph" if previous.kind == "heading" else previous.kind, previous.start, end)
        elif detect_headings and looks_like_heading(line):
            blocks.append(Block("heading", start, end, level=2))
        else:
            blocks.append(Block("paragraph", start, end))
        previous_blank = False
    return blocks


def segment_markdown(text: str) -> list[Block]:
    """Markdown blocks: only ATX (`#`) lines are headings and they keep their level."""
    blocks: list[Block] = []
    offset = 0
    pending_start: int | None = None
    for raw_line in text.splitlines(keepends=True):
        line = raw_line.rstrip("\r\n")
        heading = re.match(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", line)
        if heading:
            if pending_start is not None:
                blocks += segment_plain_text(text[pending_start:offset], pending_start, detect_headings=False)
                pending_start = None
            level = len(heading.group(1))
            blocks.append(Block("heading", offset + heading.start(2), offset + heading.end(2), level))
        elif pending_start is None:
            pending_start = offset
        offset += len(raw_line)
    if pending_start is not None:
        blocks += segment_plain_text(text[pending_start:], pending_start, detect_headings=False)
    return blocks
