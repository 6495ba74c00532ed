"""Read a PDF into logical text: reading order, joined paragraphs, real headings, page furniture set apart.

Citations quote `LoadedDocument.text` verbatim, so the text must read like the document, not like its
drawing instructions. The engine is PDFium through pypdfium2 (Apache-2.0 / BSD-3), chosen by measurement
(bench/pdf_engines.py): it is by far the fastest (about 1 ms a page for raw text, against 10 for pypdf and
50-70 for pdfplumber), it puts word spaces where pdfminer loses them on tightly set text, it unfolds
ligatures, and it still gives every character's box, font size and font, which headings and columns need.
Its own text order interleaves columns and keeps furniture and hyphens, so everything after the character
stream is ours, and pure: line grouping, column detection (XY-cut), block splitting, headings, running
headers and footers, dehyphenation and cross-page joins work on `Word`s and are tested without a PDF.

PDFium is not thread-safe, so extraction holds a module lock; use processes to load PDFs in parallel.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import math
import re
import threading
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.structure import Block, BlockKind, LoadedDocument, LoadError, one_line

# Geometry is in points, relative to the font size ("em") wherever it can be.
CELL_GAP_EM = 1.5  # a gap this wide inside a line separates table cells (word spaces are 0.2-0.5 em)
SPACE_GAP_EM = 0.14  # a gap this wide between letters is a word space even where the PDF has no space character
NORMAL_LEADING = 1.2  # baseline to baseline, in ems, of text set solid with the usual spacing
GLUE_GAP_EM = 0.06  # words closer than this were split by the engine, not by a space (`Zhao2` `,`)
GUTTER_EM = 1.0  # the narrowest white strip that separates two text columns
HEADING_RATIO = 1.12  # a heading's letters are this much bigger than body text (or it is bold)
MAX_HEADING_CHARS = 120
MAX_HEADING_LINES = 4
FURNITURE_ZONE = 0.14  # running headers/footers live in the top/bottom 14% of a page ...
FURNITURE_LINES = 3  # ... among its first/last three lines
FOOTNOTE_RATIO = 0.92  # footnotes are set smaller than body text

_SENTENCE_END = (".", "!", "?", ":", ";", "…", '"', "”", "’", ")", "]")
_HYPHENS = ("-", "\u00ad", "\u2010", "\u2011")
_BULLET_GLYPHS = "•●▪◦‣∙·○■□►▶➢✓✔"
_BULLET = re.compile(rf"^[{re.escape(_BULLET_GLYPHS)}]\s")
_ENUMERATION = re.compile(r"^(?:[–—*-]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s")  # a list only after a finished line
_MARKER = re.compile(
    rf"^(?:[{re.escape(_BULLET_GLYPHS)}–—*-]|\(?(?:\d{{1,2}}(?:\.\d{{1,2}})*|[a-zA-Z]|[ivx]{{1,4}})[.)]?)$"
)
_FOOTNOTE_START = re.compile(r"^(?:\d{1,3}|[*†‡§¶∗])\s?[A-Z“‘\"'(]")
_FOOTNOTE_MARK_CELL = re.compile(r"^(?:\d{1,3}|[*†‡§¶∗]) \| [A-Z“‘\"'(]")  # the mark read as a table's first cell
_PRIVATE_BULLETS = {0xF0B7, 0xF0A7, 0xF0D8, 0xF076, 0xF0FC, 0xF0A8, 0xF06E, 0xF0E0, 0xF0B2, 0xF0A1}
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|pagina)\s*)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?"
    r"(?:\s*(?:of|/|\|)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_SECTION_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Z](?:\.\d{1,2})+|[A-Z]|[IVX]{1,5}\.)\s+[A-Z]")
_FIGURE_CAPTION = re.compile(r"^(?:fig(?:ure)?|chart|graph|map)s?\.?\s*\d", re.IGNORECASE)
_CAPTION = re.compile(r"^(?:fig(?:ure)?|table|chart|graph|box|source|note|exhibit|map)s?\b", re.IGNORECASE)
_URL_WORD = re.compile(r"https?://|www\.", re.IGNORECASE)
_URL_START = re.compile(r"^[(\[<“\"‘']?(?:https?://|www\.)", re.IGNORECASE)
_OPEN_URL = re.compile(r"(?:https?://|www\.)[^\s)\]>”\"']*$", re.IGNORECASE)  # a web address running on
_UNBREAKABLE = re.compile(r"(?:https?://|www\.)\S*$|\S{40,}$", re.IGNORECASE)  # a line ending in a web address
_URL_TAIL = re.compile(r"(?:https?://|www\.)\S*[/._\-=?&#~]$")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold|-medi|\bmedi\b|,b$|cmbx|-bd$|-sb$", re.IGNORECASE)
_COMBINING = {  # spacing accents as PDFs draw them -> the combining mark they stand for
    "\u02c7": "\u030c", "\u00b4": "\u0301", "\u00a8": "\u0308", "\u02dc": "\u0303", "\u02c6": "\u0302",
    "\u00b8": "\u0327", "\u02da": "\u030a", "\u02d8": "\u0306", "\u02dd": "\u030b", "\u02db": "\u0328",
    "\u00af": "\u0304", "\u02d9": "\u0307",
    **{chr(code): chr(code) for code in range(0x0300, 0x0370)},
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_](?:[^\W_]|[-\u2010\u2011'’](?=[^\W_]))*")
_COMPOUND_HEADS = {"well", "self", "non", "ill", "half", "cross"}  # heads that rarely end a syllable
_PDFIUM_LOCK = threading.Lock()
_GENERIC_TITLES = {"untitled", "title", "document", "doc", "report", "pdf", "none", "unknown", "slide 1", "print"}


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters between spaces, with its box (top-down page points) and font."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # font size of the word's biggest letters (small caps headings keep their capitals' size)
    bold: bool = False
    paragraph_end: bool = False  # the PDF put a U+2029 paragraph separator after this word

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Page:
    """One page's words in reading-neutral order; the engine's only output."""

    width: float
    height: float
    words: tuple[Word, ...]


@dataclass(frozen=True, slots=True)
class Line:
    """Words sharing one baseline band, left to right; the measures are computed once."""

    words: tuple[Word, ...]
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the size most of the line's characters are set in
    bold: bool
    cells: tuple[str, ...]  # the text, split where a wide gap marks table cells or tab stops
    spans: tuple[tuple[float, float], ...]  # each cell's x0, x1
    text: str
    paragraph_end: bool
    baseline: float  # the baseline of the line's running text (raised marks and big bullet glyphs aside)

    @classmethod
    def of(cls, words: Iterable[Word]) -> Line:
        ordered = tuple(sorted(words, key=lambda word: word.x0))
        total = sum(len(word.text) for word in ordered)
        found = _cells(ordered)
        cells = tuple(text for text, _, _ in found)
        baseline, size = _running_text(ordered)
        return cls(
            ordered,
            min(word.x0 for word in ordered),
            max(word.x1 for word in ordered),
            min(word.top for word in ordered),
            max(word.bottom for word in ordered),
            size,
            sum(len(word.text) for word in ordered if word.bold) >= 0.8 * total,
            cells,
            tuple((x0, x1) for _, x0, x1 in found),
            " | ".join(cells),
            ordered[-1].paragraph_end,
            baseline,
        )

    @property
    def body_top(self) -> float:
        """Where the line's running text starts from above (the top of its letters' em box)."""
        return self.baseline - 0.8 * self.size

    @property
    def body_bottom(self) -> float:
        return self.baseline + 0.2 * self.size


def _running_text(words: Sequence[Word]) -> tuple[float, float]:
    """A line's baseline and size, from the words on the baseline of its biggest word (bullet glyphs aside).

    A raised footnote mark (`[footnote 5]`, `²³`), a bullet glyph drawn bigger than its text and a web address
    set in a smaller link font do not make the line's size, unless the line holds nothing else.
    """
    first = words[0]
    if all(word.size == first.size for word in words):
        return first.bottom - 0.2 * first.size, first.size
    glyphs = [word for word in words if word.text.strip(_BULLET_GLYPHS)] or list(words)
    biggest = max(glyphs, key=lambda word: (word.size, any(char.isalnum() for char in word.text)))
    baseline = biggest.bottom - 0.2 * biggest.size
    tolerance = 0.15 * biggest.size
    level = [word for word in glyphs if abs(word.bottom - 0.2 * word.size - baseline) <= tolerance]
    running = [word for word in level if not _URL_WORD.search(word.text)] or level
    return baseline, _dominant(((word.size, len(word.text)) for word in running), default=0.0)


def _cells(words: Sequence[Word]) -> list[tuple[str, float, float]]:
    """Words joined by spaces; a gap much wider than a word space starts a new cell (table column, tab stop).

    A lone accent drawn over a word (TeX sets `Soňa` as `Sona` plus a caron) is put on the letter below it.
    """
    cells: list[tuple[str, float, float]] = []
    current = ""
    previous: Word | None = None
    start = 0.0
    for word in words:
        mark = _COMBINING.get(word.text)
        if previous is not None and mark and word.x0 < previous.x1:
            cut = len(current) - len(previous.text)
            share = ((word.x0 + word.x1) / 2 - previous.x0) / max(previous.x1 - previous.x0, 0.1)
            at = cut + min(max(int(share * len(previous.text)) + 1, 1), len(previous.text))
            current = current[:at] + mark + current[at:]
            continue
        if previous is None:
            current, start = word.text, word.x0
        else:
            joint = _joint(previous, word, first=not cells and current == previous.text)
            if joint is None:
                cells.append((current, start, previous.x1))
                current, start = word.text, word.x0
            else:
                current += joint + word.text
        previous = word
    if current and previous is not None:
        cells.append((current, start, previous.x1))
    return cells


def _joint(previous: Word, word: Word, *, first: bool) -> str | None:
    """What goes between two neighbouring words of a line: a space, nothing, or None for a cell boundary.

    Touching words were split by the engine or are a raised mark (`cases1`), so they are glued, except a
    footnote's own number at the start of its line (`1 We find`); punctuation close behind is glued too. A
    bullet or section number set apart by a tab (`•    Extending`, `1    Background`) is no cell of its own.
    """
    gap = word.x0 - previous.x1
    em = min(word.size, previous.size) or 1.0
    if gap >= CELL_GAP_EM * em:
        marker = first and bool(_MARKER.match(previous.text))
        return " " if marker and (word.text[:1].isalpha() or word.text[:1] in "\"'“‘(") else None
    if gap < GLUE_GAP_EM * em and not (first and previous.size < 0.8 * word.size):
        return ""
    if gap < 0.2 * em and word.text[0] in ",.;:)]!?%":
        return ""
    return " "


@dataclass
class RawBlock:
    """Lines that form one heading, paragraph, bullet or table row, before their text is joined."""

    kind: BlockKind
    lines: list[Line]
    level: int = 0
    footnote: bool = False
    columns: list[list[str]] = field(default_factory=list)  # a table row: the lines of each of its cells
    column_starts: list[float] = field(default_factory=list)

    @property
    def size(self) -> float:
        """The size most of the block's words are set in: a long web address in a link font is one word."""
        return _dominant(((line.size, len(line.words)) for line in self.lines), default=0.0)

    @property
    def letter_size(self) -> float:
        """Biggest letter size in the block: small caps headings are set mostly in small letters."""
        return max(
            (word.size for line in self.lines for word in line.words if any(c.isalpha() for c in word.text)),
            default=self.size,
        )

    @property
    def bold(self) -> bool:
        return all(line.bold for line in self.lines)


