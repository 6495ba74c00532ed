"""Ingest files into the store idempotently: unchanged content costs no embedding work.

Each file is read, chunked and embedded before anything is written, so a file that fails
leaves the store exactly as it was and the rest of the batch carries on. A document is its
source name: a title never merges or replaces anything.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ingest.chunking import Chunk, chunk_document, chunk_sentences
from ingest.cleaning import boilerplate_blocks
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
from ingest.structure import LoadedDocument
from vectorstore.store import ChunkRecord, DocumentRecord, DocumentWrite, EvidenceStore, SentenceRecord

Progress = Callable[[int, int, str], None]  # (files done, files, what is happening now)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_CHARS = 3_000_000  # about 1,500 pages; bench/ingest.py times how long a text this size takes
EMBED_GROUP_TEXTS = 1024  # texts (chunks and sentences) embedded in one pass across files; small, so progress moves


@dataclass
class IngestReport:
    """The design's ingest report; `chunks` is the store's total after the run."""

    added: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def doc_id_for(name: str) -> str:
    """Identity from the normalised source name: `CQC Report (v2).PDF` -> `cqc-report-v2`."""
    stem = Path(name).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    if slug and len(slug) <= 80 and stem.isascii():
        return slug
    digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]  # keeps `café` and `cafe` apart
    return f"{slug[:70].strip('-') or 'doc'}-{digest}"


def chunk_ids(doc_id: str, chunks: Sequence[Chunk], version: int) -> list[str]:
    """Ids from the document's version and each chunk's content and section: within a version an
    unchanged finding keeps its id, and two versions never share a row."""
    seen: Counter[str] = Counter()
    ids = []
    for chunk in chunks:
        digest = hashlib.sha256(f"{chunk.section or ''}\x1f{chunk.text}".encode()).hexdigest()[:16]
        seen[digest] += 1
        ids.append(f"{doc_id}:v{version}:{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return ids


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[dict[str, str]]]:
    """Expand folders (recursively) into supported files; report paths that do not exist."""
    files: list[Path] = []
    missing: list[dict[str, str]] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    candidate
                    for candidate in path.rglob("*")
                    if candidate.is_file()
                    and candidate.suffix.lower() in SUPPORTED_SUFFIXES
                    and not _is_project_file(candidate.relative_to(path))
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append({"path": str(path), "error": "no such file or folder"})
    unique: dict[Path, Path] = {}
    for file in files:  # one file named two ways (`a/../b.txt`, a symlink) is one file
        unique.setdefault(file.resolve(), file)
    return list(unique.values()), missing


def _is_project_file(relative: Path) -> bool:
    """Hidden files and upper-case notes such as README.md or SOURCES.md are not review documents."""
    return any(part.startswith(".") for part in relative.parts) or relative.stem.isupper()


@dataclass
class _Prepared:
    """A file read, chunked and split into sentences, waiting for its vectors and its write."""

    path: Path
    name: str
    doc_id: str
    sha256: str
    document: LoadedDocument | None  # None: the same content as an earlier file of the batch
    chunks: list[Chunk] = field(default_factory=list)
    sentence_spans: list[list[tuple[int, int]]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # what gets embedded: headings and sentences
    chunk_parts: list[list[int]] = field(default_factory=list)  # per chunk: the texts its vector averages
    sentence_slots: list[int] = field(default_factory=list)  # per sentence, in order: its text's index

    def add_text(self, text: str) -> int:
        self.texts.append(text)
        return len(self.texts) - 1

    def vectors(self, text_vectors: Sequence[list[float]]) -> tuple[list[list[float]], list[list[float]]]:
        """(chunk vectors, sentence vectors): a chunk's vector is the mean of its heading's and its
        sentences' vectors, so every character is encoded once."""
        array = np.asarray(text_vectors, dtype=np.float32)
        means = np.stack([array[parts].mean(axis=0) for parts in self.chunk_parts])
        means /= np.linalg.norm(means, axis=1, keepdims=True)
        return means.tolist(), [text_vectors[slot] for slot in self.sentence_slots]


