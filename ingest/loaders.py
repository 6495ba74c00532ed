"""Read review documents into verbatim text plus structure; every failure is a one-line LoadError."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path

from ingest.cleaning import is_navigation
from ingest.structure import Block, LoadedDocument, segment_markdown, segment_plain_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
_CONTROL_TOLERANCE = 0.01
_DROPPED_HTML = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg"]
_HTML_BLOCKS = {
    **{f"h{level}": "heading" for level in range(1, 7)},
    "p": "paragraph",
    "li": "bullet",
    "blockquote": "paragraph",
    "pre": "paragraph",
    "dt": "paragraph",
    "dd": "paragraph",
    "td": "paragraph",
    "th": "paragraph",
    "figcaption": "paragraph",
    "caption": "paragraph",
}


class LoadError(ValueError):
    """A file that cannot become a document; the message is one line for the user."""


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
    return document


def decode_text(data: bytes) -> str:
    """UTF-8 first, then Windows-1252 and Latin-1; binary or garbled bytes are refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:  # a BOM followed by bytes that are not UTF-16
            raise LoadError("not a text file (binary or undecodable bytes)") from None
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\n\t\f")
    if "\x00" in text or controls > _CONTROL_TOLERANCE * max(len(text), 1):
        raise LoadError("not a text file (binary or undecodable bytes)")
    return text


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
    blocks = segment_plain_text(text)
    if blocks and blocks[0].kind == "heading" and not is_navigation(text[blocks[0].start : blocks[0].end]):
        blocks[0] = Block("heading", blocks[0].start, blocks[0].end, level=1)
        title = " ".join(text[blocks[0].start : blocks[0].end].split())
    else:
        title = title_from_filename(path)
    return LoadedDocument(text, title, tuple(blocks))


def _read_markdown(path: Path, data: bytes) -> LoadedDocument:
    text = decode_text(data)
    blocks = segment_markdown(text)
    return LoadedDocument(text, _title(text, blocks, path), tuple(blocks))


class _TextBuilder:
    """Concatenate extracted pieces into one text while recording each piece's block."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []

    def add(self, piece: str, kind: str, level: int = 0) -> None:
        piece = " ".join(piece.split())
        if not piece:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        self.blocks.append(Block(kind, self.length, self.length + len(piece), level))  # type: ignore[arg-type]
        self.parts.append(piece)
        self.length += len(piece)

    def text(self) -> str:
        return "".join(self.parts)


def _read_html(path: Path, data: bytes) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "html.parser")
    for element in soup.find_all(_DROPPED_HTML):
        element.decompose()
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    builder = _TextBuilder()
    for element in soup.find_all(list(_HTML_BLOCKS)):
        if element.find(list(_HTML_BLOCKS)) is not None:
            continue  # only innermost blocks, so no text appears twice
        kind = _HTML_BLOCKS[element.name]
        builder.add(element.get_text(" "), kind, int(element.name[1]) if kind == "heading" else 0)
    if not builder.blocks:
        body = soup.body or soup
        for line in body.get_text("\n").splitlines():
            builder.add(line, "paragraph")
    text = builder.text()
    title = " ".join(page_title.split()) or _title(text, builder.blocks, path)
    return LoadedDocument(text, title, tuple(builder.blocks))


def _read_pdf(path: Path, data: bytes) -> LoadedDocument:
    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    log_level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # "EOF marker not found" etc. would reach stderr beside our one line
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise LoadError("PDF is password-protected")
            pages = [page.extract_text() or "" for page in reader.pages]
            metadata_title = (reader.metadata.title if reader.metadata else None) or ""
    except LoadError:
        raise
    except Exception as error:  # damaged PDFs raise PdfReadError, NotImplementedError, LimitReachedError, ...
        raise LoadError(f"not a readable PDF ({_one_line(error)})") from None
    finally:
        pypdf_log.setLevel(log_level)
    if not any(page.strip() for page in pages):
        raise LoadError("PDF has no extractable text (scanned images need OCR first)")
    text_parts: list[str] = []
    page_starts: list[int] = []
    blocks: list[Block] = []
    offset = 0
    for page_text in pages:
        page_text = page_text.replace("\r\n", "\n").replace("\x00", "")
        page_starts.append(offset)
        blocks.extend(segment_plain_text(page_text, offset))
        text_parts.append(page_text + "\n\n")
        offset += len(page_text) + 2
    text = "".join(text_parts)
    title = " ".join(str(metadata_title).split()) or _title(text, blocks, path)
    return LoadedDocument(text, title, tuple(blocks), tuple(page_starts))


def _read_docx(path: Path, data: bytes) -> LoadedDocument:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # zipfile, lxml and python-docx each raise their own kinds
        raise LoadError(f"not a readable DOCX ({_one_line(error)})") from None
    builder = _TextBuilder()
    core_title = document.core_properties.title or ""
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                builder.add(" | ".join(dict.fromkeys(cell.text.strip() for cell in row.cells)), "paragraph")
            continue
        style = (item.style.name if item.style is not None else "") or ""
        heading = re.match(r"Heading (\d)", style)
        if style == "Title":
            core_title = core_title or item.text
            builder.add(item.text, "heading", 1)
        elif heading:
            builder.add(item.text, "heading", int(heading.group(1)) + 1)
        elif style.startswith("List") or (item._p.pPr is not None and item._p.pPr.numPr is not None):
            builder.add(item.text, "bullet")
        else:
            builder.add(item.text, "paragraph")
    text = builder.text()
    title = " ".join(core_title.split()) or _title(text, builder.blocks, path)
    return LoadedDocument(text, title, tuple(builder.blocks))


def _one_line(error: BaseException) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message[:160]


_READERS: dict[str, Callable[[Path, bytes], LoadedDocument]] = {
    ".txt": _read_plain,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}
