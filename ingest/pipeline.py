"""Ingest files into the store idempotently: unchanged content costs no embedding work.

Each file is read, chunked and embedded before anything is written, so a file that fails
leaves the store exactly as it was and the rest of the batch carries on.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.chunking import Chunk, chunk_document, chunk_sentences
from ingest.cleaning import boilerplate_blocks
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
from vectorstore.store import ChunkRecord, DocumentRecord, EvidenceStore, SentenceRecord

Progress = Callable[[int, int, str], None]
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


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


def chunk_ids(doc_id: str, chunks: Sequence[Chunk]) -> list[str]:
    """Ids that depend only on a chunk's content and section, so unchanged findings keep them."""
    seen: Counter[str] = Counter()
    ids = []
    for chunk in chunks:
        digest = hashlib.sha256(f"{chunk.section or ''}\x1f{chunk.text}".encode()).hexdigest()[:16]
        seen[digest] += 1
        ids.append(f"{doc_id}:{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return ids


def embedding_text(chunk: Chunk | ChunkRecord) -> str:
    """What gets embedded: the finding with its heading path, so terse bullets keep their context."""
    return "\n".join(part for part in (chunk.section, chunk.text) if part)


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
    return list(dict.fromkeys(files)), missing


def _is_project_file(relative: Path) -> bool:
    """Hidden files and upper-case notes such as README.md or SOURCES.md are not review documents."""
    return any(part.startswith(".") for part in relative.parts) or relative.stem.isupper()


class Ingester:
    """Runs one ingest batch against a store."""

    def __init__(self, store: EvidenceStore, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.store = store
        self.max_bytes = max_bytes

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
        files, report.failed = collect_files(paths)
        names = {path: (display_names or {}).get(path, path.name) for path in files}
        stored = self.store.documents_by_id([doc_id_for(name) for name in names.values()])
        seen: set[str] = set()
        batch_ids: dict[str, Path] = {}
        for position, path in enumerate(files):
            name = names[path]
            if progress:
                progress(position, len(files), name)
            doc_id = doc_id_for(name)
            if doc_id in batch_ids:
                report.failed.append(
                    {"path": str(path), "error": f"same document id '{doc_id}' as {batch_ids[doc_id]}; rename one"}
                )
                continue
            batch_ids[doc_id] = path
            seen.add(doc_id)
            try:
                outcome, entry = self._ingest_file(path, name, doc_id, stored.get(doc_id))
            except (LoadError, OSError) as error:
                report.failed.append({"path": str(path), "error": _one_line(error)})
                continue
            seen.add(entry["doc_id"])
            getattr(report, outcome).append(entry)
        if prune:
            for record in self.store.documents():
                if record.doc_id not in seen:
                    self.store.remove_document(record.doc_id)
                    report.removed.append(_entry(record))
        if progress:
            progress(len(files), len(files), "done")
        report.chunks = self.store.chunk_count()
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _ingest_file(
        self, path: Path, name: str, doc_id: str, existing: DocumentRecord | None
    ) -> tuple[str, dict[str, Any]]:
        """`existing`: the stored document of this id, looked up with the rest of the batch."""
        size = path.stat().st_size
        if size > self.max_bytes:
            raise LoadError(f"file is {size / 1e6:.1f} MB, over the {self.max_bytes / 1e6:.0f} MB limit")
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        if existing is not None and existing.sha256 == sha256:
            return "unchanged", _entry(existing, path)
        duplicate = next(iter(self.store.documents_where(sha256=sha256)), None)
        if duplicate is not None:
            return "unchanged", _entry(duplicate, path)

        document = load_document(Path(name), data)
        chunks = chunk_document(document, boilerplate_blocks(document.text, document.blocks))
        if not chunks:
            raise LoadError("no findings left after removing navigation and contents text")
        ids = chunk_ids(doc_id, chunks)
        sentences = [
            SentenceRecord(f"{chunk_id}#{number}", chunk_id, doc_id, document.text[start:end], start, end)
            for chunk_id, chunk in zip(ids, chunks)
            for number, (start, end) in enumerate(chunk_sentences(document, chunk))
        ]
        vectors = embed_once(
            self.store.embeddings.embed_documents,
            [embedding_text(chunk) for chunk in chunks] + [sentence.text for sentence in sentences],
        )

        same_title = next(
            (record for record in self.store.documents_where(title=document.title) if record.doc_id != doc_id), None
        )
        previous = existing or same_title
        record = DocumentRecord(
            doc_id=doc_id,
            title=document.title,
            source=name,
            path=str(path.resolve()),
            sha256=sha256,
            chunks=len(chunks),
            version=previous.version + 1 if previous else 1,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        records = [
            ChunkRecord(
                chunk_id=chunk_id,
                doc_id=doc_id,
                title=document.title,
                source=name,
                text=chunk.text,
                start=chunk.start,
                end=chunk.end,
                section=chunk.section,
                page=chunk.page,
            )
            for chunk_id, chunk in zip(ids, chunks)
        ]
        self.store.put_document(
            record, document.text, records, vectors[: len(records)], sentences, vectors[len(records) :]
        )
        if same_title is not None and existing is None:
            self.store.remove_document(same_title.doc_id)  # a revised file under a new name
        return ("updated" if previous else "added"), _entry(record, path)


def embed_once(embed: Callable[[list[str]], list[list[float]]], texts: Sequence[str]) -> list[list[float]]:
    """Vectors for `texts` with each distinct text embedded once (a repeated line, a one-sentence finding).

    One encode call per document: sentence-transformers sorts by length within a call, so mixing long
    chunks and short sentences costs far less padding than fixed slices do.
    """
    distinct = list(dict.fromkeys(texts))
    vectors = dict(zip(distinct, embed(distinct)))
    return [vectors[text] for text in texts]


def _entry(record: DocumentRecord, path: Path | None = None) -> dict[str, Any]:
    return {
        "doc_id": record.doc_id,
        "path": str(path) if path is not None else record.path,
        "title": record.title,
        "chunks": record.chunks,
        "version": record.version,
    }


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError):
        return f"cannot read file ({error.strerror or type(error).__name__})"
    return " ".join(str(error).split())[:200]