@dataclass
class _Piece:
    """A finished block on its way into the document text, possibly spanning pages."""

    kind: BlockKind
    parts: list[tuple[int, str]]  # (page index, text) - more than one when a paragraph crosses a page break
    level: int = 0
    footnote: bool = False
    size: float = 0.0

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.parts)


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers: characters, words, lines


_MATH_LETTERS = (0x1D400, 0x1D7FF)  # Mathematical Alphanumeric Symbols: bold, italic, script ... letters and digits


def clean_char(code: int) -> str:
    """One PDF character as text: ligatures and other compatibility forms unfolded, garbage dropped."""
    if code in (0x02, 0xFFFE):  # PDFium's mark for a hyphen at a line end; the page shows a hyphen
        return "-"
    if code == 0xAD:
        return "\u00ad"  # kept until line joining decides; never reaches the text
    if code < 0x20 or code in (0x7F, 0xFFFF, 0xFEFF, 0x200B, 0x200C, 0x200D, 0x2060):
        return ""
    if code in _PRIVATE_BULLETS:
        return "•"
    if 0xE000 <= code <= 0xF8FF or 0xD800 <= code <= 0xDFFF:  # private use; half a pair that lost its other half
        return ""
    char = chr(code)
    if (
        0xFB00 <= code <= 0xFB4F
        or 0xFF01 <= code <= 0xFFEE
        or 0x2000 <= code <= 0x200A
        or code == 0xA0
        or _MATH_LETTERS[0] <= code <= _MATH_LETTERS[1]  # 𝑇𝑃𝑅 in a formula: styled letters, read as TPR
    ):
        return unicodedata.normalize("NFKC", char)
    if code in (0x2028, 0x2029):
        return " "
    return char


def clean_text(text: str) -> str:
    """A string with `clean_char` applied, NFC-composed, runs of spaces folded."""
    cleaned = "".join(clean_char(ord(char)) for char in text).replace("\u00ad", "")
    return " ".join(unicodedata.normalize("NFC", cleaned).split())


_MARK_LENGTH = 3  # an index, "th", "a,b": raised or lowered beside a word, never a line of its own


def group_lines(words: Iterable[Word]) -> list[Line]:
    """Words whose boxes overlap vertically form a line; sub- and superscripts join the line they overlap.

    A line's band is the box of its biggest word, so an index or footnote mark cannot stretch it into the
    next line. A word far to the side joins only on the same baseline (a table cell), not a line of a box
    beside it that merely overlaps in height.
    """
    lines: list[_LineDraft] = []  # in order of first appearance from the top
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        best: _LineDraft | None = None
        best_overlap = 0.0
        for line in reversed(lines[-12:]):
            overlap = min(word.bottom, line.bottom) - max(word.top, line.top)
            if overlap > best_overlap and line.accepts(word):
                best, best_overlap = line, overlap
        if best is not None and best_overlap >= 0.5 * min(word.height, best.bottom - best.top):
            best.add(word)
        else:
            lines.append(_LineDraft(word))
    for index, line in enumerate(lines):  # a raised mark or accent met before its line's words: move it there
        hosts = [
            other
            for other in lines[max(index - 3, 0) : index + 4]
            if other is not line and other.words and other.takes(line) and (other.size * 0.85 > line.size or line.mark)
        ]
        if not line.mark and sum(len(word.text) for word in line.words) > _MARK_LENGTH:
            hosts = [other for other in hosts if other.beside(line)]  # words, not a mark: only on the same baseline
        if hosts and line.words:
            hosts[0].words.extend(line.words)
            line.words = []
    result = [Line.of(line.words) for line in lines if line.words]
    result.sort(key=lambda line: (line.top + line.bottom) / 2)
    return result


def _baseline_gap(first: Word | _LineDraft, second: Word | _LineDraft) -> float:
    """How far apart two runs' baselines are (a box reaches 0.2 em below its baseline)."""
    return abs((first.bottom - 0.2 * first.size) - (second.bottom - 0.2 * second.size))


class _LineDraft:
    """A line being gathered: its band (from its biggest word) and horizontal reach."""

    def __init__(self, word: Word) -> None:
        self.words = [word]
        self.top, self.bottom, self.size = word.top, word.bottom, word.size
        self.x0, self.x1 = word.x0, word.x1

    def accepts(self, word: Word) -> bool:
        """Near words join by overlap; a word far to the side only on the same baseline. Words much smaller
        than the line join off its baseline only as marks (an index, "th"): beside a slide's 25-point
        callout, two 11-point lines 13 points apart both overlap its band, and are two lines."""
        em = min(word.size, self.size)
        on_baseline = _baseline_gap(word, self) <= 0.4 * em
        near = word.x0 <= self.x1 + 2 * em and word.x1 >= self.x0 - 2 * em
        if on_baseline or not near:
            return on_baseline
        smaller = word.text if word.size < self.size else "".join(each.text for each in self.words)
        return em >= 0.75 * max(word.size, self.size) or len(smaller) <= _MARK_LENGTH

    @property
    def mark(self) -> bool:
        """A line of a lone accent or index, as TeX draws `Â`: never a line of its own."""
        return sum(len(word.text) for word in self.words) <= 2

    def beside(self, small: _LineDraft) -> bool:
        """Whether a line of smaller words sits on this line's baseline."""
        return _baseline_gap(small, self) <= 0.4 * small.size

    def takes(self, small: _LineDraft) -> bool:
        """Whether a line of smaller words sits inside this line's band, beside its words."""
        overlap = min(small.bottom, self.bottom) - max(small.top, self.top)
        near = small.x0 <= self.x1 + 2 * self.size and small.x1 >= self.x0 - 2 * self.size
        return near and overlap >= 0.5 * (small.bottom - small.top)

    def add(self, word: Word) -> None:
        self.words.append(word)
        self.x0, self.x1 = min(self.x0, word.x0), max(self.x1, word.x1)
        if word.size > self.size:
            self.top, self.bottom, self.size = word.top, word.bottom, word.size


