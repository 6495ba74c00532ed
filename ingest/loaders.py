"""Read review documents into verbatim text plus structure; every failure is a one-line LoadError."""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import charset_normalizer

from ingest.cleaning import is_navigation
from ingest.html import looks_like_html, read_html
from ingest.pdf import read_pdf
from ingest.structure import (
    Block,
    LoadedDocument,
    LoadError,
    TextBuilder,
    one_line,
    segment_markdown,
    segment_plain_text,
    unfold_ligatures,
)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
_CONTROL_TOLERANCE = 0.01
_FRONT_MATTER_TITLE = re.compile(r"---[ \t]*\n(?:(?!---)[^\n]*\n)*?title:[ \t]*([^\n]+)\n")
_DECLARED_ENCODING = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair, which a PDF's text layer can hold
# A DOCX is a zip: python-docx reads every part into memory and parses the XML whole. A real report unpacks to
# a few MB; a zip bomb to hundreds of MB or more (20 MB of document XML took python-docx 20 s and 450 MB).
_DOCX_MAX_UNPACKED_MB = 200
_DOCX_MAX_MARKUP_MB = 50  # the XML parts: all but word/media/
_REPEATED_LABEL_CHARS = 80  # a cell merged down over several rows is repeated in each only up to this long


def load_document(path: Path, data: bytes) -> LoadedDocument:
    """Turn a file's bytes into a document, choosing the reader by suffix."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise LoadError(f"unsupported file type '{suffix or path.name}' (use {', '.join(SUPPORTED_SUFFIXES)})")
    if not data.strip():
        raise LoadError("file is empty")
    document = reader(path, data)
    if not document.text.strip() or not document.blocks:
        raise LoadError("no text found in file")
    if _LONE_SURROGATE.search(document.text + document.title):  # the encoder's tokenizer refuses them, and a batch
        document = replace(  # with them; the same length, so every offset holds
            document,
            text=_LONE_SURROGATE.sub("\ufffd", document.text),
            title=_LONE_SURROGATE.sub("\ufffd", document.title),
        )
    return document


def decode_text(data: bytes) -> str:
    """UTF-8 first, then the code page the file declares or else reads best in; UTF-16 and UTF-32 by their
    byte-order marks, UTF-16 without one by the zero byte beside each ASCII letter; binary or garbled bytes are
    refused."""
    wide = "utf-32" if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else None
    marked = wide or data.startswith((b"\xff\xfe", b"\xfe\xff"))
    unmarked = None if marked else _utf16_without_mark(data)
    if marked or unmarked:
        try:
            text = data.decode(wide or unmarked or "utf-16")
        except UnicodeDecodeError:  # a BOM followed by bytes that are not UTF-16
            raise LoadError("not a text file (binary or undecodable bytes)") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    text = unfold_ligatures(text.replace("\r\n", "\n").replace("\r", "\n"))
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\n\t\f")
    if "\x00" in text or controls > _CONTROL_TOLERANCE * max(len(text), 1):
        raise LoadError("not a text file (binary or undecodable bytes)")
    return text


def _decode_legacy(data: bytes) -> str:
    """Bytes that are not UTF-8: the code page they declare, else Windows-1252 unless charset_normalizer finds
    a code page that reads them with less mess. Western text is what staff here mostly hold, and a short
    English file with one dash or pound sign reads as cleanly in Central European or DOS code pages; Polish,
    Russian or Japanese files do not read in Windows-1252 (chardet's 424 test files: 395 decoded exactly, 383
    without declarations, against 41 by Windows-1252 alone; all 38 English texts re-encoded in Windows-1252 or
    Latin-1 still right)."""
    declared = _declared_encoding(data)
    if declared:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):  # declared wrongly, or a codec that is not a text encoding
            pass
    guesses = list(charset_normalizer.from_bytes(data))
    western = next((guess for guess in guesses if guess.encoding == "cp1252"), None)
    if western is None:  # not among the guesses: judged on its own
        western = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and (not guesses or western.chaos <= guesses[0].chaos):
        guesses.insert(0, western)
    for guess in guesses:
        try:
            return data.decode(guess.encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")  # every byte is a character; the control-character check judges the result


def _declared_encoding(data: bytes) -> str | None:
    """The code page a web page or XML file names for itself (`<meta charset=...>`, `<?xml encoding=...?>`), as
    a browser reads it: ISO-8859-1 and ASCII mean Windows-1252. Decoding by it read 303 of chardet's 304
    declared non-UTF-8 files exactly, where guessing read 291 (Central European pages above all)."""
    found = _DECLARED_ENCODING.search(data[:4096])
    if not found:
        return None
    try:
        name = codecs.lookup((found.group(1) or found.group(2)).decode("ascii")).name
    except LookupError:
        return None
    return "cp1252" if name in ("iso8859-1", "latin-1", "ascii") else name


def _utf16_without_mark(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when the text is mostly ASCII in UTF-16 without a byte-order mark: zero
    bytes at odd (little-endian) or even (big-endian) places and hardly any at the others."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 4 or len(data) % 2:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.6 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def title_from_filename(path: Path) -> str:
    """A readable title when the document has none: `cqc-state-of-care-2019-20` -> `CQC state of care 2019-20`."""
    words = re.sub(r"(?<!\d)[-_.\s]+|[-_.\s]+(?!\d)|[_.\s]+", " ", path.stem).strip().split()
    if not words:
        return path.name
    shaped = [word.upper() if len(word) <= 4 and not re.search(r"[aeiouy\d]", word, re.I) else word for word in words]
    first = shaped[0]
    return " ".join([first[:1].upper() + first[1:], *shaped[1:]])


def _title(text: str, blocks: list[Block], path: Path) -> str:
    headings = [block for block in blocks if block.kind == "heading"]
    top = min((block.level for block in headings), default=0)
    for block in headings:
        if block.level == top:
            return " ".join(text[block.start : block.end].split())
    return title_from_filename(path)


def _read_plain(path: Path, data: bytes) -> LoadedDocument:
    text = decode_text(data)
    if looks_like_html(text):  # a web page saved as .txt
        return _titled(read_html(text), path)
    blocks = segment_plain_text(text)
    if blocks and blocks[0].kind == "heading" and not is_navigation(text[blocks[0].start : blocks[0].end]):
        blocks[0] = Block("heading", blocks[0].start, blocks[0].end, level=1)
        title = " ".join(text[blocks[0].start : blocks[0].end].split())
    else:
        title = title_from_filename(path)
    return LoadedDocument(text, title, tuple(blocks))


def _titled(document: LoadedDocument, path: Path) -> LoadedDocument:
    """The document with a title: its own, or else one made from the file name."""
    return document if document.title else replace(document, title=title_from_filename(path))


def _read_markdown(path: Path, data: bytes) -> LoadedDocument:
    text = decode_text(data)
    blocks = segment_markdown(text)
    titled = _FRONT_MATTER_TITLE.match(text)  # a site's page names itself in its front matter
    title = " ".join(titled.group(1).strip("'\"").split()) if titled else ""
    return LoadedDocument(text, title or _title(text, blocks, path), tuple(blocks))


def _read_html(path: Path, data: bytes) -> LoadedDocument:
    return _titled(read_html(decode_text(data)), path)


def _read_pdf(path: Path, data: bytes) -> LoadedDocument:
    return _titled(read_pdf(data), path)


def _read_docx(path: Path, data: bytes) -> LoadedDocument:
    import docx
    from docx.table import Table

    _check_unpacked_size(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # zipfile, lxml and python-docx each raise their own kinds
        raise LoadError(f"not a readable DOCX ({one_line(error)})") from None
    builder = TextBuilder()
    core_title = document.core_properties.title or ""
    styled_title = ""  # the first Heading 1: a title the author marked, unlike a short line read as a heading
    body_lines: list[str] = []  # consecutive plain paragraphs, read like lines of a text file

    def add_body() -> None:
        """Word files converted from PDFs hold one paragraph per line: join the wraps as in plain text."""
        segment = "\n".join(body_lines)
        for block in segment_plain_text(segment):
            builder.add(segment[block.start : block.end], block.kind, block.level)
        body_lines.clear()

    for item in document.iter_inner_content():
        style = "" if isinstance(item, Table) else (item.style.name if item.style is not None else "") or ""
        heading = re.match(r"Heading (\d)", style)
        listed = style.startswith("List") or (
            not isinstance(item, Table) and item._p.pPr is not None and item._p.pPr.numPr is not None
        )
        paragraph = "" if isinstance(item, Table) else _paragraph_text(item)
        if not isinstance(item, Table) and not heading and style != "Title" and not listed:
            body_lines.append(paragraph)
            continue
        add_body()
        if isinstance(item, Table):
            above: list[Any] = []
            for row in item.rows:
                row_cells = _row_cells(row)
                cells = dict.fromkeys(  # a merged cell repeats itself across the row
                    _cell_text(cell)
                    for column, cell in enumerate(row_cells)
                    if not _continued_prose(cell, above[column] if column < len(above) else None)
                )
                builder.add(" | ".join(cell for cell in cells if cell), "paragraph")
                above = row_cells
        elif style == "Title":
            core_title = core_title or paragraph
            builder.add(paragraph, "heading", 1)
        elif heading:
            styled_title = styled_title or (paragraph if heading.group(1) == "1" else "")
            builder.add(paragraph, "heading", int(heading.group(1)) + 1)
        else:
            builder.add(paragraph, "bullet")
    add_body()
    text = builder.text()
    title = " ".join(unfold_ligatures(core_title or styled_title).split()) or title_from_filename(path)
    return LoadedDocument(text, title, tuple(builder.blocks))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_KEPT_TEXT = {_W + "t": "", _W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_DROPPED = {_W + "del", _W + "moveFrom"}  # tracked deletions, and text moved away from here


def _paragraph_text(paragraph: Any) -> str:
    """A paragraph's text with its tracked changes accepted: inserted and moved-in runs read, deleted and
    moved-out ones not. python-docx reads only the paragraph's own runs, so an insertion went missing while
    its deletion was applied, giving a text that is neither version."""
    parts: list[str] = []

    def read(element: Any) -> None:
        for child in element:
            tag = child.tag
            if tag in _DROPPED or not isinstance(tag, str):
                continue
            if tag == _W + "r":
                for piece in child:
                    if piece.tag == _W + "br" and piece.get(_W + "type", "textWrapping") != "textWrapping":
                        continue  # a page or column break, which python-docx reads as nothing too
                    if piece.tag in _KEPT_TEXT:
                        parts.append(_KEPT_TEXT[piece.tag] or piece.text or "")
            elif tag != _W + "pPr":
                read(child)  # insertions, moves in, hyperlinks, fields, content controls

    read(paragraph._p)
    return "".join(parts)


def _row_cells(row: Any) -> list[Any]:
    """A table row's cells; python-docx cannot lay out a row whose merged cells disagree with the table's grid
    (`no tc element at grid_offset`), and then the row's own cells are read as they stand."""
    from docx.table import _Cell

    try:
        return list(row.cells)
    except ValueError:
        return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def _continued_prose(cell: Any, above: Any) -> bool:
    """A cell merged down from the row above that holds prose: read once, in the row it starts in. python-docx
    repeats it in every row it spans, and a long question repeated in each row of its options made the rows
    near-duplicates (the answer's row was passed over as a copy of another). A short label stays with each row:
    it says which group the row belongs to."""
    return above is not None and cell._tc is above._tc and len(cell.text) > _REPEATED_LABEL_CHARS


