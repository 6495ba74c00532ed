"""The persistent lexical index: SQLite FTS5 over each chunk's stemmed words, kept in step with the store
document by document (a block of documents per read and per transaction).

FTS5 finds the matching chunks and ranks them with its own BM25; its best RESCORED are re-scored with
Lucene's BM25 (idf = ln(1 + (N - df + 0.5) / (df + 0.5)), k1 1.5, b 0.75), whose idf never goes negative:
FTS5's does for a word in over half the chunks, which on a small library ("care" in a care review) turns
the question's commonest words against the chunks that hold them. On a library smaller than RESCORED every
match is re-scored, so the ranking is Lucene's exactly.

Chroma holds the documents; this index is derived from them and can always be rebuilt. It lives in a file
beside the embedded store, or in a local cache file per app host when the store is a `chroma run` server
(docs/deploy.md). `sync` compares the store's manifest with what the index holds and re-indexes only the
documents added, revised or removed since; callers run it when the store's generation token changes.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vectorstore.store import ChunkRecord, DocumentRecord

_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(words, chunk_id UNINDEXED, doc_id UNINDEXED);
CREATE VIRTUAL TABLE IF NOT EXISTS vocabulary USING fts5vocab(chunks, 'row');
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, stamp TEXT NOT NULL, chunks INTEGER NOT NULL, words INTEGER NOT NULL
);
"""
SCHEMA_VERSION = 2  # 2: accents folded. A file of another version is derived data of another shape: rebuilt
K1, B = 1.5, 0.75  # BM25's term-frequency saturation and length normalisation (Lucene's, as bm25s uses)
RESCORED = 200  # FTS5's best matches re-scored with Lucene's BM25
LARGE = 2000  # chunks from which a library is large: its commonest words stop choosing the candidates
COMMON = 0.05  # ... a word in more than this share of chunks
IDF_CACHE = 100_000  # words whose idf a process remembers between syncs


def stamp(record: DocumentRecord) -> str:
    """What identifies a document's indexed content: its bytes and version."""
    return f"{record.sha256}:{record.version}"


