"""Ingest throughput: the whole pipeline against raw `SentenceTransformer.encode` on the same chunk texts.

    .venv/bin/python bench/ingest.py [--copies N] [--corpus DIR]

Two corpora, each ingested into a fresh EVIDENCE_HOME in a temporary folder:
  (1) data/reviews as shipped, and
  (2) N copies of it (default 10) with distinct names, titles and content, so none is deduplicated.
The pipeline figure covers load + clean + chunk + embed (chunks *and* their sentences) + write to Chroma.
The raw figure is one `encode` call over exactly the chunk texts the pipeline embedded (heading path +
finding), same model, same batch size. The pipeline also embeds every quotable sentence, so it encodes
several texts per chunk: the "texts encoded" column counts them. The model loads before any timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.settings import Settings  # noqa: E402
from ingest.pipeline import Ingester, collect_files, embedding_text  # noqa: E402


class EncodeMeter:
    """Counts the texts and the seconds spent inside SentenceTransformer.encode while active."""

    def __init__(self) -> None:
        self.texts = 0
        self.seconds = 0.0

    def __enter__(self) -> EncodeMeter:
        from sentence_transformers import SentenceTransformer

        self._class = SentenceTransformer
        self._original = SentenceTransformer.encode
        meter, original = self, self._original

        def encode(model: Any, sentences: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(model, sentences, *args, **kwargs)
            finally:
                meter.seconds += time.perf_counter() - started
                meter.texts += 1 if isinstance(sentences, str) else len(sentences)

        SentenceTransformer.encode = encode  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self._class.encode = self._original  # type: ignore[method-assign]


def make_copies(corpus: Path, target: Path, copies: int) -> int:
    """Write `copies` variants of every document: distinct file name, first line and so content hash."""
    files, _ = collect_files([corpus])
    for number in range(1, copies + 1):
        for path in files:
            first, _, rest = path.read_text(encoding="utf-8").partition("\n")
            variant = f"{first} (copy {number})\n{rest}"
            (target / f"copy{number:02d}-{path.name}").write_text(variant, encoding="utf-8")
    return len(files) * copies


def run(label: str, folder: Path, expected_docs: int, home: Path) -> dict[str, Any]:
    settings = Settings(home=home)
    store = settings.store()
    embeddings = settings.embeddings()
    ingester = Ingester(store)

    with EncodeMeter() as meter:
        started = time.perf_counter()
        report = ingester.ingest([folder])
        pipeline_seconds = time.perf_counter() - started
    if report.failed or len(report.added) != expected_docs:
        raise SystemExit(f"{label}: expected {expected_docs} new documents, got {report.as_dict()}")

    started = time.perf_counter()
    again = ingester.ingest([folder])
    reingest_seconds = time.perf_counter() - started
    assert len(again.unchanged) == expected_docs

    chunks, _ = store.all_chunks()
    sentences, _ = store.all_sentences()
    chunk_texts = [embedding_text(chunk) for chunk in chunks]
    all_texts = chunk_texts + [sentence.text for sentence in sentences]
    model = embeddings.model
    options = {"batch_size": embeddings.batch_size, "normalize_embeddings": True, "show_progress_bar": False}
    started = time.perf_counter()
    model.encode(chunk_texts, **options)
    raw_chunk_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model.encode(all_texts, **options)
    raw_all_seconds = time.perf_counter() - started

    return {
        "corpus": label,
        "docs": len(report.added),
        "chunks": len(chunks),
        "sentences": len(sentences),
        "encoded": meter.texts,
        "pipeline_s": pipeline_seconds,
        "encode_in_pipeline_s": meter.seconds,
        "pipeline_cps": len(chunks) / pipeline_seconds,
        "raw_cps": len(chunks) / raw_chunk_seconds,
        "raw_all_s": raw_all_seconds,
        "reingest_s": reingest_seconds,
    }


def table(rows: list[dict[str, Any]]) -> str:
    columns = [
        ("corpus", "corpus", "{}"),
        ("docs", "docs", "{}"),
        ("chunks", "chunks", "{}"),
        ("sentences", "sentences", "{}"),
        ("encoded", "texts encoded", "{}"),
        ("pipeline_s", "pipeline s", "{:.2f}"),
        ("pipeline_cps", "pipeline chunks/s", "{:.1f}"),
        ("raw_cps", "raw encode chunks/s", "{:.1f}"),
        ("ratio", "pipeline/raw", "{:.2f}"),
        ("encode_share", "encode share", "{:.0%}"),
        ("raw_all_s", "raw encode all texts s", "{:.2f}"),
        ("reingest_s", "unchanged re-ingest s", "{:.2f}"),
    ]
    for row in rows:
        row["ratio"] = row["pipeline_cps"] / row["raw_cps"]
        row["encode_share"] = row["encode_in_pipeline_s"] / row["pipeline_s"]
    cells = [[fmt.format(row[key]) for key, _, fmt in columns] for row in rows]
    widths = [max(len(title), *(len(line[i]) for line in cells)) for i, (_, title, _) in enumerate(columns)]
    render = lambda values: "  ".join(  # noqa: E731
        value.ljust(width) if i == 0 else value.rjust(width) for i, (value, width) in enumerate(zip(values, widths))
    )
    lines = [render([title for _, title, _ in columns]), render(["-" * width for width in widths])]
    return "\n".join(lines + [render(line) for line in cells])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of the corpus in the larger run")
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "reviews")
    args = parser.parse_args(argv)

    import torch

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch:
        warm = Settings(home=Path(scratch) / "warm").embeddings()
        warm.embed_documents(["warm up the model before any timing"])
        load_seconds = time.perf_counter() - started

        rows = []
        shipped = len(collect_files([args.corpus])[0])
        rows.append(run(args.corpus.name, args.corpus, shipped, Path(scratch) / "home-shipped"))
        copies_dir = Path(scratch) / "copies"
        copies_dir.mkdir()
        count = make_copies(args.corpus, copies_dir, args.copies)
        rows.append(run(f"{args.copies} copies", copies_dir, count, Path(scratch) / "home-copies"))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"model load {load_seconds:.1f} s (not timed below); torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs, load average {load:.2f}"
    )
    print(table(rows))
    print(
        "pipeline = load + clean + chunk + embed chunks and sentences + write to Chroma; raw = one encode call "
        "over the same chunk texts;\nencode share = time inside encode during the pipeline; the pipeline encodes "
        "'texts encoded' texts (chunks + sentences)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
