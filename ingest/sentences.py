"""Sentence spans inside a stretch of document text, as offsets (never copies)."""

from __future__ import annotations

import re

from ingest.structure import bullet_marker_length

_BOUNDARY = re.compile(r"(?<=[.!?…])(?P<close>[\"'”’)\]]*)[ \t]+(?=[\"'“‘(\[]?[A-Z0-9£$€])|\n+")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "Dr.", "Mr.", "Mrs.", "Ms.", "St.", "No.", "approx.", "Fig.")
_TRIM = " \t\r\n"
MIN_EVIDENCE_CHARS = 25


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], bullet markers and padding trimmed."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, stop):
        close = match.group("close")
        if close is not None and _after_abbreviation(text, match.start()):
            continue
        _append_trimmed(text, cursor, match.start() + len(close or ""), spans)
        cursor = match.end()
    _append_trimmed(text, cursor, stop, spans)
    return spans


def _after_abbreviation(text: str, position: int) -> bool:
    window = text[max(0, position - 8) : position]
    return window.endswith(_ABBREVIATIONS)


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip(_TRIM) == "":
        start += bullet_marker_length(text[start:end])
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if end > start:
        spans.append((start, end))


def evidence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of a chunk worth quoting on their own: fragments under 25 characters are left
    out unless the chunk has nothing longer."""
    spans = sentence_spans(text)
    kept = [(start, end) for start, end in spans if end - start >= MIN_EVIDENCE_CHARS]
    return kept or spans
