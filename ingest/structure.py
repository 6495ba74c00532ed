"""The shared vocabulary of ingest: blocks of a document's text and the document itself.

Every span is a pair of offsets into `LoadedDocument.text`, which is stored verbatim,
so anything derived from a span (chunks, quotes) can be checked against the source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

BlockKind = Literal["heading", "paragraph", "bullet", "furniture"]  # furniture: running headers, page numbers

_BULLET = re.compile(r"^[ \t]*(?:[•◦▪‣●*\-–]|\d{1,2}[.)])[ \t]+")
_TERMINAL = (".", "!", "?", ":", ";", ",", "…", '"', "”", ")")


class LoadError(ValueError):
    """A file that cannot become a document; the message is one line for the user."""


def one_line(error: BaseException) -> str:
    """A library's error message, folded to one short line for a LoadError's reason."""
    message = " ".join(str(error).split()) or type(error).__name__
    return message[:160]


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


_LIGATURES = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}  # ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ


def unfold_ligatures(text: str) -> str:
    """`ﬁ` -> `fi`: a ligature is typesetting, and a question typed with `fi` must find the word."""
    return text.translate(_LIGATURES)


BULLET = "• "


class TextBuilder:
    """Concatenate extracted pieces into one text (blank line between pieces) while recording each piece's block."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []

    def add(self, piece: str, kind: BlockKind, level: int = 0) -> None:
        piece = " ".join(unfold_ligatures(piece).split())
        if not piece:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        if kind == "bullet" and not bullet_marker_length(piece):
            self.parts.append(BULLET)  # the item reads as one in the text, as in a PDF; the block is its words
            self.length += len(BULLET)
        self.blocks.append(Block(kind, self.length, self.length + len(piece), level))
        self.parts.append(piece)
        self.length += len(piece)

    def text(self) -> str:
        return "".join(self.parts)


# --- plain-text and Markdown segmentation ---------------------------------------------------
#
# A line break inside a paragraph is a wrap, not a boundary: a quote is only ever whole sentences
# of one block, so a block must never end in the middle of a sentence.

# Words a heading or a paragraph does not end on: a line ending with one was wrapped mid-sentence.
_CONTINUATION_WORDS = frozenset(
    "a an the of to for by from with into onto upon than and or nor but that which whose whom whether because "
    "although though while if as was were been being had has have is will would can could should may might must "
    "shall not their its our his her my your such very between including per via within without among across "
    "during towards toward in on at over under about after before around through against beyond since until".split()
)
_CONTINUATION_CHARS = (",", "-", "–", "—", "/", "&", "(", "[", "+")
_LEAD_IN_OR_END = re.compile(r"[.!?…:;][\"'”’)\]]*(?:\[\d+\])*$")  # a line that closes a sentence or introduces a list
_WRAP_MAX = 130  # hard-wrapped text is narrower than this; longer lines are whole paragraphs
_WRAP_EVIDENCE = 3  # lines needed before a document's wrap width is trusted
_NUMBERED = re.compile(r"[ \t]*(\d{1,2})[.)]")
_DASH_MARKERS = ("-", "–")
_ROOM = 0.8  # a line break mid-sentence is the author's only when the next word had this much room
_SHORT_LABEL = 40  # a heading-like line this short is a line of its own even where the margin is unknown

_MD_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)$")
_MD_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_MD_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_ITEM = re.compile(r"([ \t]*)(?:([-*+•◦▪‣●])|(\d{1,9})[.)])[ \t]+\S")
_MD_HTML = re.compile(
    r" {0,3}<(?:!--|/?(?:div|p|img|br|hr|table|details|summary|section|center|picture|source|figure|iframe|script"
    r"|style|pre|textarea|noscript|template|h[1-6]|ul|ol|li|video|svg|object|embed)\b)",
    re.IGNORECASE,
)
# Raw-text elements run to their closing tag, blank lines and all (CommonMark HTML block type 1, plus the
# elements whose content a page never shows): code or hidden text after a blank line is not prose to quote.
_MD_RAW_HTML = re.compile(r" {0,3}<(script|style|pre|textarea|iframe|noscript|template)\b", re.IGNORECASE)
_MD_TABLE_RULE = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_MD_MEDIA_ONLY = re.compile(  # images, badges, comments and link definitions with no prose around them
    r"(?:\s*(?:\[?!\[[^\]]*\]\([^)]*\)(?:\]\([^)]*\))?|<!--.*?-->|\[[^\]]+\]:[ \t]*\S+[^\n]*))+\s*", re.S
)


