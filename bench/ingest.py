"""Ingest time: our pipeline against the LangChain tutorial default and raw `encode`, same corpus, one run.

    .venv/bin/python bench/ingest.py [--corpus DIR ...] [--small-files N] [--repeat N]

Default corpus: ../shared/eval/squad/docs (8 Wikipedia articles) and data/reviews (2 CQC reviews);
`--corpus` (repeatable) replaces it; `--small-files N` replaces it with N short notes of three real sentences
each, drawn from the default corpus (a library of many small documents, where the cost per document shows).
The same files are ingested these ways, each into a fresh temporary folder, with the bundled MiniLM loaded and
warmed before any timing:

  (a) ours: `Ingester(Settings(home=tmp).store()).ingest(folders)`: load + clean + chunk + embed the
      chunks *and* their quotable sentences + write to Chroma. The files it ingested (its report's
      paths) are the corpus of (b) and (c), so all three see the same files.
  (b) LangChain tutorial default: each file's text as one Document (a .txt/.md file read as plain
      UTF-8 text, like TextLoader; any other format through our loaders' text), then
      RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) and
      `langchain_chroma.Chroma.from_documents(chunks, embedding=HuggingFaceEmbeddings(model_name=<the bundled
      MiniLM>), persist_directory=tmp)` (telemetry off, as in our store's client): sentence-transformers on torch.
  (b2) the same with our embeddings (`LocalEmbeddings`, ONNX Runtime): the pipeline's cost without the engine's.
  (c) raw: one encode call of our engine over (b)'s chunk texts (split before timing); nothing stored.
  (c2) the same through sentence-transformers on torch (what (b) pays to encode).

Seconds are wall-clock; CPU s is this process's CPU time (all threads: about twice the seconds on an idle
2-core machine). Other work on the machine inflates both, wall time most (3-4x on a loaded 2-core machine,
CPU time 1.3-1.6x), so compare runs made near load average 0; the script prints it before and after.
With `--repeat N` the ways run in turn N times and each time shown is its minimum over the runs.
Characters are the corpus text as (b) reads it, so chars/s is comparable across rows. Texts and characters
encoded, encode calls and seconds inside `encode` are counted by patching both engines' `encode`.
Then where our time goes: outside `encode`, inside it, the texts our pipeline encoded re-encoded in one
call (what the way it calls `encode` costs), (b)'s fewer texts in one call (what the sentence vectors
cost), and an unchanged re-ingest.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.settings import Settings  # noqa: E402
from ingest.pipeline import Ingester  # noqa: E402

DEFAULT_CORPORA = [ROOT.parent / "shared" / "eval" / "squad" / "docs", ROOT / "data" / "reviews"]
PLAIN_TEXT = {".txt", ".md", ".markdown"}


class EncodeMeter:
    """Counts calls, texts, characters, and wall and CPU seconds inside either engine's `encode` while
    active; with `keep=True` it also keeps the texts, in the order they were encoded."""

    def __init__(self, keep: bool = False) -> None:
        self.calls = 0
        self.texts = 0
        self.chars = 0
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.kept: list[str] | None = [] if keep else None

    def __enter__(self) -> EncodeMeter:
        from sentence_transformers import SentenceTransformer

        from vectorstore.embeddings import OnnxEncoder

        self._patched = [(engine, engine.encode) for engine in (SentenceTransformer, OnnxEncoder)]
        for engine, original in self._patched:
            engine.encode = self._counting(original)  # type: ignore[method-assign]
        return self

    def _counting(self, original: Callable[..., Any]) -> Callable[..., Any]:
        meter = self

        def encode(model: Any, sentences: Any, *args: Any, **kwargs: Any) -> Any:
            texts = [sentences] if isinstance(sentences, str) else list(sentences)
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                return original(model, sentences, *args, **kwargs)
            finally:
                meter.seconds += time.perf_counter() - started
                meter.cpu_seconds += time.process_time() - cpu_started
                meter.calls += 1
                meter.texts += len(texts)
                meter.chars += sum(len(text) for text in texts if isinstance(text, str))
                if meter.kept is not None:
                    meter.kept.extend(texts)

        return encode

    def __exit__(self, *exc: object) -> None:
        for engine, original in self._patched:
            engine.encode = original  # type: ignore[method-assign]


def timed(label: str, work: Callable[[], Any], keep: bool = False) -> tuple[dict[str, Any], EncodeMeter, Any]:
    """Run `work` under an EncodeMeter: its table row, the meter, and what `work` returned."""
    with EncodeMeter(keep) as meter:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = work()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    row = {
        "way": label,
        "seconds": seconds,
        "cpu_s": cpu_seconds,
        "encoded": meter.texts,
        "chars_encoded": meter.chars,
        "calls": meter.calls,
        "encode_s": meter.seconds,
        "encode_cpu_s": meter.cpu_seconds,
        "stored": None,
    }
    return row, meter, result


def ours(folders: list[Path], home: Path) -> tuple[dict[str, Any], EncodeMeter, list[Path], float]:
    """(a) Our pipeline into a fresh home; also the files it ingested and an unchanged re-ingest's seconds."""
    ingester = Ingester(Settings(home=home).store())
    row, meter, report = timed("(a) ours: Ingester.ingest", lambda: ingester.ingest(folders), keep=True)
    if report.failed or not report.added:
        raise SystemExit(f"our pipeline did not ingest the corpus cleanly: failed={report.failed}")
    row["stored"] = report.chunks
    files = [Path(entry["path"]) for entry in report.added + report.updated]
    started = time.perf_counter()
    again = ingester.ingest(folders)
    reingest_s = time.perf_counter() - started
    if len(again.unchanged) != len(files) or again.added or again.updated:
        raise SystemExit(f"unchanged re-ingest changed something: {again.as_dict()}")
    return row, meter, files, reingest_s


