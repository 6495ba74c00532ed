"""`evidence doctor`: what disagrees between the manifest and the rows, and how to put it right.

Versioned writes keep readers safe whatever a killed writer left (they only see rows of the version the
manifest names); this finds the leftovers so they stop taking space and time, and anything a write path
could not explain (a document whose rows are missing), which only re-ingesting its file can restore.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from vectorstore.store import DocumentRecord, EvidenceStore

Rows = Sequence[tuple[str, dict[str, Any]]]  # (row id, metadata)


@dataclass
class Findings:
    """Problems by kind; empty lists mean the store is consistent."""

    pending: list[str] = field(default_factory=list)  # documents a killed writer had begun to change
    orphan_rows: dict[str, int] = field(default_factory=dict)  # doc id -> rows of a document not in the manifest
    stale_rows: dict[str, int] = field(default_factory=dict)  # doc id -> rows of a version not the manifest's
    detached_sentences: list[str] = field(default_factory=list)  # sentences whose chunk row is gone
    incomplete: list[str] = field(default_factory=list)  # documents missing some of their chunk rows

    def ok(self) -> bool:
        return not any(asdict(self).values())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.ok():
            return "store is consistent"
        counts = {
            "pending documents": len(self.pending),
            "orphan rows": sum(self.orphan_rows.values()),
            "rows of old or unfinished versions": sum(self.stale_rows.values()),
            "sentences without their chunk": len(self.detached_sentences),
            "documents missing chunks": len(self.incomplete),
        }
        return "; ".join(f"{count} {kind}" for kind, count in counts.items() if count)


def find_problems(
    documents: Sequence[DocumentRecord], pending: Sequence[str], chunk_rows: Rows, sentence_rows: Rows
) -> Findings:
    """Compare every row with the manifest (pure: the caller reads the store)."""
    versions = {record.doc_id: record.version for record in documents}
    findings = Findings(pending=sorted(pending))
    current_chunks: Counter[str] = Counter()
    chunk_ids = set()
    for rows, is_chunk in ((chunk_rows, True), (sentence_rows, False)):
        for row_id, metadata in rows:
            doc_id = str(metadata.get("doc_id"))
            if doc_id not in versions:
                findings.orphan_rows[doc_id] = findings.orphan_rows.get(doc_id, 0) + 1
            elif metadata.get("version") != versions[doc_id]:
                findings.stale_rows[doc_id] = findings.stale_rows.get(doc_id, 0) + 1
            elif is_chunk:
                current_chunks[doc_id] += 1
                chunk_ids.add(row_id)
            elif metadata.get("chunk_id") not in chunk_ids:
                findings.detached_sentences.append(row_id)
    findings.incomplete = sorted(record.doc_id for record in documents if current_chunks[record.doc_id] < record.chunks)
    return findings


def inspect(store: EvidenceStore) -> Findings:
    """A full scan of the store (minutes at 100k chunks): for an admin, never on a question."""
    chunk_rows, sentence_rows = store.row_metadata()
    return find_problems(store.documents(), store.pending(), chunk_rows, sentence_rows)


def repair(store: EvidenceStore, findings: Findings) -> list[DocumentRecord]:
    """Fix what `inspect` found; the caller holds the writers' lock. Documents with missing rows are
    removed (re-ingesting their file restores them): those records are returned."""
    for doc_id in sorted(set(findings.orphan_rows) | set(findings.stale_rows) | set(findings.pending)):
        store.settle(doc_id)
    store.delete_sentences(findings.detached_sentences)
    return [record for record in map(store.remove_document, findings.incomplete) if record is not None]