def reading_order(words: Sequence[Word], body_size: float) -> list[list[Word]]:
    """Split a page's words into regions in reading order: columns left to right, bands top to bottom.

    A recursive XY-cut. The page is sliced into bands at every horizontal white gap; a run of consecutive
    bands that leave one vertical white gutter free, with text-like columns on both sides, is a multi-column
    region read column by column (each column again recursively). Other bands flow top to bottom. A table's
    narrow columns are not text-like, so its rows stay lines and are read across.
    """
    if not words:
        return []
    bands = _bands(words)
    low = min(word.x0 for word in words)
    high = max(word.x1 for word in words)
    gaps = [_band_gaps(band, low, high, GUTTER_EM * body_size) for band in bands]
    regions: list[list[Word]] = []
    flow: list[Word] = []
    start = 0
    while start < len(bands):
        end, gutter = _column_run(bands, gaps, start, body_size)
        if gutter is not None and flow and _ends_paragraph_above(bands, start, gutter, body_size):
            gutter = None
        if gutter is None:
            flow.extend(bands[start])
            start += 1
            continue
        if flow:
            regions.append(flow)
            flow = []
        run = [word for band in bands[start:end] for word in band]
        regions.extend(reading_order([word for word in run if word.x1 <= gutter], body_size))
        regions.extend(reading_order([word for word in run if word.x1 > gutter], body_size))
        start = end
    if flow:
        regions.append(flow)
    return regions


def _ends_paragraph_above(bands: Sequence[list[Word]], start: int, gutter: float, body_size: float) -> bool:
    """Whether the first band of a column run is the last line of the full-width text above it: it keeps to one
    side of the gutter, sits at line spacing under a band that crosses the gutter, and the run's next band is
    set clearly further apart (a paragraph that ends in a short line just above a table or two columns)."""
    above, band = bands[start - 1], bands[start]
    if not (all(word.x1 <= gutter for word in band) or all(word.x0 >= gutter for word in band)):
        return False
    if not any(word.x0 < gutter < word.x1 for word in above):
        return False
    gap_above = min(word.top for word in band) - max(word.bottom for word in above)
    if start + 1 >= len(bands) or gap_above > 0.4 * body_size:
        return False
    gap_below = min(word.top for word in bands[start + 1]) - max(word.bottom for word in band)
    return gap_below > gap_above + 0.25 * body_size


def _column_run(
    bands: Sequence[list[Word]], gaps: Sequence[list[tuple[float, float]]], start: int, body_size: float
) -> tuple[int, float | None]:
    """The longest run of bands from `start` sharing a white gutter, and the gutter's x (None if no run)."""
    common = gaps[start]
    end = start + 1
    while end < len(bands):
        narrowed = _intersect(common, gaps[end], GUTTER_EM * body_size)
        if not narrowed:
            break
        common, end = narrowed, end + 1
    if end - start < 2:
        return end, None
    run = bands[start:end]
    run_width = max(word.x1 for band in run for word in band) - min(word.x0 for band in run for word in band)
    for left_edge, right_edge in sorted(common, key=lambda gap: gap[0] - gap[1]):  # widest first
        left = [[word for word in band if word.x1 <= left_edge] for band in run]
        right = [[word for word in band if word.x0 >= right_edge] for band in run]
        if _text_like(left, run_width) and _text_like(right, run_width):
            return end, (left_edge + right_edge) / 2
    gutter = _between_text_columns(run, common, run_width, body_size)
    if gutter is not None:
        return end, gutter
    return end, None


def _between_text_columns(
    run: Sequence[list[Word]], gutters: Sequence[tuple[float, float]], run_width: float, body_size: float
) -> float | None:
    """The first gutter of three or more columns, two or more of them running text and any other a side
    heading in bigger letters (a Federal Register page, a slide's three boxes, a slide's heading beside its two
    text boxes). Either side of any one gutter holds two columns, which look like a table's gapped rows when
    their lines are ragged; the columns themselves are text."""
    edges = [-math.inf, *[x for gutter in sorted(gutters) for x in gutter], math.inf]
    spans = list(zip(edges[::2], edges[1::2]))  # from one gutter's right edge to the next one's left edge
    columns = [
        (span, [[word for word in band if span[0] <= word.x0 and word.x1 <= span[1]] for band in run]) for span in spans
    ]
    columns = [(span, column) for span, column in columns if any(column)]
    if len(columns) < 3:
        return None
    running = [_running_text_column(column, run_width / len(columns)) for _, column in columns]
    side_heading = [
        all(word.size >= HEADING_RATIO * body_size for band in column for word in band) for _, column in columns
    ]
    if sum(running) < 2 or not all(text or heading for text, heading in zip(running, side_heading)):
        return None
    return (columns[0][0][1] + columns[1][0][0]) / 2


def _running_text_column(bands: Sequence[Sequence[Word]], width: float) -> bool:
    """Text-like, and of some length: three lines or more of three words or more on average (a small table's
    columns of labels and figures are not)."""
    lines = [band for band in bands if band]
    return len(lines) >= 3 and sum(len(line) for line in lines) >= 3 * len(lines) and _text_like(bands, width)


def _bands(words: Sequence[Word]) -> list[list[Word]]:
    """Horizontal slices of the page separated by white space that runs across all of it."""
    bands: list[list[Word]] = []
    bottom = -math.inf
    for word in sorted(words, key=lambda w: w.top):
        slack = 0.15 * word.height  # loose boxes of neighbouring lines may touch
        if bands and word.top < bottom - slack:
            bands[-1].append(word)
            bottom = max(bottom, word.bottom)
        else:
            bands.append([word])
            bottom = word.bottom
    return bands


def _band_gaps(band: Sequence[Word], low: float, high: float, minimum: float) -> list[tuple[float, float]]:
    """White x-intervals of a band within [low, high], at least `minimum` wide."""
    gaps: list[tuple[float, float]] = []
    reach = low
    for x0, x1 in sorted((word.x0, word.x1) for word in band):
        if x0 - reach >= minimum:
            gaps.append((reach, x0))
        reach = max(reach, x1)
    if high - reach >= minimum:
        gaps.append((reach, high))
    return gaps


def _intersect(
    first: Sequence[tuple[float, float]], second: Sequence[tuple[float, float]], minimum: float
) -> list[tuple[float, float]]:
    found = []
    for a0, a1 in first:
        for b0, b1 in second:
            low, high = max(a0, b0), min(a1, b1)
            if high - low >= minimum:
                found.append((low, high))
    return found


def _text_like(bands: Sequence[Sequence[Word]], run_width: float) -> bool:
    """A text column: a wide strip of several lines of running words; a table column is narrow or gapped.

    Bands stand in for lines (a run's bands are nearly always single lines).
    """
    lines = [sorted(band, key=lambda word: word.x0) for band in bands if band]
    if len(lines) < 2:
        return False
    width = max(line[-1].x1 for line in lines) - min(line[0].x0 for line in lines)
    words = sum(len(line) for line in lines)
    gapped = sum(
        1
        for line in lines
        if any(b.x0 - a.x1 >= CELL_GAP_EM * min(a.size, b.size) for a, b in itertools.pairwise(line))
    )
    return width >= 0.25 * run_width and words >= 2.5 * len(lines) and gapped <= 0.2 * len(lines)


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers: blocks


def is_bullet(text: str, after: str = "") -> bool:
    """A list item: starts with a bullet glyph, or with `-`, `1.`, `a)`, `(iv)` unless it would continue an
    unfinished line `after` of the same paragraph: `(2) the current subgoal` wrapped to a line start is no item.
    """
    if _BULLET.match(text):
        return True
    return bool(_ENUMERATION.match(text)) and (not after or after.rstrip().endswith((*_SENTENCE_END, ":")))