def read_text(path: Path) -> str:
    """A file's text as the tutorial would load it: plain text as is, other formats through our loaders."""
    if path.suffix.lower() in PLAIN_TEXT:
        return path.read_text(encoding="utf-8")
    from ingest.loaders import load_document

    return load_document(path, path.read_bytes()).text


def langchain_default(label: str, files: list[Path], home: Path, embeddings: Any) -> dict[str, Any]:
    """(b) Load, split 1000/200, Chroma.from_documents with persistence, all timed."""
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    def work() -> int:
        documents = [Document(page_content=read_text(path), metadata={"source": str(path)}) for path in files]
        chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(documents)
        store = Chroma.from_documents(
            chunks,
            embedding=embeddings,
            persist_directory=str(home),
            client_settings=ChromaSettings(anonymized_telemetry=False),
        )
        return len(store.get(include=[])["ids"])

    row, _, stored = timed(label, work)
    row["stored"] = stored
    return row


def encode_once(label: str, texts: list[str], encode: Callable[[list[str]], Any]) -> dict[str, Any]:
    """One encode call over `texts`; nothing stored."""
    row, _, _ = timed(label, lambda: encode(texts))
    return row


def splitter_texts(files: list[Path]) -> list[str]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    return [piece for path in files for piece in splitter.split_text(read_text(path))]


def render(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> str:
    cells = [[fmt.format(row[key]) if row.get(key) is not None else "-" for key, _, fmt in columns] for row in rows]
    widths = [max(len(title), *(len(line[i]) for line in cells)) for i, (_, title, _) in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths)))

    header = [line([title for _, title, _ in columns]), line(["-" * w for w in widths])]
    return "\n".join(header + [line(values) for values in cells])


TIMES = ("seconds", "cpu_s", "encode_s", "encode_cpu_s")


def fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row for several runs of a way: each time is its minimum over the runs (the counts never vary)."""
    return {**runs[0], **{key: min(run[key] for run in runs) for key in TIMES}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, action="append", help="folder to ingest (repeatable); default: SQuAD docs + reviews"
    )
    parser.add_argument("--small-files", type=int, metavar="N", help="ingest N short notes of real sentences instead")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each way; the fastest is reported")
    args = parser.parse_args(argv)
    folders = [folder.resolve() for folder in args.corpus or DEFAULT_CORPORA]
    for folder in folders:
        if not folder.is_dir():
            raise SystemExit(f"no such folder: {folder}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-notes-") as notes:
        if args.small_files:
            folders = [write_small_files(folders, Path(notes), args.small_files)]
        return measure(folders, args.repeat)


def write_small_files(folders: list[Path], target: Path, count: int) -> Path:
    """`count` notes of a title and three sentences each, the sentences drawn from the folders' text files."""
    text = " ".join(path.read_text(encoding="utf-8") for folder in folders for path in sorted(folder.glob("*.txt")))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if 40 <= len(s) <= 300 and "\n" not in s]
    picker = random.Random(11)
    for number in range(count):
        body = " ".join(picker.sample(sentences, 3))
        (target / f"field-note-{number:04d}.txt").write_text(f"Field note {number:04d}\n\n{body}\n", encoding="utf-8")
    return target