class Ingester:
    """Runs one ingest batch against a store.

    Files are read and chunked one by one, embedded together a group of files at a time (one encode
    pass, each distinct text once), then written together, one Chroma call per step for the group, while
    holding the writers' lock, so concurrent ingests never interleave their writes to one document."""

    def __init__(
        self,
        store: EvidenceStore,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_chars: int = DEFAULT_MAX_CHARS,
        writer_lock: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.max_chars = max_chars
        self.writer_lock = writer_lock

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        progress: Progress | None = None,
        display_names: dict[Path, str] | None = None,
    ) -> IngestReport:
        """Ingest files and folders; `display_names` gives uploads their original file names."""
        started = time.perf_counter()
        report = IngestReport()
        with self.writer_lock():
            self.store.recover()  # what a killed run left half-written
        files, report.failed = collect_files(paths)
        names = {path: _file_name((display_names or {}).get(path, path.name)) or path.name for path in files}
        stored = self.store.documents_by_id([doc_id_for(name) for name in names.values()])
        seen: set[str] = set()
        batch_ids: dict[str, Path] = {}
        batch_hashes: set[str] = set()
        group: list[_Prepared] = []
        for position, path in enumerate(files):
            name = names[path]
            if progress:
                progress(position, len(files), f"reading {name}")
            doc_id = doc_id_for(name)
            if doc_id in batch_ids:
                report.failed.append(
                    {"path": str(path), "error": f"same document id '{doc_id}' as {batch_ids[doc_id]}; rename one"}
                )
                continue
            batch_ids[doc_id] = path
            seen.add(doc_id)
            try:
                prepared = self._prepare(path, name, doc_id, stored.get(doc_id), batch_hashes)
            except Exception as error:  # a reader library's own error on a file it cannot parse fails that file too
                report.failed.append({"path": str(path), "error": _one_line(error, name)})
                continue
            if isinstance(prepared, dict):  # unchanged: nothing to embed or write
                seen.add(prepared["doc_id"])
                report.unchanged.append(prepared)
                continue
            batch_hashes.add(prepared.sha256)
            group.append(prepared)
            if sum(len(item.texts) for item in group) >= EMBED_GROUP_TEXTS:
                self._store_group(group, report, seen, _telling(progress, position, len(files), group))
                group = []
        if group:
            self._store_group(group, report, seen, _telling(progress, len(files) - 1, len(files), group))
        if prune:
            with self.writer_lock():
                for record in self.store.documents():
                    if record.doc_id not in seen:
                        self.store.remove_document(record.doc_id)
                        report.removed.append(_entry(record))
        if progress:
            progress(len(files), len(files), "done")
        report.chunks = self.store.chunk_count()
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _prepare(
        self, path: Path, name: str, doc_id: str, existing: DocumentRecord | None, batch_hashes: set[str]
    ) -> _Prepared | dict[str, Any]:
        """Read and chunk a file, or its report entry when its content is already stored."""
        size = path.stat().st_size
        if size > self.max_bytes:
            raise LoadError(f"file is {size / 1e6:.1f} MB, over the {self.max_bytes / 1e6:.0f} MB limit")
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        stored = self._stored_as(existing, sha256)
        if stored is not None:
            return _entry(stored, path)
        if sha256 in batch_hashes:  # an earlier file of this batch, not written yet: resolved at the write
            return _Prepared(path, name, doc_id, sha256, None)

        document = load_document(Path(name), data)
        if len(document.text) > self.max_chars:
            raise LoadError(
                f"text is {len(document.text):,} characters, over the {self.max_chars:,}-character limit "
                "(EVIDENCE_MAX_TEXT_CHARS)"
            )
        chunks = chunk_document(document, boilerplate_blocks(document.text, document.blocks))
        if not chunks:
            raise LoadError("no findings left after removing navigation and contents text")
        spans = [chunk_sentences(document, chunk) for chunk in chunks]
        prepared = _Prepared(path, name, doc_id, sha256, document, chunks, spans)
        for chunk, chunk_spans in zip(chunks, spans):
            sentences = [prepared.add_text(document.text[start:end]) for start, end in chunk_spans]
            prepared.sentence_slots += sentences
            heading = [prepared.add_text(chunk.section)] if chunk.section else []
            prepared.chunk_parts.append(heading + (sentences or [prepared.add_text(chunk.text)]))
        return prepared

    def _stored_as(
        self, existing: DocumentRecord | None, sha256: str, holding: dict[str, DocumentRecord] | None = None
    ) -> DocumentRecord | None:
        """The stored document that already holds this content: the file's own (unchanged) or another
        name's (a duplicate, or the file renamed). `holding` is `documents_holding` looked up already."""
        if existing is not None and existing.sha256 == sha256:
            return existing
        return (holding if holding is not None else self.store.documents_holding([sha256])).get(sha256)

    def _store_group(
        self,
        group: Sequence[_Prepared],
        report: IngestReport,
        seen: set[str],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Embed a group of files in one pass, then write them together; when the store fails, each file is
        written alone, so a store error fails one file."""
        texts = [text for item in group for text in item.texts]
        vectors = iter(embed_once(self.store.embeddings.embed_documents, texts, progress))
        file_vectors = [[next(vectors) for _ in item.texts] for item in group]
        with self.writer_lock():
            planned = self._plan(group, file_vectors)
            writes = [outcome for outcome in planned if isinstance(outcome, _Write)]
            try:
                self.store.put_documents([write.document for write in writes])
            except Exception:  # the store (a server gone away, a full disk): find which file it was
                failed = {id(write): error for write in writes if (error := self._write_alone(write)) is not None}
                planned = [_after_failures(outcome, failed) for outcome in planned]
        for item, outcome in zip(group, planned):
            if isinstance(outcome, str):
                report.failed.append({"path": str(item.path), "error": outcome})
                continue
            kind, record = ("unchanged", outcome.record) if isinstance(outcome, _Unchanged) else outcome.kind()
            seen.add(record.doc_id)
            getattr(report, kind).append(_entry(record, item.path))

    def _plan(self, group: Sequence[_Prepared], file_vectors: Sequence[Sequence[list[float]]]) -> list[_Outcome]:
        """What to do with each prepared file: write it as the next version of its document, or nothing
        (its content is stored already, or a file earlier in the group writes it). Runs under the writers'
        lock, so the stored state it decides on cannot change under it."""
        stored = self.store.documents_by_id([item.doc_id for item in group])
        holding = self.store.documents_holding([item.sha256 for item in group])
        writing: dict[str, _Write] = {}  # sha256 -> the write of this group that stores it
        planned: list[_Outcome] = []
        for item, vectors in zip(group, file_vectors):
            existing = stored.get(item.doc_id)
            if (already := self._stored_as(existing, item.sha256, holding)) is not None:
                planned.append(_Unchanged(already))
            elif item.sha256 in writing:
                planned.append(_Unchanged(writing[item.sha256].document.record, writing[item.sha256]))
            elif item.document is None:
                planned.append("same content as another file of this batch, which was not stored")
            else:
                write = _document_write(item, item.document, vectors, existing)
                writing[item.sha256] = _Write(write, existing is not None)
                planned.append(writing[item.sha256])
        return planned

    def _write_alone(self, write: _Write) -> str | None:
        """Write one document; the report's error when the store fails."""
        try:
            self.store.put_documents([write.document])
        except Exception as error:
            return f"could not store: {_message(error)}"
        return None


@dataclass(frozen=True)
class _Write:
    """A file to store as the next version of its document."""

    document: DocumentWrite
    revises: bool

    def kind(self) -> tuple[str, DocumentRecord]:
        return ("updated" if self.revises else "added"), self.document.record


@dataclass(frozen=True)
class _Unchanged:
    """A file whose content is stored already, or is written by `by`, a file earlier in its group."""

    record: DocumentRecord
    by: _Write | None = None


_Outcome = _Write | _Unchanged | str  # str: why the file failed


def _after_failures(outcome: _Outcome, failed: dict[int, str]) -> _Outcome:
    """A planned outcome once some writes failed: theirs fail, and so do the files they were to store."""
    if isinstance(outcome, _Write) and id(outcome) in failed:
        return failed[id(outcome)]
    if isinstance(outcome, _Unchanged) and outcome.by is not None and id(outcome.by) in failed:
        return "same content as another file of this batch, which was not stored"
    return outcome


def _document_write(
    item: _Prepared, document: LoadedDocument, vectors: Sequence[list[float]], existing: DocumentRecord | None
) -> DocumentWrite:
    """The rows of a prepared file as the next version of its document."""
    version = existing.version + 1 if existing else 1
    ids = chunk_ids(item.doc_id, item.chunks, version)
    sentences = [
        SentenceRecord(f"{chunk_id}#{number}", chunk_id, item.doc_id, document.text[start:end], start, end)
        for chunk_id, spans in zip(ids, item.sentence_spans)
        for number, (start, end) in enumerate(spans)
    ]
    record = DocumentRecord(
        doc_id=item.doc_id,
        title=document.title,
        source=item.name,
        path=str(item.path.resolve()),
        sha256=item.sha256,
        chunks=len(item.chunks),
        version=version,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    records = [
        ChunkRecord(
            chunk_id=chunk_id,
            doc_id=item.doc_id,
            title=document.title,
            source=item.name,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            section=chunk.section,
            page=chunk.page,
            sentence_spans=tuple(spans),
        )
        for chunk_id, chunk, spans in zip(ids, item.chunks, item.sentence_spans)
    ]
    chunk_vectors, sentence_vectors = item.vectors(vectors)
    return DocumentWrite(record, document.text, records, chunk_vectors, sentences, sentence_vectors)


def embed_once(
    embed: Callable[[list[str]], list[list[float]]],
    texts: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    slice_size: int = 256,
) -> list[list[float]]:
    """Vectors for `texts` with each distinct text embedded once (a repeated line, a one-sentence finding).

    Texts are embedded in slices of similar length, so progress can be told (`progress(done, total)`)
    without the padding that slicing texts of mixed lengths would cost.
    """
    distinct = sorted(dict.fromkeys(texts), key=len)
    vectors: dict[str, list[float]] = {}
    for start in range(0, len(distinct), slice_size):
        batch = distinct[start : start + slice_size]
        vectors.update(zip(batch, embed(batch)))
        if progress:
            progress(len(vectors), len(distinct))
    return [vectors[text] for text in texts]


def _telling(
    progress: Progress | None, position: int, total: int, group: Sequence[_Prepared]
) -> Callable[[int, int], None] | None:
    """Embedding progress told at the file position, so a long file's bar does not stand still."""
    if progress is None:
        return None
    files = group[0].name if len(group) == 1 else f"{len(group)} files"
    return lambda done, texts: progress(position, total, f"embedding {done:,}/{texts:,} passages of {files}")


def _entry(record: DocumentRecord, path: Path | None = None) -> dict[str, Any]:
    return {
        "doc_id": record.doc_id,
        "path": str(path) if path is not None else record.path,
        "title": record.title,
        "chunks": record.chunks,
        "version": record.version,
    }


def _file_name(name: str) -> str:
    """An upload's name without any folders it claims (`../../etc/passwd.txt` -> `passwd.txt`)."""
    return PurePosixPath(name.replace("\\", "/")).name


def _one_line(error: BaseException, name: str) -> str:
    """A loader's, the file system's or a reader library's error on the file `name`, for the report."""
    if isinstance(error, LoadError):
        return _message(error)
    if isinstance(error, OSError):
        return f"cannot read file ({error.strerror or type(error).__name__})"
    kind = PurePosixPath(name).suffix.lstrip(".").upper() or "file"
    return f"could not read this {kind} ({type(error).__name__}: {_message(error)})"


def _message(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__