def _cell_text(cell: Any) -> str:
    """A table cell's paragraphs and line breaks on one line. One that ends without punctuation is a list item
    or a label ("Financial year", "Age-group and gender"): a semicolon keeps it apart from the next."""
    text = ""
    for line in (
        " ".join(line.split()) for paragraph in cell.paragraphs for line in _paragraph_text(paragraph).split("\n")
    ):
        if line:
            text += ("" if not text else " " if text.endswith((".", ":", ";", ",", "!", "?")) else "; ") + line
    return text


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a zip bomb before python-docx inflates it: first by the sizes the archive declares, then by
    reading each part in 1 MB steps, so a part that inflates past its declared size fails its CRC check here
    instead of being inflated whole in one call (zipfile's read-all does that, then cuts it to size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            total = sum(member.file_size for member in members) / 1e6
            markup = sum(member.file_size for member in members if not member.filename.startswith("word/media/"))
            for size, limit in ((total, _DOCX_MAX_UNPACKED_MB), (markup / 1e6, _DOCX_MAX_MARKUP_MB)):
                if size > limit:
                    raise LoadError(f"DOCX would unpack to {size:.0f} MB, over the {limit} MB limit (a zip bomb?)")
            for member in members:
                with archive.open(member) as part:
                    while part.read(1 << 20):
                        pass
    except LoadError:
        raise
    except Exception as error:  # BadZipFile (not a zip, bad CRC), encrypted parts, a damaged directory
        raise LoadError(f"not a readable DOCX ({one_line(error)})") from None


_READERS: dict[str, Callable[[Path, bytes], LoadedDocument]] = {
    ".txt": _read_plain,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