@dataclass(frozen=True)
class _Line:
    """One line of a text: offsets of the whole line and of its non-blank content (relative to the text)."""

    start: int
    end: int  # before the line break
    content_start: int
    content_end: int
    hard_end: bool  # ends with a paragraph separator (U+2029) or form feed: a boundary like a blank line

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    @property
    def blank(self) -> bool:
        return self.content_start >= self.content_end

    @property
    def width(self) -> int:
        return self.content_end - self.start  # indentation counts, as it does for the wrapping program


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")
        start, end = offset, offset + len(body)
        stripped = body.strip()
        content_start = start + (body.index(stripped[0]) if stripped else len(body))
        content_end = content_start + len(stripped)
        lines.append(_Line(start, end, content_start, content_end, raw.endswith(("\u2029", "\x0c"))))
        offset += len(raw)
    return lines


def bullet_marker_length(line: str) -> int:
    """Length of a leading bullet marker (`  • `, `- `, `1. `), 0 when the line is no bullet."""
    match = _BULLET.match(line)
    return match.end() if match else 0


def looks_like_heading(line: str) -> bool:
    """Plain-text heading heuristic: a short single line that does not end like a sentence, nor
    on a word or mark that a sentence continues after (`... provided by the`)."""
    stripped = line.strip()
    if not stripped or len(stripped) > 160 or bullet_marker_length(line):
        return False
    if stripped.endswith(_TERMINAL) or _ends_mid_sentence(stripped):
        return False
    first = stripped[0]
    return first.isupper() or first.isdigit()


def _ends_mid_sentence(stripped: str) -> bool:
    """A line ending on a comma, dash or function word: whatever follows continues its sentence."""
    if stripped.endswith(_CONTINUATION_CHARS):
        return True
    last = stripped.rsplit(None, 1)[-1]
    return last.islower() and last in _CONTINUATION_WORDS


def _first_word(stripped: str) -> str:
    return stripped.split(None, 1)[0] if stripped else ""