def split_blocks(lines: Sequence[Line], body_size: float, leading: float = NORMAL_LEADING) -> list[RawBlock]:
    """Group a region's lines (top to bottom) into paragraphs, bullets, table rows and heading candidates.

    A line continues the latest block above it that it overlaps horizontally, so boxes side by side (a cover's
    date beside its title) do not interleave. A block ends at extra vertical space (measured between baselines,
    so raised marks and big bullet glyphs do not count), a change of font size (a web address in a smaller link
    font aside) or weight, a bullet marker, a table row, an indented or outdented new line after a finished
    sentence, or a short last line (unless the next line's first word could not have fitted on it).
    """
    blocks: list[RawBlock] = []
    if not lines:
        return blocks
    pitches: dict[float, list[float]] = {}
    for above, below in itertools.pairwise(lines):
        if abs(above.size - below.size) < 0.5 and below.baseline > above.baseline:
            pitches.setdefault(round(above.size), []).append(below.baseline - above.baseline)
    pitch = {size: sorted(values)[len(values) // 2] for size, values in pitches.items() if len(values) >= 3}
    edges: dict[int, float] = {}  # block -> right edge of the text it sits in (for the short-line test)
    active: list[RawBlock] = []  # blocks a later line may still continue, latest last
    table_row: RawBlock | None = None  # the latest table row, which the next lines may wrap into
    for line in lines:
        text = line.text
        row = len(line.cells) > 1
        line_pitch = pitch.get(round(line.size), 1.2 * max(line.size, 1.0))
        if table_row is not None and _wraps_into(table_row, line, line_pitch):
            continue
        if row:
            table_row = RawBlock("paragraph", [line], columns=[[cell] for cell in line.cells])
            table_row.column_starts = [x0 for x0, _ in line.spans]
            blocks.append(table_row)
            continue
        table_row = None
        target = next((b for b in reversed(active) if _overlap(b.lines[-1], line)), None)
        joins = False
        if target is not None:
            if id(target) not in edges:
                edges[id(target)] = _right_edge(target.lines[0], lines)
            joins = _continues(target, line, line_pitch, edges[id(target)], body_size, leading)
        after = target.lines[-1].text if joins and target is not None else ""
        if joins and target is not None and line.size < FOOTNOTE_RATIO * body_size:
            joins = not _next_footnote(target, line, edges[id(target)])
        numbered_heading = not _BULLET.match(text) and _heading_style(line, body_size)  # `1. Summary`
        bullet = not numbered_heading and is_bullet(text, after)
        if joins and not bullet and target is not None:
            target.lines.append(line)
            active.remove(target)
            current = target
        else:
            current = RawBlock("bullet" if bullet else "paragraph", [line])
            blocks.append(current)
        if not line.paragraph_end:
            active.append(current)
    return _margin_labels_first(blocks)


def _margin_labels_first(blocks: list[RawBlock]) -> list[RawBlock]:
    """A block that starts in the margin left of a block's first line reads before it: a report's side heading
    ("Results in Brief", set a little below the paragraph's first baseline) came after the paragraph, and a
    paragraph that runs on over the page break ended in it."""
    for index in range(1, len(blocks)):
        label = blocks[index].lines[0]
        beside = next(
            (
                earlier
                for earlier in range(index - 1, max(index - 3, -1), -1)
                if label.x1 < (first := blocks[earlier].lines[0]).x0
                and label.top < first.bottom
                and first.top < label.bottom
            ),
            None,
        )
        if beside is not None:
            blocks.insert(beside, blocks.pop(index))
    return blocks


def _right_edge(first: Line, lines: Sequence[Line]) -> float:
    """The right edge of the text a block starts in: the furthest end of the lines sharing its first line's
    extent, leaving out lines that end in a long unbreakable token (a web address), which may run past it."""
    ends = sorted((other for other in lines if _overlap(first, other)), key=lambda other: other.x1, reverse=True)
    return next((other.x1 for other in ends if not _UNBREAKABLE.search(other.text)), ends[0].x1)


def split_regions(
    regions: Sequence[Sequence[Line]], body_size: float, leading: float = NORMAL_LEADING
) -> list[RawBlock]:
    """The blocks of a page's regions (lines of each, in reading order). A paragraph broken where one region
    ends and the next begins (the foot of a column, text flowing round a box) is one block again when its
    last line is unfinished, the next region starts in lower case in the same size, and that first word
    could not have fitted at the end of the line above."""
    blocks: list[RawBlock] = []
    edge = 0.0  # the right edge of the text the last block ends in
    for lines in regions:
        found = split_blocks(lines, body_size, leading)
        if not found:
            continue
        last_edge = _right_edge(found[-1].lines[0], lines)
        if blocks and _continues_region(blocks[-1], found[0], edge):
            blocks[-1].lines.extend(found.pop(0).lines)
        blocks.extend(found)
        edge = last_edge
    return blocks


def _continues_region(block: RawBlock, following: RawBlock, right_edge: float) -> bool:
    """Whether the first block of a region carries on the last block of the region before (see split_regions)."""
    if block.kind == "heading" or following.kind != "paragraph" or block.columns or following.columns:
        return False
    last, line = block.lines[-1], following.lines[0]
    em = max(last.size, 1.0)
    if len(last.cells) > 1 or len(line.cells) > 1 or abs(line.size - last.size) > 0.1 * em or line.bold != last.bold:
        return False
    if last.text.rstrip().endswith(_SENTENCE_END) or not _runs_on(line.text):
        return False
    first_word = line.words[0]
    return last.x1 + 0.3 * em + (first_word.x1 - first_word.x0) >= right_edge - em


def _wraps_into(row: RawBlock, line: Line, pitch: float) -> bool:
    """Add `line` to a table row when it is the wrapped text of some of the row's cells, and say so.

    It must sit close below at the cells' own line pitch (rows are set apart by padding), have fewer cells
    than the row, each under a different column, and each cell's first word must not have fitted at the end
    of the same cell on the line above (so it really wrapped; otherwise it starts the next row).
    """
    previous, first = row.lines[-1], row.lines[0]
    em = max(previous.size, 1.0)
    if abs(line.size - previous.size) > 0.1 * em or len(line.cells) >= len(first.cells):
        return False
    if line.top - previous.top > 1.15 * pitch or line.top - previous.bottom > 0.6 * em:
        return False
    right_edge = max(other.x1 for other in row.lines)
    above = {_column_of(row, x0, em): x1 for x0, x1 in previous.spans}
    columns: list[int] = []
    for x0, _ in line.spans:
        column = _column_of(row, x0, em)
        if column < 0 or (columns and column <= columns[-1]) or column not in above:
            return False
        following = column + 1 < len(row.column_starts)  # text closer than a cell gap would have joined that cell
        limit = row.column_starts[column + 1] - CELL_GAP_EM * em if following else right_edge
        first_word = next(word for word in line.words if word.x0 >= x0 - 0.1)
        if above[column] + 0.25 * em + (first_word.x1 - first_word.x0) <= limit:
            return False  # the word would have fitted above: a new row
        columns.append(column)
    for column, cell in zip(columns, line.cells):
        row.columns[column].append(cell)
    row.lines.append(line)
    return True


def _column_of(row: RawBlock, x0: float, em: float) -> int:
    """The row's column a cell starting at `x0` belongs to (-1 if left of all)."""
    return max((i for i, start in enumerate(row.column_starts) if start <= x0 + 0.5 * em), default=-1)


def _next_footnote(block: RawBlock, line: Line, right_edge: float) -> bool:
    """Whether a small-print line starts the footnote after the one the block starts (`42 ...` then `43 ...`).

    A footnote's wrapped line may start with a number too (`2 May 2024`): it must be the next number. Under
    small print that starts with no mark (a source note, a footnote carried over from the page before) the
    number must have fitted at the end of the line above, or the line is a wrap; under unnumbered marks (`*`,
    `†`) the line must start where the footnote above started.
    """
    start = _FOOTNOTE_START.match(line.text)
    if not start:
        return False
    first = block.lines[0]
    number, previous = re.match(r"\d+", line.text), re.match(r"\d+", first.text)
    if number and previous:
        return int(number.group(0)) == int(previous.group(0)) + 1
    if number and not _FOOTNOTE_START.match(first.text):
        above, mark = block.lines[-1], line.words[0]
        if above.x1 + 0.3 * line.size + (mark.x1 - mark.x0) >= right_edge - line.size:
            return False
    return line.x0 <= first.x0 + 0.3 * line.size


def _overlap(above: Line, below: Line) -> bool:
    """Whether two lines share a good part of their horizontal extent."""
    shared = min(above.x1, below.x1) - max(above.x0, below.x0)
    return shared > 0.3 * min(above.x1 - above.x0, below.x1 - below.x0)


def _heading_style(line: Line, body_size: float) -> bool:
    """Set bigger than body text, or bold and short without a full stop."""
    if line.size >= HEADING_RATIO * body_size:
        return True
    return line.bold and len(line.text) <= 80 and not line.text.endswith(".")


def _continues(
    block: RawBlock, line: Line, pitch: float, right_edge: float, body_size: float, leading: float = NORMAL_LEADING
) -> bool:
    """Whether `line` carries on the block above it rather than starting a new one. White space between the
    lines as tall as a line is a paragraph break, unless the document's text is set that far apart
    (`leading`: its body text's baseline pitch in ems, 1.2 in most documents, 2.25 when double-spaced)."""
    previous = block.lines[-1]
    if len(previous.cells) > 1:
        return False
    em = max(previous.size, 1.0)
    step = line.baseline - previous.baseline
    widest_gap = max(0.9, leading - 0.7) * em
    if step > min(1.3 * pitch, pitch + 0.5 * em) or line.body_top - previous.body_bottom > widest_gap:
        return False
    if not _same_text_size(block, line):
        return False
    in_address = previous.text.endswith("?") and bool(_URL_TAIL.search(previous.text))  # `.../?` runs on
    finished = not in_address and previous.text.rstrip().endswith(_SENTENCE_END)
    stopped = not in_address and previous.text.rstrip().endswith((".", "!", "?", "…", '."', ".”", ".)"))
    short = previous.x1 < right_edge - max(4 * em, 0.12 * (right_edge - block.lines[0].x0))
    if line.bold and not previous.bold and (finished or not line.text[:1].islower()):
        return False  # a bold line starting something new; bold emphasis running on starts in lower case
    if previous.bold and not line.bold and (short or finished):
        return False  # a bold heading line above text; a bold phrase running on fills its line
    first_word = line.words[0]
    fits = previous.x1 + 0.3 * em + (first_word.x1 - first_word.x0) < right_edge - em
    if short and (stopped or (block.kind == "bullet" and fits and not _runs_on(line.text) and not _hangs(block, line))):
        return False  # a short line ends an item, unless the next word could not fit (a web address) or hangs
    very_short = previous.x1 - block.lines[0].x0 < 0.7 * (right_edge - block.lines[0].x0)
    starts = line.text[:1].isupper() or line.text[:1].isdigit()
    if fits and starts and (finished or very_short) and not _heading_style(previous, body_size):
        return False  # the next line's first word would have fitted: body text broken on purpose (not a heading)
    if block.kind == "bullet":
        marker_end = block.lines[0].words[0].x1
        return line.x0 > block.lines[0].x0 + 0.3 * em or line.x0 >= marker_end - 0.3 * em or not finished
    # after a finished line, a first-line indent or a hanging indent (references) starts the next entry
    return not (finished and abs(line.x0 - previous.x0) > 0.8 * em)


def _hangs(block: RawBlock, line: Line) -> bool:
    """Whether `line` starts under the text of a list item, to the right of its marker (a hanging indent)."""
    first = block.lines[0]
    if len(first.words) < 2:
        return False
    em = max(first.size, 1.0)
    return line.x0 > first.x0 + 0.3 * em and abs(line.x0 - first.words[1].x0) <= 0.3 * em


def _runs_on(text: str) -> bool:
    """Text that carries on a sentence from the line above: lower case, or a web address."""
    return text[:1].islower() or bool(_URL_START.match(text))


def _same_text_size(block: RawBlock, line: Line) -> bool:
    """Whether `line` is set in the size of the block's text. A web address in a link font a little smaller (or
    bigger) than the text belongs to it: a line that starts with one or carries on one from the line above,
    and the text that resumes after it in the block's own size.
    """
    previous = block.lines[-1]
    em = max(previous.size, 1.0)
    if abs(line.size - previous.size) <= 0.1 * em:
        return True
    if not 0.75 * em <= line.size <= 1.34 * em:
        return False
    if _URL_START.match(line.words[0].text) or _OPEN_URL.search(previous.text):
        return True
    return any(abs(line.size - other.size) <= 0.1 * em for other in block.lines[:-1])


def classify_headings(blocks: list[RawBlock], body_size: float, body_bold: bool) -> None:
    """Mark blocks set bigger (or bold) than body text, short and unfinished-looking, as headings."""
    for block in blocks:
        if block.kind != "paragraph" or len(block.lines) > MAX_HEADING_LINES:
            continue
        text = " ".join(line.text for line in block.lines)
        if not _heading_text(text):
            continue
        bigger = block.letter_size >= HEADING_RATIO * body_size
        bold = block.bold and not body_bold and block.size >= 0.95 * body_size
        capitals = text.isupper() and len(text) <= 80 and block.letter_size >= 0.95 * body_size  # `3.1 SETUP`
        if bigger or capitals or (bold and len(text) <= 100):
            block.kind = "heading"


def confirm_headings(blocks: Sequence[RawBlock], lookahead: int = 4) -> None:
    """Keep an unnumbered one-line heading only when text follows: a sentence, a bullet or a worded table row
    among the next two non-heading blocks (within a few blocks). Numbered headings and the biggest are kept.

    Labels in charts and table headers are set big too, but only other labels and numbers follow them.
    """
    body = [block for block in blocks if block.kind != "furniture" and not block.footnote]
    biggest = max((block.letter_size for block in body if block.kind == "heading"), default=0.0)
    for index, block in enumerate(body):
        if block.kind != "heading" or _numbered(" ".join(line.text for line in block.lines)):
            continue
        if len(block.lines) > 1 or block.letter_size >= biggest - 0.5:
            continue  # a title, or a heading broken over lines, is no chart label
        following = [after for after in body[index + 1 : index + 1 + lookahead] if after.kind != "heading"][:2]
        if following and not any(_reads_as_text(after) for after in following):
            block.kind = "paragraph"


def _reads_as_text(block: RawBlock) -> bool:
    """A bullet, or a block with several ordinary words (a sentence, a worded table row)."""
    words = re.findall(r"\b[a-z]{3,}\b", " ".join(line.text for line in block.lines))
    return block.kind == "bullet" or len(words) >= 4


def _numbered(text: str) -> bool:
    """Starts with a section number: `3`, `3.1`, `A.2`, `IV.`, or a capital letter then a capitalised word."""
    return bool(_SECTION_NUMBER.match(text))


def _heading_text(text: str) -> bool:
    """Heading-shaped text: short, lettered, not a table row, not ending like a sentence or a broken word."""
    letters = sum(char.isalpha() for char in text)
    if letters < 2 or len(text) > MAX_HEADING_CHARS or " | " in text:
        return False
    if text.endswith((*_HYPHENS, ",", ";", ".", ":")):
        return False
    return not text.lstrip("\"'“‘(")[:1].islower()


def assign_heading_levels(blocks: Iterable[RawBlock], body_size: float) -> None:
    """Heading level by size rank across the document: 1 for the biggest; bold body-size headings last."""
    headings = [block for block in blocks if block.kind == "heading"]
    keys = sorted({_heading_key(block) for block in headings}, reverse=True)
    for block in headings:
        block.level = min(keys.index(_heading_key(block)) + 1, 6)


def _heading_key(block: RawBlock) -> tuple[float, bool]:
    return (round(block.letter_size * 2) / 2, block.bold)


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers: furniture


def furniture_key(text: str) -> str:
    """A line's identity across pages: case, spacing and numbers (page numbers, dates) ignored."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def is_page_number(text: str) -> bool:
    """`12`, `Page 3 of 31`, `- 4 -`, `iv`: a page number on its own."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def find_furniture(pages: Sequence[Sequence[Line]], heights: Sequence[float]) -> list[set[int]]:
    """Indices of each page's lines that are running headers/footers or page numbers.

    Candidates are the first and last few lines of a page, inside its top/bottom margin zone and set apart
    from the body by white space (the first lines of a body that merely starts alike are not). One is
    furniture when it is a bare page number, or when the same text (numbers aside) sits at about the same
    height on several pages.
    """
    candidates = [_margin_lines(lines, height) for lines, height in zip(pages, heights)]
    needed = 2 if len(pages) <= 10 else 3
    places: dict[str, list[float]] = {}
    for page in candidates:
        for _, text, y in page:
            places.setdefault(furniture_key(text), []).append(y)
    result: list[set[int]] = []
    for page in candidates:
        marked: set[int] = set()
        for index, text, y in page:
            same_place = sum(1 for other in places[furniture_key(text)] if abs(other - y) <= 20)
            if is_page_number(text) or same_place >= needed:
                marked.add(index)
        result.append(marked)
    return result


def _margin_lines(lines: Sequence[Line], height: float) -> list[tuple[int, str, float]]:
    """(index, text, height from its page edge) of the lines a page's header and footer could be."""
    found: dict[int, tuple[int, str, float]] = {}
    for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):
        indices = list(order)
        for position, index in enumerate(indices[:FURNITURE_LINES]):
            line = lines[index]
            top = order.step > 0
            if (line.bottom > FURNITURE_ZONE * height) if top else (line.top < (1 - FURNITURE_ZONE) * height):
                break
            if position + 1 < len(indices):
                neighbour = lines[indices[position + 1]]
                gap = neighbour.top - line.bottom if top else line.top - neighbour.bottom
                if gap < 0.6 * (line.bottom - line.top):
                    continue  # not set apart (yet): a candidate only if a gap follows further in
            for other in indices[: position + 1]:
                found[other] = (other, lines[other].text, lines[other].top if top else lines[other].top - height)
            break
    return list(found.values())


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers: joining lines


def vocabulary(blocks: Iterable[Sequence[str]]) -> Counter[str]:
    """Lower-case word counts of a document (blocks of lines), the evidence for resolving line-end hyphens.

    The halves of a word broken at a line end are left out, or `develop-`/`ment` would vouch for themselves.
    """
    counts: Counter[str] = Counter()
    for lines in blocks:
        broken = False
        for line in lines:
            words = [_fold_hyphens(match.group(0).lower()) for match in _WORD.finditer(line)]
            if broken and words and line.lstrip()[:1].isalpha():
                words = words[1:]
            broken = line.rstrip().endswith(_HYPHENS)
            if broken and words and line.rstrip()[:-1][-1:].isalpha():
                words = words[:-1]
            counts.update(words)
    return counts


def _fold_hyphens(word: str) -> str:
    return word.replace("\u2010", "-").replace("\u2011", "-")


def join_lines(lines: Sequence[str], vocab: Counter[str] | None = None) -> str:
    """Lines of one block as one line: wraps become spaces, hyphenation is undone, compounds keep hyphens."""
    text = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        text = join_pair(text, line, vocab) if text else line
    return text.replace("\u00ad", "")


def join_pair(left: str, right: str, vocab: Counter[str] | None = None) -> str:
    """`left` (a line or paragraph) continued by `right` on the next line."""
    if left.endswith("\u00ad"):
        return left[:-1] + right
    if _URL_TAIL.search(left):
        return left + right  # a web address broken at its own hyphen or slash: no hyphen is the typesetter's
    if left.endswith(_HYPHENS) and len(left) > 1 and left[-2].isalnum():
        head = left[:-1]
        if left[-2].isalpha() and dehyphenate(_last_word(head), _first_word(right), vocab or Counter()):
            return head + right
        return left + right  # a compound or a range (`2019-`/`20`) keeps its hyphen and takes no space
    return left + " " + right


def dehyphenate(before: str, after: str, vocab: Counter[str]) -> bool:
    """Whether `before-` at a line end and `after` on the next line are one word broken by the typesetter.

    The document's own vocabulary decides first (`development` seen elsewhere: join; `well-known` seen:
    keep); then compounds are kept (`chain-of-` + `thought`, `PaLM-` + `540B`, a capital after the hyphen,
    `well-`/`self-`/`non-` + a word, two parts that are both words of the document); otherwise the hyphen is a
    line-break artefact.
    """
    if not after or not after[0].isalpha():
        return False
    joined = (before + after).lower()
    hyphenated = f"{before}-{after}".lower()
    if vocab[joined] != vocab[hyphenated]:
        return vocab[joined] > vocab[hyphenated]
    if "-" in before or after[0].isupper():
        return False
    first, second = before.lower(), after.lower()
    if first in _COMPOUND_HEADS and len(second) >= 4:
        return False  # `well-`/`interconnected`, `self-`/`assessment`
    return not (len(first) > 2 and vocab[first] > 0 and vocab[second] > 0)


def _last_word(text: str) -> str:
    match = re.search(r"[^\W_](?:[^\W_]|-(?=[^\W_]))*$", text)
    return match.group(0) if match else ""


def _first_word(text: str) -> str:
    match = re.match(r"[^\W_]+", text)
    return match.group(0) if match else ""


def _continues_across_pages(left: _Piece, right: _Piece, *, first: bool = True) -> bool:
    """Whether a page's last body paragraph runs on into `right`, a paragraph near the top of the next page.

    Only the next page's first paragraph may continue it with a capital (a name, say); one further down,
    after a figure or table that floated to the top, must start in lower case.
    """
    if left.kind not in ("paragraph", "bullet") or right.kind != "paragraph" or right.footnote:
        return False
    before, after = left.text, right.parts[0][1]
    if " | " in before or " | " in after or not after or abs(left.size - right.size) > 0.1 * max(left.size, 1):
        return False
    if before.endswith(_HYPHENS):
        return after[0].isalpha()
    if before.endswith(_SENTENCE_END):
        return False
    start = after.lstrip("“‘\"'([")[:1]  # a quotation or an aside may carry the sentence on
    return start.islower() or (first and len(before) >= 40 and start.isalnum())


# ---------------------------------------------------------------------------------------------------------------
# Assembly


def build_document(pages: Sequence[Page], metadata_title: str = "") -> LoadedDocument:
    """The logical document from the engine's pages: pure, so it is tested on hand-made words."""
    all_words = [word for page in pages for word in page.words]
    if not any(char.isalnum() for word in all_words for char in word.text):
        raise LoadError("no text layer (scanned PDF?)")
    body_size = _dominant(((round(w.size * 2) / 2, len(w.text)) for w in all_words), default=10.0)
    body_bold = sum(len(w.text) for w in all_words if w.bold) > 0.5 * sum(len(w.text) for w in all_words)

    page_lines = [group_lines(page.words) for page in pages]
    furniture = find_furniture(page_lines, [page.height for page in pages])
    leading = body_leading(page_lines, body_size)

    page_blocks: list[tuple[list[RawBlock], list[RawBlock], list[RawBlock]]] = []  # header, body, footer
    for page, lines, marked in zip(pages, page_lines, furniture):
        header = [RawBlock("furniture", [lines[i]]) for i in sorted(marked) if lines[i].top < page.height / 2]
        footer = [RawBlock("furniture", [lines[i]]) for i in sorted(marked) if lines[i].top >= page.height / 2]
        furniture_words = {id(word) for i in marked for word in lines[i].words}
        regions = reading_order([word for word in page.words if id(word) not in furniture_words], body_size)
        body = split_regions([group_lines(region) for region in regions], body_size, leading)
        classify_headings(body, body_size, body_bold)
        _mark_footnotes(body, body_size)
        page_blocks.append((header, body, footer))
    confirm_headings([block for _, body, _ in page_blocks for block in body])
    assign_heading_levels((block for _, body, _ in page_blocks for block in body), body_size)

    vocab = vocabulary(
        [line.text for line in block.lines] for parts in page_blocks for blocks in parts for block in blocks
    )
    text, blocks, page_starts = _render(_assemble(page_blocks, vocab), len(pages))
    if all(block.kind == "furniture" for block in blocks):
        raise LoadError("no text layer (scanned PDF?)")  # a scan with a stamped page number, say
    title = meaningful_title(metadata_title)
    if " " not in title:  # none, or one word ("Guidance", left by a template): page 1's heading says more
        title = _first_page_title(text, blocks, page_starts) or title
    return LoadedDocument(text, title, tuple(blocks), tuple(page_starts))


def body_leading(page_lines: Iterable[Sequence[Line]], body_size: float) -> float:
    """The body text's baseline pitch in ems: the median step between body-size lines one under the other."""
    steps = sorted(
        (below.baseline - above.baseline) / body_size
        for lines in page_lines
        for above, below in itertools.pairwise(lines)
        if max(abs(above.size - body_size), abs(below.size - body_size)) < 0.5 and _overlap(above, below)
    )
    steps = [step for step in steps if 0.9 <= step <= 4]
    return steps[len(steps) // 2] if len(steps) >= 10 else NORMAL_LEADING


def _mark_footnotes(body: list[RawBlock], body_size: float) -> None:
    """Small-print paragraphs closing a page are footnotes: never continued into, never continuing."""
    for block in reversed(body):
        if block.kind == "heading" or block.size >= FOOTNOTE_RATIO * body_size:
            break
        block.footnote = True


def _assemble(
    page_blocks: Sequence[tuple[list[RawBlock], list[RawBlock], list[RawBlock]]], vocab: Counter[str]
) -> list[_Piece]:
    """Pages' blocks as one sequence. A paragraph broken by a page break is rejoined; the furniture, footnotes
    and floated figures between its two halves follow it instead of interrupting it."""
    pieces: list[_Piece] = []
    open_piece: _Piece | None = None  # the last body paragraph so far, while it may continue on the next page
    deferred: list[_Piece] = []  # what followed the open paragraph on its page (footnotes, footer)
    for index, (header, body, footer) in enumerate(page_blocks):
        page_pieces = [piece for piece in (_piece(block, index, vocab) for block in body) if _worth_keeping(piece)]
        head = [_piece(block, index, vocab) for block in header]
        foot = [_piece(block, index, vocab) for block in footer]
        continuation = None if open_piece is None else _continuation(open_piece, page_pieces)
        if open_piece is not None and continuation is not None:
            joined = join_pair(open_piece.text, continuation.text, vocab)
            open_piece.parts.append((index, joined[len(open_piece.text) :]))
            page_pieces.remove(continuation)
            pieces.extend(deferred + head)
        else:
            pieces.extend([*deferred, _Piece("furniture", [(index, "")]), *head])  # the empty piece: page start
            open_piece = None
        deferred = []
        body_only = [piece for piece in page_pieces if not piece.footnote]
        if body_only and body_only[-1].kind in ("paragraph", "bullet"):
            cut = page_pieces.index(body_only[-1]) + 1
            pieces.extend(page_pieces[:cut])
            open_piece, deferred = body_only[-1], page_pieces[cut:] + foot
        elif not body_only and open_piece is not None:
            deferred = page_pieces + foot  # the page only finished the open paragraph, which may go on
        else:
            pieces.extend(page_pieces + foot)
            open_piece = None
    pieces.extend(deferred)
    return pieces


def _continuation(open_piece: _Piece, page_pieces: Sequence[_Piece], reach: int = 6) -> _Piece | None:
    """The paragraph near the top of a page that continues the previous page's last one, if any.

    A lower-case start is the evidence, and may come after a figure or table that floated to the top of the
    page (its labels and rows are passed over, however many); a capital (a name, say) is accepted only on the
    page's first paragraph, and never on a caption.
    """
    candidates: list[tuple[_Piece, bool]] = []  # with whether it closes a floated figure or table
    floated = False  # a figure's labels or a table's rows were passed over
    for piece in page_pieces:
        if piece.kind in ("heading", "bullet") or len(candidates) == reach:
            break  # a paragraph does not resume below a heading or a list
        if piece.footnote:
            continue
        if _figure_or_table_text(piece.text):
            floated = True
            continue
        candidates.append((piece, floated))
    after_caption = caption_open = False
    for piece, after_float in candidates:
        ends = piece.text.rstrip().endswith(_SENTENCE_END)
        if caption_open:  # the rest of a caption that wrapped into another block
            after_caption, caption_open = ends, not ends
            continue
        # below a floated figure the paragraph resumes after its whole caption; a table's notes and a second
        # caption set beside it read as text too well to tell from the paragraph's rest, so none is taken there
        if (not after_float or after_caption) and _continues_across_pages(open_piece, piece, first=False):
            return piece
        caption = bool(_FIGURE_CAPTION.match(piece.text))
        after_caption, caption_open = caption and ends, caption and not ends
    if candidates and not candidates[0][1] and not _CAPTION.match(candidates[0][0].text):
        first = candidates[0][0]
        return first if _continues_across_pages(open_piece, first) else None
    return None


def _figure_or_table_text(text: str) -> bool:
    """A table row, or a label short enough to be a chart's axis tick or legend ("25", "15 CoT Act ReAct");
    a short run of lower-case words may be the paragraph's last few, so it is no label."""
    label = len(text) < 40 and not text.rstrip().endswith(_SENTENCE_END) and not text[:1].islower()
    return " | " in text or label


def opens_with_reference_mark(text: str) -> bool:
    """A footnote's text: its number or symbol, then the note ("108 ‘Prime Minister’s statement ...")."""
    return bool(_FOOTNOTE_START.match(text) or _FOOTNOTE_MARK_CELL.match(text))


def _worth_keeping(piece: _Piece) -> bool:
    """Stray glyphs from figures (`Ҽ`, a lone arrow) are no text to quote."""
    text = piece.text
    return any(char.isalnum() for char in text) and not (len(text) <= 2 and not text.isascii())


def _piece(block: RawBlock, page: int, vocab: Counter[str]) -> _Piece:
    if block.columns:
        text = " | ".join(clean_text(join_lines(cell, vocab)) for cell in block.columns)
    else:
        text = clean_text(join_lines([line.text for line in block.lines], vocab))
    kind = "furniture" if block.footnote and opens_with_reference_mark(text) else block.kind
    return _Piece(kind, [(page, text)], block.level, block.footnote, block.size)


def _render(pieces: Sequence[_Piece], page_count: int) -> tuple[str, list[Block], list[int]]:
    """Concatenate pieces with blank lines between blocks, recording blocks and where each page begins."""
    parts: list[str] = []
    blocks: list[Block] = []
    starts: dict[int, int] = {}
    length = 0
    for piece in pieces:
        if not any(text for _, text in piece.parts):
            page = piece.parts[0][0]
            starts.setdefault(page, length + (2 if parts else 0))
            continue
        if parts:
            parts.append("\n\n")
            length += 2
        begin = length
        for page, text in piece.parts:
            starts.setdefault(page, length)
            parts.append(text)
            length += len(text)
        blocks.append(Block(piece.kind, begin, length, piece.level))
    page_starts: list[int] = []
    for page in range(page_count):
        start = min(starts.get(page, length), length)  # a blank last page starts at the end
        page_starts.append(max(start, page_starts[-1]) if page_starts else 0)
    return "".join(parts), blocks, page_starts


def meaningful_title(title: str | None) -> str:
    """The metadata title unless it is empty, a file name or an authoring tool's placeholder."""
    title = " ".join((title or "").split())
    lowered = title.lower()
    if not title or lowered in _GENERIC_TITLES or not any(char.isalpha() for char in title):
        return ""
    if re.match(r"^(?:microsoft\s+)?(?:word|powerpoint|excel)\s*-", lowered):
        return ""
    if re.search(r"\.(?:pdf|docx?|pptx?|xlsx?|indd|tex|dvi|ps|rtf|odt|txt|html?)$", lowered):
        return ""
    if " " not in title and re.search(r"[_\d]", title):
        return ""  # `sample_pdf`, `report2019v3`
    return title


def _first_page_title(text: str, blocks: Sequence[Block], page_starts: Sequence[int]) -> str:
    """The top-level heading on page 1 (biggest font there), else nothing."""
    first_page_end = page_starts[1] if len(page_starts) > 1 else len(text)
    headings = [b for b in blocks if b.kind == "heading" and b.start < first_page_end]
    if not headings:
        return ""
    best = min(headings, key=lambda block: block.level)
    return text[best.start : best.end]


def _dominant(weighted: Iterable[tuple[float, int]], default: float) -> float:
    counts: Counter[float] = Counter()
    for value, weight in weighted:
        counts[value] += weight
    return counts.most_common(1)[0][0] if counts else default


# ---------------------------------------------------------------------------------------------------------------
# Engine I/O (PDFium)


def read_pdf(data: bytes) -> LoadedDocument:
    """A PDF's bytes as a document; every failure is a one-line LoadError."""
    pages, metadata_title = extract_pages(data)
    return build_document(pages, metadata_title)


def extract_pages(data: bytes) -> tuple[list[Page], str]:
    """Every page's words (boxes, sizes, fonts) and the metadata title, via PDFium."""
    import pypdfium2 as pdfium

    logger = logging.getLogger("pypdfium2")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with _PDFIUM_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                document = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as error:
                message = str(error).lower()
                if "password" in message:
                    raise LoadError("PDF is password-protected") from None
                raise LoadError(f"not a readable PDF ({one_line(error)})") from None
            try:
                metadata_title = str(document.get_metadata_dict().get("Title", "") or "")
                pages = [_page_words(document, index) for index in range(len(document))]
            finally:
                document.close()
    except LoadError:
        raise
    except Exception as error:  # PDFium reports damage through assorted errors
        raise LoadError(f"not a readable PDF ({one_line(error)})") from None
    finally:
        logger.setLevel(level)
    return pages, metadata_title


def _page_words(document: Any, index: int) -> Page:
    """One page's words: characters in stream order cut at spaces, jumps and font changes."""
    import pypdfium2.raw as raw

    page = document[index]
    textpage = page.get_textpage()
    try:
        width, height = page.get_size()
        if page.get_rotation() in (90, 270):  # the size as shown; characters' boxes are in the page's own space
            width, height = height, width
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        chars = _page_chars(raw, handle, count)
    finally:
        textpage.close()
        page.close()
    chars = _drop_garbled_fonts(chars)
    chars, width, height = _upright(chars, width, height)
    return Page(width, height, tuple(_words(drop_reference_marks(chars))))


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float  # PDF coordinates (y up) until _upright turns them top-down
    bottom: float
    size: float
    font: int
    bold: bool
    angle: int  # quarter turns
    space: bool = False
    paragraph_end: bool = False
    garbage: bool = False


def _page_chars(raw: Any, handle: Any, count: int) -> list[_Char]:
    """Every character with its loose box; size, font and direction are read once per text object (a run of
    text in one font and matrix), which keeps PDFium calls per character to three."""
    rect = raw.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    address = ctypes.c_void_p.from_buffer
    styles: dict[int, tuple[float, int, bool, int]] = {}  # text object -> (size, font, bold, quarter turns)
    chars: list[_Char] = []
    high_surrogate = 0  # PDFium gives a character beyond U+FFFF as two UTF-16 halves, each a "character"
    for index in range(count):
        code = raw.FPDFText_GetUnicode(handle, index)
        if 0xDC00 <= code <= 0xDFFF and high_surrogate and chars:
            chars[-1].text = clean_char(0x10000 + ((high_surrogate - 0xD800) << 10) + (code - 0xDC00))
            high_surrogate = 0
            continue
        high_surrogate = code if 0xD800 <= code <= 0xDBFF else 0
        if code in (0x20, 0x09, 0x0A, 0x0D, 0xA0, 0x2028, 0x2029, 0x3000) or 0x2000 <= code <= 0x200A:
            if chars:
                chars[-1].space = True
                chars[-1].paragraph_end |= code == 0x2029
            continue
        raw.FPDFText_GetLooseCharBox(handle, index, rect)
        raw.FPDFText_GetCharOrigin(handle, index, origin_x, origin_y)
        text_object = raw.FPDFText_GetTextObject(handle, index)
        key = address(text_object).value or 0
        style = styles.get(key)
        if style is None:
            style = styles[key] = _style(raw, handle, index, text_object)
        size, font, bold, angle = style
        left, right, top, bottom = rect.left, rect.right, rect.top, rect.bottom
        # across the text direction the box is the baseline plus the font size: fonts' own ascent and descent
        # vary (some twice the size), and would merge neighbouring lines
        ascent, descent = 0.8 * size, 0.2 * size
        if angle == 0:
            top, bottom = origin_y.value + ascent, origin_y.value - descent
        elif angle == 2:
            top, bottom = origin_y.value + descent, origin_y.value - ascent
        elif angle == 1:
            left, right = origin_x.value - ascent, origin_x.value + descent
        else:
            left, right = origin_x.value - descent, origin_x.value + ascent
        garbage = (code < 0x20 and code != 0x02) or code == 0xFFFD
        chars.append(_Char(clean_char(code), left, right, top, bottom, size, font, bold, angle, garbage=garbage))
    return chars


def _style(raw: Any, handle: Any, index: int, text_object: Any) -> tuple[float, int, bool, int]:
    """Size in points (font size times the text matrix scale), font identity, boldness and direction."""
    matrix = raw.FS_MATRIX()
    size = raw.FPDFText_GetFontSize(handle, index)
    if raw.FPDFText_GetMatrix(handle, index, matrix):
        size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
    font_handle = raw.FPDFTextObj_GetFont(text_object) if text_object else None
    font = (ctypes.c_void_p.from_buffer(font_handle).value or 0) if font_handle else 0
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    raw.FPDFText_GetFontInfo(handle, index, name, len(name), flags)
    font_name = name.value.decode("latin-1", "replace")
    bold = bool(_BOLD_FONT.search(font_name)) or raw.FPDFText_GetFontWeight(handle, index) >= 600
    angle = round(raw.FPDFText_GetCharAngle(handle, index) / (math.pi / 2)) % 4
    return size, font, bold, angle


def _drop_garbled_fonts(chars: list[_Char]) -> list[_Char]:
    """Text in a font without a Unicode map comes out as control codes (`7KRXJKW` for `Thought`): drop it."""
    total: Counter[int] = Counter(char.font for char in chars)
    bad: Counter[int] = Counter(char.font for char in chars if char.garbage)
    garbled = {font for font, number in bad.items() if number >= 3 and number >= 0.05 * total[font]}
    kept: list[_Char] = []
    for char in chars:
        if char.font in garbled or not char.text:
            if kept:  # a dropped character still separates words
                kept[-1].space |= char.space
                kept[-1].paragraph_end |= char.paragraph_end
            continue
        kept.append(char)
    return kept


_MARK_CHARS = frozenset("0123456789*†‡§,–-")
_MARK_AFTER = frozenset(".,;:!?)]’”'\"")


def drop_reference_marks(chars: list[_Char]) -> list[_Char]:
    """Leave out raised footnote reference marks ("too late.204 A paper" -> "too late. A paper").

    A mark is a run of digits (or *, †, ‡, §, with commas and dashes between numbers) set smaller than the
    letter or punctuation it is attached to and raised above that character's baseline. Left in, it glues
    a number to the sentence before it, which then neither ends nor reads as a sentence.
    """
    kept: list[_Char] = []
    index = 0
    while index < len(chars):
        char = chars[index]
        anchor = kept[-1] if kept else None
        if (
            anchor is not None
            and (not anchor.space or (anchor.text in _MARK_AFTER and _just_after(char, anchor)))  # "channels. ³"
            and (anchor.text.isalpha() or anchor.text in _MARK_AFTER)
            and (char.text.isdigit() or char.text in "*†‡§")
            and _raised_and_small(char, anchor)
        ):
            end = index + 1
            while (
                end < len(chars)
                and not chars[end - 1].space
                and chars[end].text in _MARK_CHARS
                and _raised_and_small(chars[end], anchor)
            ):
                end += 1
            anchor.space = anchor.space or chars[end - 1].space
            anchor.paragraph_end = anchor.paragraph_end or chars[end - 1].paragraph_end
            index = end
            continue
        kept.append(char)
        index += 1
    return kept


def _just_after(char: _Char, anchor: _Char) -> bool:
    """On the anchor's line, at most half its size to its right: a mark set apart by a space, not the next line."""
    gap = char.x0 - anchor.x1
    return -0.1 * anchor.size <= gap <= 0.5 * anchor.size and char.top < anchor.bottom and char.bottom > anchor.top


def _raised_and_small(char: _Char, anchor: _Char) -> bool:
    """Set at most 80 % of the anchor's size, with its baseline at least 15 % of the anchor's size higher."""
    baseline, anchor_baseline = char.bottom - 0.2 * char.size, anchor.bottom - 0.2 * anchor.size
    return char.size <= 0.8 * anchor.size and baseline < anchor_baseline - 0.15 * anchor.size


def _upright(chars: list[_Char], width: float, height: float) -> tuple[list[_Char], float, float]:
    """Keep the page's main text direction, turned upright with top-down coordinates; drop stray rotated text
    (an arXiv stamp in the margin)."""
    if not chars:
        return chars, width, height
    direction = Counter(char.angle for char in chars).most_common(1)[0][0]
    kept = [char for char in chars if char.angle == direction]
    direction = _reading_direction(kept, direction)
    for char in kept:
        x0, x1, bottom, top = char.x0, char.x1, char.bottom, char.top  # PDF space, y up
        if direction == 0:
            char.x0, char.x1, char.top, char.bottom = x0, x1, height - top, height - bottom
        elif direction == 1:  # text runs upwards (angle 90 degrees)
            char.x0, char.x1, char.top, char.bottom = bottom, top, x0, x1
        elif direction == 2:
            char.x0, char.x1, char.top, char.bottom = width - x1, width - x0, bottom, top
        else:  # text runs downwards
            char.x0, char.x1, char.top, char.bottom = height - top, height - bottom, width - x1, width - x0
    if direction in (1, 3):
        width, height = height, width
    return kept, width, height


def _reading_direction(chars: Sequence[_Char], direction: int) -> int:
    """The direction the characters are written in, as their order in the stream shows: the text matrix can say
    the opposite (pages of a report turned to landscape read reversed, "ycnegnitnoc SRAS")."""
    along = {0: lambda c: c.x0, 1: lambda c: c.bottom, 2: lambda c: -c.x1, 3: lambda c: -c.top}[direction]
    steps = [along(b) - along(a) for a, b in itertools.pairwise(chars) if abs(along(b) - along(a)) < 2 * max(a.size, 1)]
    backwards = sum(step < 0 for step in steps)
    return (direction + 2) % 4 if len(steps) >= 20 and backwards > 0.8 * len(steps) else direction


def _words(chars: Sequence[_Char]) -> list[Word]:
    """Cut the character stream into words at spaces and wherever the next character is not adjacent."""
    words: list[Word] = []
    run: list[_Char] = []
    top = bottom = 0.0

    def close() -> None:
        letters = [c for c in run if c.text.isalnum()] or run
        words.append(
            Word(
                "".join(c.text for c in run),
                min(c.x0 for c in run),
                max(c.x1 for c in run),
                top,
                bottom,
                round(max(c.size for c in letters), 2),
                sum(c.bold for c in run) * 2 >= len(run),
                run[-1].paragraph_end,
            )
        )
        run.clear()

    for char in chars:
        if run:
            last = run[-1]
            centre = (char.top + char.bottom) / 2
            em = max(last.size, char.size, 1.0)
            shift = abs((char.bottom - 0.2 * char.size) - (last.bottom - 0.2 * last.size))  # baseline change
            if (
                not (last.x0 - 0.5 <= char.x0 <= last.x1 + SPACE_GAP_EM * em and top <= centre <= bottom)
                or shift > 0.15 * em
            ):
                close()  # a raised footnote mark is a word of its own; lines glue it back where it touches
        if run:
            top, bottom = min(top, char.top), max(bottom, char.bottom)
        else:
            top, bottom = char.top, char.bottom
        run.append(char)
        if char.space:
            close()
    if run:
        close()
    return words
