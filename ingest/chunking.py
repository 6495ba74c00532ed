"""Finding-aware chunking: a chunk is one finding, or a run of findings under one heading, with its heading path.

Pure: takes a loaded document and the indices of its boilerplate blocks, returns spans.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ingest.sentences import MIN_EVIDENCE_CHARS, sentence_spans
from ingest.structure import Block, LoadedDocument

MAX_CHARS = 1200
MIN_CHARS = 800  # a chunk keeps taking the next paragraph of its section until it is this long
SECTION_SEPARATOR = " > "


@dataclass(frozen=True)
class Chunk:
    """A contiguous span of the document text; `text == document_text[start:end]`."""

    text: str
    start: int
    end: int
    section: str | None
    page: int | None


@dataclass
class _Group:
    section: str | None
    start: int
    end: int
    last_kind: str
    only_headings: bool


def chunk_document(
    document: LoadedDocument,
    boilerplate: Iterable[int] = (),
    *,
    max_chars: int = MAX_CHARS,
    min_chars: int = MIN_CHARS,
) -> list[Chunk]:
    """Group a document's blocks into findings along its headings, bullets and paragraphs."""
    text = document.text
    skip = set(boilerplate)
    title_index = _title_block(document, skip)
    headings: list[tuple[int, str]] = []
    groups: list[_Group] = []
    current: _Group | None = None

    for index, block in enumerate(document.blocks):
        if index in skip:
            if current is not None and not current.only_headings:
                groups.append(current)
            current = None  # a finding never spans page furniture
            continue
        if block.kind == "heading":
            if index != title_index:
                while headings and headings[-1][0] >= block.level:
                    headings.pop()
                headings.append((block.level, " ".join(text[block.start : block.end].split())))
            if current is not None and not current.only_headings:
                groups.append(current)
                current = None
            section = SECTION_SEPARATOR.join(name for _, name in headings) or None
            if current is None:
                current = _Group(section, block.start, block.end, "heading", True)
            else:  # consecutive headings: keep the deeper one as the start of the finding
                current = _Group(section, current.start, block.end, "heading", True)
            continue
        for start, end in _units(text, block, max_chars):
            if current is not None and _joins(text, current, start, end, max_chars, min_chars):
                current.end, current.last_kind, current.only_headings = end, block.kind, False
                continue
            if current is not None:
                groups.append(current)
            section = SECTION_SEPARATOR.join(name for _, name in headings) or None
            current = _Group(section, start, end, block.kind, False)
    if current is not None and not current.only_headings:
        groups.append(current)

    return [
        Chunk(text[group.start : group.end], group.start, group.end, group.section, document.page_at(group.start))
        for group in groups
        if not group.only_headings
    ]


def chunk_sentences(document: LoadedDocument, chunk: Chunk) -> list[tuple[int, int]]:
    """Quotable sentences of a chunk, found block by block, so a heading never joins the sentence after it.

    Fragments under MIN_EVIDENCE_CHARS are left out unless the chunk has nothing longer.
    """
    spans = [
        span
        for block in document.blocks
        if block.kind != "furniture" and block.start < chunk.end and block.end > chunk.start
        for span in sentence_spans(document.text, max(block.start, chunk.start), min(block.end, chunk.end))
    ]
    kept = [(start, end) for start, end in spans if end - start >= MIN_EVIDENCE_CHARS]
    return kept or spans


def _title_block(document: LoadedDocument, skip: set[int]) -> int | None:
    """The document's first heading when it is the document's title (kept out of section paths)."""
    for index, block in enumerate(document.blocks):
        if index in skip:
            continue
        if block.kind == "heading" and " ".join(document.text[block.start : block.end].split()) == document.title:
            return index
        return None
    return None


def _joins(text: str, group: _Group, start: int, end: int, max_chars: int, min_chars: int) -> bool:
    """Whether a unit belongs with the finding being built rather than starting its own."""
    if end - group.start > max_chars:
        return False
    if group.only_headings:
        return True
    lead_in = text[group.start : group.end].rstrip().endswith(":")
    return lead_in or group.end - group.start < min_chars


def _units(text: str, block: Block, max_chars: int) -> list[tuple[int, int]]:
    """A block, or sentence-aligned pieces of it when it is longer than one chunk."""
    if block.end - block.start <= max_chars:
        return [(block.start, block.end)]
    pieces: list[tuple[int, int]] = []
    for start, end in sentence_spans(text, block.start, block.end):
        if pieces and end - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.extend(_hard_wrap(text, start, end, max_chars))
    return pieces


def _hard_wrap(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split a run-on sentence at spaces so no chunk grows without bound."""
    pieces: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + max_chars // 2, start + max_chars)
        cut = cut if cut > start else start + max_chars
        pieces.append((start, cut))
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    pieces.append((start, end))
    return pieces