def _wrap_width(text: str, lines: list[_Line]) -> int | None:
    """The column a hard-wrapped text was wrapped at, or None when its lines are whole paragraphs.

    Measured on lines followed by another line of the same block (a wrap happened there); a text
    counts as wrapped when enough of them reach close to one common width below `_WRAP_MAX`.
    """
    widths = sorted(
        line.width
        for line, following in pairwise(lines)
        if not line.blank
        and not line.hard_end
        and not following.blank
        and not bullet_marker_length(following.text(text))
    )
    if len(widths) < _WRAP_EVIDENCE:
        return None
    width = widths[-(-9 * (len(widths) - 1) // 10)]  # the 90th percentile: a stray long line is not the margin
    near = sum(1 for value in widths if value >= 0.75 * width)
    return width if width <= _WRAP_MAX and 2 * near >= len(widths) else None


def _next_word_fits(text: str, line: _Line, following: _Line, width: int | None, share: float = 1.0) -> bool:
    """Whether the next line's first word would have fitted on this line (within `share` of the width):
    then the line break was the author's, not the wrapping program's."""
    if width is None:
        return True
    word = _first_word(text[following.content_start : following.content_end])
    return line.width + 1 + len(word) <= share * width


def _is_item(text: str, previous: _Line, line: _Line, block_marker: str | None, width: int | None) -> bool:
    """A bullet or numbered line that starts a new item, rather than the wrapped tail of a sentence that
    happens to begin with `65.` or `– 3 October`: after a line that ends mid-sentence, a number or dash
    starts an item only in a list already, as `1.`, or after a heading-like line that had room for it."""
    content = line.text(text)
    if not bullet_marker_length(content):
        return False
    before = text[previous.content_start : previous.content_end]
    if _LEAD_IN_OR_END.search(before):
        return True
    numbered = _NUMBERED.match(content)
    if numbered and (block_marker is not None or int(numbered.group(1)) == 1):
        return True
    if not numbered and content.lstrip()[0] not in _DASH_MARKERS:
        return True  # `•`, `*` and the like are never a wrapped sentence's tail
    if not numbered and content.lstrip()[0] == block_marker:
        return True
    if width is None:  # unknown margin: only a short heading can be trusted to have had room
        return looks_like_heading(before) and len(before) <= _SHORT_LABEL
    return looks_like_heading(before) and _next_word_fits(text, previous, line, width, _ROOM)


def _marker_of(text: str, line: _Line) -> str | None:
    """The bullet character (or `1` for numbers) a line starts with, None for other lines."""
    content = line.text(text)
    if not bullet_marker_length(content):
        return None
    first = content.lstrip()[0]
    return "1" if first.isdigit() else first


def segment_plain_text(text: str, base: int = 0, *, detect_headings: bool = True) -> list[Block]:
    """Split plain text into heading, bullet and paragraph blocks (headings: single heading-like lines).

    A blank line ends a block and a bullet line starts one. Any other line break is a wrap (the block
    goes on) when the next line starts in lower case or this one ends on a comma or function word
    (`... provided by the` / `NHS in 2020.`). Beyond that, text with one paragraph per line breaks at
    every line, while hard-wrapped text breaks only where the next line's first word would have fitted
    on this one: easily, after a line ending mid-sentence (a heading, or a paragraph without a full stop).
    """
    lines = _lines(text)
    width = _wrap_width(text, lines)
    blocks: list[Block] = []
    current: list[_Line] = []
    marker: str | None = None

    def close() -> None:
        if not current:
            return
        first, last = current[0], current[-1]
        start, end = base + first.content_start, base + last.content_end
        if marker is not None:
            blocks.append(Block("bullet", start, end))
        elif detect_headings and len(current) == 1 and looks_like_heading(first.text(text)):
            blocks.append(Block("heading", start, end, level=2))
        else:
            blocks.append(Block("paragraph", start, end))

    after_break = True
    for line in lines:
        if line.blank:
            after_break = True
            continue
        previous = current[-1] if current else None
        if previous is None or after_break or _is_item(text, previous, line, marker, width):
            close()
            current, marker = [line], _marker_of(text, line)
        elif bullet_marker_length(line.text(text)) or _wraps(text, previous, line, width, marker, len(current) == 1):
            current.append(line)  # (a marker that is no item is a wrapped sentence's `– this ...`)
        else:
            close()
            current, marker = [line], None
        after_break = line.hard_end
    close()
    return blocks


def _wraps(text: str, previous: _Line, line: _Line, width: int | None, marker: str | None, single: bool) -> bool:
    """Whether `line` continues the block whose last line is `previous` (neither blank nor an item)."""
    before = text[previous.content_start : previous.content_end]
    after = text[line.content_start : line.content_end]
    if after[0].islower() or _ends_mid_sentence(before):
        return True
    if marker is not None and line.content_start > line.start:
        return True  # an indented line under a bullet is that bullet's wrapped text
    if width is None or previous.width > width:
        return False  # one paragraph per line (or a line the wrapping left alone): the break was the author's
    if _LEAD_IN_OR_END.search(before):
        return not _next_word_fits(text, previous, line, width)
    # a one-line heading or list item without a full stop had room to spare; a paragraph's last line needs more
    label = single and (marker is not None or looks_like_heading(before))
    return not _next_word_fits(text, previous, line, width, 1.0 if label else _ROOM)


def segment_markdown(text: str) -> list[Block]:
    """Markdown blocks, CommonMark-style: consecutive lines form one paragraph (hard wraps inside), a list
    item with its indented or lazy continuation lines is one bullet, ATX (`#`) and setext (`===`/`---`)
    headings keep their level. A fenced code block is a paragraph of its inner lines (a command can be the
    answer). Indented code, YAML front matter, tables, HTML blocks and comments, link definitions and
    image-only paragraphs are `furniture`: never prose to quote.
    """
    lines = _lines(text)
    blocks: list[Block] = []
    current: list[_Line] = []
    current_kind: BlockKind = "paragraph"
    in_list = False  # the last block was a list item, so an indented paragraph belongs to it (not code)

    def close() -> None:
        nonlocal current, in_list
        if current:
            kind = current_kind
            body = text[current[0].content_start : current[-1].content_end]
            if kind == "paragraph" and (_is_table(text, current) or _MD_MEDIA_ONLY.fullmatch(body)):
                kind = "furniture"
            blocks.append(Block(kind, current[0].content_start, current[-1].content_end))
            in_list = kind == "bullet" or (in_list and kind == "paragraph")
        current = []

    def furniture(first: _Line, last: _Line) -> None:
        nonlocal in_list
        close()
        if first.content_start < last.content_end:
            blocks.append(Block("furniture", first.content_start, last.content_end))
        in_list = False

    index = _front_matter_end(text, lines)
    if index:
        furniture(lines[0], lines[index - 1])
    while index < len(lines):
        line = lines[index]
        content = line.text(text)
        index += 1
        if line.blank:
            close()
            continue
        fence = _MD_FENCE.match(content)
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            end = _fence_end(text, lines, index, fence.group(1))
            closed = end > index and _MD_FENCE.match(lines[end - 1].text(text)) is not None
            code = [inner for inner in lines[index : end - 1 if closed else end] if not inner.blank]
            close()
            if code:  # a command or an example can be the answer: the code itself, without its fences
                blocks.append(Block("paragraph", code[0].content_start, code[-1].content_end))
            in_list = False
            index = end
            continue
        indent = len(content.expandtabs(4)) - len(content.expandtabs(4).lstrip())
        if indent >= 4 and not current and not in_list:
            end = index
            while end < len(lines) and (lines[end].blank or lines[end].text(text).expandtabs(4).startswith("    ")):
                end += 1
            furniture(line, _last_non_blank(lines, index - 1, end))
            index = end
            continue
        heading = _MD_ATX.match(content) if indent < 4 else None
        if heading:
            close()
            if heading.group(2):
                start = line.start + heading.start(2)
                blocks.append(Block("heading", start, line.start + heading.end(2), len(heading.group(1))))
            in_list = False
            continue
        underline = _MD_SETEXT.match(content)
        if underline and current and current_kind == "paragraph" and not _is_table(text, current):
            level = 1 if underline.group(1)[0] == "=" else 2
            blocks.append(Block("heading", current[0].content_start, current[-1].content_end, level))
            current = []
            in_list = False
            continue
        if _MD_BREAK.match(content):
            close()
            in_list = False
            continue
        if _MD_HTML.match(content):
            end = index
            raw = _MD_RAW_HTML.match(content)
            if content.lstrip().startswith("<!--"):
                while end < len(lines) and "-->" not in text[line.start : lines[end - 1].end]:
                    end += 1
            elif raw:
                closing = f"</{raw.group(1).lower()}"
                while end < len(lines) and closing not in lines[end - 1].text(text).lower():
                    end += 1
            else:
                while end < len(lines) and not lines[end].blank:
                    end += 1
            furniture(line, _last_non_blank(lines, index - 1, end))
            index = end
            continue
        item = _MD_ITEM.match(content)
        nested = current_kind == "bullet" if current else in_list  # deeper items may be indented further
        if (
            item
            and (len(item.group(1).expandtabs(4)) < 4 or nested)
            and not (current and current_kind == "paragraph" and item.group(3) and int(item.group(3)) != 1)
        ):
            close()  # an ordered item interrupts a paragraph only when it counts from 1: `...aged\n65. Staff`
            current, current_kind = [line], "bullet"
            continue
        if not current:
            current_kind = "paragraph"
        current.append(line)
    close()
    return blocks


def _front_matter_end(text: str, lines: list[_Line]) -> int:
    """Index of the line after a YAML front matter block (`---` ... `---` at the very top), else 0."""
    if not lines or lines[0].text(text).rstrip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].text(text).rstrip() in ("---", "..."):
            return index + 1
    return 0


def _fence_end(text: str, lines: list[_Line], index: int, opening: str) -> int:
    """Index of the line after the fence closing `opening` (or the end: an unclosed fence runs on)."""
    closing = re.compile(r" {0,3}" + re.escape(opening[0]) + "{" + str(len(opening)) + r",}[ \t]*$")
    for end in range(index, len(lines)):
        if closing.match(lines[end].text(text)):
            return end + 1
    return len(lines)


def _last_non_blank(lines: list[_Line], first: int, end: int) -> _Line:
    for index in range(end - 1, first, -1):
        if not lines[index].blank:
            return lines[index]
    return lines[first]


def _is_table(text: str, lines: list[_Line]) -> bool:
    """A GFM table: a header row with pipes, then a `|---|---|` rule."""
    return len(lines) >= 2 and "|" in lines[0].text(text) and bool(_MD_TABLE_RULE.match(lines[1].text(text)))