def measure(folders: list[Path], repeat: int) -> int:
    """Run every way over the folders and print the table."""
    import torch
    from langchain_huggingface import HuggingFaceEmbeddings

    from vectorstore.embeddings import bundled_model_path

    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch_name:
        scratch = Path(scratch_name)
        started = time.perf_counter()
        embeddings = Settings(home=scratch / "warm").embeddings()  # the same LocalEmbeddings the store gets
        embeddings.embed_documents(["warm up the model before any timing"] * 4)
        load_seconds = time.perf_counter() - started
        tutorial = HuggingFaceEmbeddings(model_name=str(bundled_model_path()))
        tutorial.embed_documents(["warm up the model before any timing"] * 4)
        engine = type(embeddings.encoder).__name__

        runs: dict[str, list[dict[str, Any]]] = {key: [] for key in ("a", "b", "b2", "c", "c2", "ours_once")}
        reingests: list[float] = []
        files: list[Path] = []
        for attempt in range(repeat):
            row, meter, files, reingest_s = ours(folders, scratch / f"ours-{attempt}")
            runs["a"].append(row)
            reingests.append(reingest_s)
            runs["b"].append(
                langchain_default(
                    "(b) LangChain default: 1000/200 + Chroma", files, scratch / f"langchain-{attempt}", tutorial
                )
            )
            runs["b2"].append(
                langchain_default(
                    f"(b2) the same, our {engine}", files, scratch / f"langchain-ours-{attempt}", embeddings
                )
            )
            pieces = splitter_texts(files)
            runs["c"].append(encode_once(f"(c) raw {engine}: (b)'s chunks", pieces, embeddings.encode))
            runs["c2"].append(encode_once("(c2) raw sentence-transformers", pieces, tutorial.embed_documents))
            runs["ours_once"].append(encode_once("our texts, one encode call", meter.kept or [], embeddings.encode))

    characters = sum(len(read_text(path)) for path in files)
    a, b, b2, c, c2, once = (fastest(runs[key]) for key in ("a", "b", "b2", "c", "c2", "ours_once"))
    for row in (a, b, b2, c, c2):
        row["characters"] = characters
        row["cps"] = characters / row["seconds"]
        row["ours_over"] = a["seconds"] / row["seconds"]
        row["ours_over_cpu"] = a["cpu_s"] / row["cpu_s"]

    print(
        f"{date.today().isoformat()}, {git_state()}\nour engine {engine}; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs, load average {load_before:.2f} before / "
        f"{load_average():.2f} after; model load {load_seconds:.1f} s (not timed)"
    )
    print(
        f"corpus: {len(files)} files, {characters:,} characters, from "
        + ", ".join(_shown(folder) for folder in folders)
        + (f"; each time is the minimum of {repeat} runs" if repeat > 1 else "")
    )
    print()
    columns = [
        ("way", "way", "{}"),
        ("seconds", "seconds", "{:.2f}"),
        ("cpu_s", "CPU s", "{:.2f}"),
        ("characters", "characters", "{:,}"),
        ("cps", "chars/s", "{:,.0f}"),
        ("encoded", "texts encoded", "{:,}"),
        ("chars_encoded", "chars encoded", "{:,}"),
        ("calls", "encode calls", "{}"),
        ("encode_s", "in encode s", "{:.2f}"),
        ("stored", "chunks stored", "{:,}"),
        ("ours_over", "ours / this, s", "{:.2f}"),
        ("ours_over_cpu", "ours / this, CPU s", "{:.2f}"),
    ]
    print(render([a, b, b2, c, c2], columns))
    print()
    print(
        f"ours / LangChain default: {b['ours_over']:.2f}x the seconds, {b['ours_over_cpu']:.2f}x the CPU seconds; "
        f"ours / the same with our engine: {b2['ours_over']:.2f}x, {b2['ours_over_cpu']:.2f}x; "
        f"ours / raw {engine}: {c['ours_over']:.2f}x, {c['ours_over_cpu']:.2f}x; "
        f"raw sentence-transformers / raw {engine}: {c2['seconds'] / c['seconds']:.2f}x"
    )
    print()
    print("where our time goes (seconds, CPU seconds):")
    breakdown = [
        ("(a) ours, total", a["seconds"], a["cpu_s"], ""),
        (
            "outside encode: read, clean, chunk, write the store",
            a["seconds"] - a["encode_s"],
            a["cpu_s"] - a["encode_cpu_s"],
            "",
        ),
        (
            f"inside encode: {a['calls']} call(s), {a['encoded']:,} texts, {a['chars_encoded']:,} chars",
            a["encode_s"],
            a["encode_cpu_s"],
            "",
        ),
        (
            "the same texts in one encode call",
            once["seconds"],
            once["cpu_s"],
            "against the line above: what the way the pipeline calls encode costs",
        ),
        (
            f"(b)'s {c['encoded']:,} chunks, {c['chars_encoded']:,} chars, in one encode call (c)",
            c["seconds"],
            c["cpu_s"],
            "against the line above: what our extra texts (sentence vectors) cost",
        ),
        ("unchanged re-ingest of the corpus (encodes nothing)", min(reingests), None, ""),
    ]
    width = max(len(label) for label, *_ in breakdown)
    for label, seconds, cpu_seconds, note in breakdown:
        cpu = "-".rjust(7) if cpu_seconds is None else f"{cpu_seconds:7.2f}"
        print(f"  {label.ljust(width)}  {seconds:7.2f}  {cpu}" + (f"  ({note})" if note else ""))
    return 0


def load_average() -> float:
    """The one-minute load average: other work on the machine moves every figure here."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def git_state() -> str:
    """`commit abc1234`, naming the files that differ from it (the code measured is the working tree)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]
    return f"commit {git('rev-parse', '--short', 'HEAD').strip() or '?'}" + (
        f" + uncommitted changes to {', '.join(changed)}" if changed else ""
    )


def _shown(folder: Path) -> str:
    try:
        return str(folder.relative_to(ROOT))
    except ValueError:
        return str(folder)


if __name__ == "__main__":
    sys.exit(main())