class LexicalIndex:
    """BM25 over chunks, in SQLite FTS5; `tokenize` turns text into the words indexed and searched."""

    def __init__(self, tokenize: Callable[[str], list[str]], path: Path | None = None) -> None:
        self.tokenize = tokenize
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(
            ":memory:" if path is None else str(path), check_same_thread=False, isolation_level=None, timeout=30
        )
        self._lock = threading.Lock()  # one connection shared by the app's threads
        with self._lock:
            if path is not None:
                self._connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            if self._connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                self._connection.executescript(
                    "DROP TABLE IF EXISTS vocabulary; DROP TABLE IF EXISTS chunks; DROP TABLE IF EXISTS documents;"
                )
            self._connection.executescript(_SCHEMA)
            self._connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._chunk_count, self._word_count = self._counts()
        self._idf: dict[str, float] = {}

    # --- keeping in step with the store ----------------------------------------------------------------
    def sync(
        self,
        documents: Sequence[DocumentRecord],
        chunks_of: Callable[[Sequence[DocumentRecord]], dict[str, list[ChunkRecord]]],
        block: int = 100,
    ) -> tuple[int, int]:
        """Re-index the documents whose stamp changed and drop those no longer stored: (indexed, dropped).
        `chunks_of` reads the chunks of several documents at once; they are indexed `block` at a time."""
        records = {record.doc_id: record for record in documents}
        wanted = {doc_id: stamp(record) for doc_id, record in records.items()}
        with self._lock:
            held = dict(self._connection.execute("SELECT doc_id, stamp FROM documents").fetchall())
        changed = [doc_id for doc_id, value in wanted.items() if held.get(doc_id) != value]
        gone = [doc_id for doc_id in held if doc_id not in wanted]
        for start in range(0, len(changed), block):
            chunks = chunks_of([records[doc_id] for doc_id in changed[start : start + block]])
            self._replace(
                [
                    (doc_id, [(self._words(chunk), chunk.chunk_id, doc_id) for chunk in found], wanted[doc_id])
                    for doc_id, found in chunks.items()
                ]
            )
        for start in range(0, len(gone), block):
            self._replace([(doc_id, [], None) for doc_id in gone[start : start + block]])
        self._chunk_count, self._word_count = self._counts()  # another process may have synced the same file
        self._idf = {}
        return len(changed), len(gone)

    def _words(self, chunk: ChunkRecord) -> str:
        return " ".join(self.tokenize(f"{chunk.section or ''} {chunk.text}"))

    def _replace(self, documents: Sequence[tuple[str, Sequence[tuple[str, str, str]], str | None]]) -> None:
        """One transaction per block of documents (doc id, rows, new stamp or None to drop): a reader sees a
        document's old chunks or its new ones, never a mix."""
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                for doc_id, rows, new_stamp in documents:
                    connection.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                    connection.executemany("INSERT INTO chunks (words, chunk_id, doc_id) VALUES (?, ?, ?)", rows)
                    if new_stamp is None:
                        connection.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
                    else:
                        words = sum(len(row[0].split()) for row in rows)
                        connection.execute(
                            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)",
                            (doc_id, new_stamp, len(rows), words),
                        )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def _counts(self) -> tuple[int, int]:
        """Chunks and words indexed, from the per-document totals."""
        with self._lock:
            chunks, words = self._connection.execute("SELECT sum(chunks), sum(words) FROM documents").fetchone()
        return int(chunks or 0), int(words or 0)

    # --- searching ----------------------------------------------------------------------------------------
    def search(self, words: Sequence[str], limit: int, doc_ids: Sequence[str] | None = None) -> list[str]:
        """Chunk ids of the best BM25 matches for any of the words, best first."""
        asked = [word for word in dict.fromkeys(words) if word.isalnum()]
        if not asked or limit <= 0 or not self._chunk_count:
            return []
        idf = {word: self.idf(word) for word in asked}
        sql = "SELECT chunk_id, words FROM chunks WHERE chunks MATCH ?"
        parameters: list[str | int] = [" OR ".join(f'"{word}"' for word in self._choosing(asked, idf))]
        if doc_ids:
            sql += f" AND doc_id IN ({', '.join('?' * len(doc_ids))})"
            parameters.extend(doc_ids)
        sql += " ORDER BY rank LIMIT ?"
        parameters.append(max(limit, RESCORED))
        with self._lock:
            matches = self._connection.execute(sql, parameters).fetchall()
        average = self._word_count / self._chunk_count
        scored = []
        for chunk_id, text in matches:
            counts = Counter(text.split())
            length_norm = K1 * (1 - B + B * sum(counts.values()) / average)
            score = sum(idf[word] * counts[word] / (counts[word] + length_norm) for word in asked if word in counts)
            scored.append((-score, chunk_id))
        return [chunk_id for _, chunk_id in sorted(scored)[:limit]]

    def _choosing(self, asked: list[str], idf: dict[str, float]) -> list[str]:
        """The words whose matches become candidates. In a large library a word in over COMMON of the chunks
        would make FTS5 score a large share of the library for a word that barely moves BM25; it still
        counts when the candidates are re-scored. A small library, or a question of common words only,
        keeps every word, so there the ranking stays exact."""
        if self._chunk_count <= LARGE:
            return asked
        floor = math.log(1 + (1 - COMMON) / COMMON)  # the idf of a word in COMMON of the chunks
        rare = [word for word in asked if idf[word] > floor]
        return rare or asked

    def idf(self, word: str) -> float:
        """BM25's inverse document frequency over chunks; a word absent from the library weighs the most.
        Remembered until the next sync: FTS5 counts a word's chunks by reading its whole posting list, which
        for a common word in a large library is most of a millisecond, and a question asks for it twice."""
        if (known := self._idf.get(word)) is not None:
            return known
        with self._lock:
            row = self._connection.execute("SELECT doc FROM vocabulary WHERE term = ?", (word,)).fetchone()
        frequency = int(row[0]) if row else 0
        value = math.log(1 + (self._chunk_count - frequency + 0.5) / (frequency + 0.5))
        if len(self._idf) < IDF_CACHE:
            self._idf[word] = value
        return value

    @property
    def chunk_count(self) -> int:
        return self._chunk_count

    def close(self) -> None:
        with self._lock:
            self._connection.close()
