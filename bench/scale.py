"""Library-scale retrieval: latency against the floor, first answer, memory, change visibility, re-ingest.

Prints figures; asserts nothing.

    .venv/bin/python bench/scale.py [--chunks 10000] [--home DIR] [--server] [--only latency,first,rss,change,reingest]

The library is synthetic but made of real material: every distinct sentence of ../shared/corpus and
../shared/eval/squad/docs is embedded ONCE with the store's own model; each chunk joins ~6 of those
sentences, its vector is the normalised mean of their vectors plus gaussian noise (--noise), and each
sentence vector is its real vector plus the same noise. Documents of 20 chunks go straight into
EvidenceStore.put_document, so 100,000 chunks cost ~1,800 encodes, not 700,000. With `--home DIR` the
library stays for later runs: a complete one is not rebuilt, an interrupted build resumes.

Parts (all by default):
  latency   floor = one query encode + one Chroma query of the chunks collection (n_results=30), p50 over
            50 questions; warm `ask` p50/p95 over 100; Chroma HNSW recall against exact search
  first     a fresh process: process start -> first answer, and EvidenceAssistant() -> first answer
  rss       peak RSS of a process that warms up and answers 20 questions
  change    reader processes ask in a loop while this process ingests a new document: seconds until
            they cite it, and their slowest answer meanwhile (two readers, own homes, with --server)
  reingest  1,000 small real-text files ingested, then the unchanged re-ingest timed (then removed)
`--server` runs it all against a `chroma run --path HOME/chroma-server` server started here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

if TYPE_CHECKING:  # the app is imported lazily, so a child's "process start" includes its imports
    import numpy as np

    from assistant.service import EvidenceAssistant
    from vectorstore.store import EvidenceStore

SHARED = ROOT.parent / "shared"
PARTS = ("latency", "first", "rss", "change", "reingest")
PREFIX = "synthetic-review-"
CHUNKS_PER_DOC = 20
SENTENCE_HITS_PER_CHUNK = 8  # sentence results the retriever asks Chroma for per candidate chunk (recall row)
MARK = "SCALE-BENCH "  # prefix of the JSON lines child processes report on stdout
CHILD_LIMIT_S = 1800.0
Rows = list[tuple[str, str]]


# --- material --------------------------------------------------------------------------------
def real_sentences(shared: Path) -> list[str]:
    """Distinct whole sentences (one line, >= 40 chars, ending in . ! ?) of the real sample documents."""
    from ingest.sentences import sentence_spans

    files = sorted((shared / "corpus").glob("*.txt")) + sorted((shared / "corpus").glob("*.md"))
    files += sorted((shared / "eval" / "squad" / "docs").glob("*.txt"))
    found: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for start, end in sentence_spans(text):
            sentence = " ".join(text[start:end].split())
            if len(sentence) >= 40 and sentence[-1] in ".!?":
                found.append(sentence)
    return list(dict.fromkeys(found))


def questions(shared: Path) -> list[str]:
    """Every distinct question of the dev, held-out and SQuAD sets, in a fixed shuffled order."""
    files = [shared / "eval" / "qa_dev.jsonl", *sorted((ROOT / "bench").glob("qa_heldout*.jsonl"))]
    files.append(shared / "eval" / "squad" / "qa_squad_public.jsonl")
    texts = [json.loads(line)["question"] for path in files for line in path.read_text().splitlines() if line.strip()]
    unique = list(dict.fromkeys(texts))
    random.Random(7).shuffle(unique)
    return unique


# --- the synthetic library -------------------------------------------------------------------
def unit(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    return matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)


def library_chunks(store: EvidenceStore) -> int:
    return sum(record.chunks for record in store.documents() if record.doc_id.startswith(PREFIX))


def build_library(store: EvidenceStore, target: int, shared: Path, noise: float, seed: int) -> None:
    """Write ceil(target / 20) synthetic documents, one put_document each; complete ones already stored stay."""
    import numpy as np
    from tqdm import tqdm

    from ingest.chunking import Chunk
    from ingest.pipeline import chunk_ids, doc_id_for
    from vectorstore.store import ChunkRecord, DocumentRecord, SentenceRecord

    sentences = real_sentences(shared)
    started = time.perf_counter()
    vectors = np.asarray(store.embeddings.embed_documents(sentences), dtype=np.float32)
    print(f"embedded the {len(sentences)} distinct real sentences once: {time.perf_counter() - started:.1f} s")
    stored = {record.doc_id: record.chunks for record in store.documents() if record.doc_id.startswith(PREFIX)}
    documents = math.ceil(target / CHUNKS_PER_DOC)
    cosines: list[float] = []
    for number in tqdm(range(documents), desc="building library", unit="doc", mininterval=2.0):
        count = min(CHUNKS_PER_DOC, target - number * CHUNKS_PER_DOC)
        source = f"{PREFIX}{number:06d}.txt"
        doc_id, title = doc_id_for(source), f"Synthetic review {number:06d}"
        if stored.get(doc_id) == count:
            continue
        rng = np.random.default_rng([seed, number])  # each document reproducible on its own
        picks = [rng.choice(len(sentences), size=int(rng.integers(5, 8)), replace=False) for _ in range(count)]
        texts = [" ".join(sentences[i] for i in pick) for pick in picks]
        text = "\n\n".join(texts)  # the document text every offset points into
        starts = np.cumsum([0] + [len(chunk) + 2 for chunk in texts]).tolist()
        chunks = [Chunk(chunk, start, start + len(chunk), None, None) for chunk, start in zip(texts, starts)]
        ids = chunk_ids(doc_id, chunks, 1)
        sentence_records = []
        for chunk_id, chunk, pick in zip(ids, chunks, picks):
            offset = chunk.start
            for n, index in enumerate(pick):
                end = offset + len(sentences[index])
                sentence_records.append(
                    SentenceRecord(f"{chunk_id}#{n}", chunk_id, doc_id, text[offset:end], offset, end)
                )
                offset = end + 1
        records = [
            ChunkRecord(
                i,
                doc_id,
                title,
                source,
                c.text,
                c.start,
                c.end,
                None,
                None,
                tuple((s.start, s.end) for s in sentence_records if s.chunk_id == i),
            )
            for i, c in zip(ids, chunks)
        ]
        means = unit(np.stack([vectors[pick].mean(axis=0) for pick in picks]))
        chunk_vectors = unit(means + rng.normal(0.0, noise, means.shape))
        real = vectors[np.concatenate(picks)]
        sentence_vectors = unit(real + rng.normal(0.0, noise, real.shape))
        cosines.append(float(np.mean(np.sum(real * sentence_vectors, axis=1))))
        record = DocumentRecord(
            doc_id=doc_id,
            title=title,
            source=source,
            path=f"synthetic/{source}",
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            chunks=count,
            version=1,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        store.put_document(record, text, records, chunk_vectors.tolist(), sentence_records, sentence_vectors.tolist())
    for doc_id in sorted(stored):  # a bigger library built earlier in this home: trim it to the target
        if int(doc_id.removeprefix(PREFIX)) >= documents:
            store.remove_document(doc_id)
    if cosines:
        print(f"noise sigma {noise}: a stored sentence vector has mean cosine {np.mean(cosines):.3f} to its real one")


# --- processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def chroma_server(path: Path, port: int | None = None) -> Iterator[int]:
    """A `chroma run` server over `path` until the block ends; its port (a free one unless given)."""
    port = port or free_port()
    command = [str(Path(sys.executable).with_name("chroma")), "run", "--path", str(path), "--port", str(port)]
    with (path.parent / "chroma-server.log").open("wb") as log:
        process = subprocess.Popen([*command, "--host", "127.0.0.1"], stdout=log, stderr=subprocess.STDOUT)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"chroma run did not start: see {path.parent / 'chroma-server.log'}") from None
                time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def child_env(home: Path, port: int | None) -> dict[str, str]:
    env = dict(os.environ, EVIDENCE_HOME=str(home))
    env.pop("EVIDENCE_CHROMA_HOST", None)
    if port is not None:
        env.update(EVIDENCE_CHROMA_HOST="127.0.0.1", EVIDENCE_CHROMA_PORT=str(port))
    return env


def child_command(role: str, shared: Path, *args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", role, "--shared", str(shared), *args]


def run_child(env: dict[str, str], role: str, shared: Path) -> dict[str, Any]:
    """Run a child process to its end; the last JSON line it reported."""
    done = subprocess.run(child_command(role, shared), env=env, capture_output=True, text=True, timeout=CHILD_LIMIT_S)
    lines = [line.removeprefix(MARK) for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"child '{role}' failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(lines[-1]))


def report(**values: Any) -> None:
    print(MARK + json.dumps(values), flush=True)


def child_main(args: argparse.Namespace) -> None:
    """A fresh app process configured only by EVIDENCE_* variables, as `evidence serve` would be."""
    from assistant.service import EvidenceAssistant
    from assistant.settings import Settings

    asked = questions(args.shared)
    constructed = time.time()
    assistant = EvidenceAssistant(Settings())
    if args.child == "first":
        assistant.ask(asked[0])
        report(constructed=constructed, answered=time.time())
    elif args.child == "rss":
        assistant.warm_up()
        for question in asked[:20]:
            assistant.ask(question)
        status = Path("/proc/self/status").read_text().splitlines()
        report(peak_kb=int(next(line.split()[1] for line in status if line.startswith("VmHWM:"))))
    else:  # reader: the probe question and an ordinary one in turn, until told to stop
        assistant.warm_up()
        report(ready=True)
        deadline = time.time() + CHILD_LIMIT_S
        for question in (item for pair in zip([args.probe] * len(asked), asked) for item in pair):
            if args.stop_file.exists() or time.time() > deadline:
                break
            before = time.time()
            try:
                answer = assistant.ask(question)
            except Exception as error:  # a failed question is a finding: record it, go on
                failure = f"{type(error).__name__}: {error}"[:200]
                report(t0=before, t1=time.time(), probe=question == args.probe, found=None, error=failure)
                continue
            cited = any(citation.doc_id == args.doc_id for citation in answer.citations)
            report(t0=before, t1=time.time(), probe=question == args.probe, found=cited)


# --- the parts -------------------------------------------------------------------------------
def percentiles_ms(seconds: list[float]) -> tuple[float, float]:
    import numpy as np

    p50, p95 = np.percentile(np.asarray(seconds) * 1000, [50, 95])
    return float(p50), float(p95)


def hnsw_recall(collection: Any, queries: np.ndarray, n: int, page: int) -> float:
    """Mean share of the exact top n (cosine over every stored vector, read a page at a time) that
    Chroma's HNSW query returns."""
    import numpy as np

    best = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_ids = np.empty((len(queries), 0), dtype=object)
    for offset in range(0, collection.count(), page):
        stored = collection.get(include=["embeddings"], limit=page, offset=offset)
        scores = np.concatenate([best, queries @ np.asarray(stored["embeddings"], dtype=np.float32).T], axis=1)
        ids = np.concatenate([best_ids, np.tile(np.asarray(stored["ids"], dtype=object), (len(queries), 1))], axis=1)
        keep = np.argsort(-scores, axis=1)[:, :n]
        best, best_ids = np.take_along_axis(scores, keep, 1), np.take_along_axis(ids, keep, 1)
    found = collection.query(query_embeddings=queries.tolist(), n_results=n, include=["distances"])["ids"]
    return float(np.mean([len(set(got) & set(exact)) / len(exact) for got, exact in zip(found, best_ids)]))


def part_latency(assistant: EvidenceAssistant, asked: list[str]) -> Rows:
    import numpy as np

    store, namespace = assistant.store, assistant.settings.collection
    n = int(getattr(assistant.settings, "candidates", 30))  # what the retriever asks each ranker for
    chunks = store.client.get_collection(f"{namespace}_chunks")
    for question in asked[:3]:  # the encoder and Chroma's index warm before timing
        chunks.query(query_embeddings=[store.embeddings.embed_query(question)], n_results=n)
    floor: list[float] = []
    for question in asked[:50]:
        started = time.perf_counter()
        chunks.query(query_embeddings=[store.embeddings.embed_query(question)], n_results=n)
        floor.append(time.perf_counter() - started)
    times: list[float] = []
    for question in asked[:100]:
        started = time.perf_counter()
        assistant.ask(question)
        times.append(time.perf_counter() - started)
    floor_p50, _ = percentiles_ms(floor)
    p50, p95 = percentiles_ms(times)
    vectors = np.asarray(store.embeddings.embed_documents(asked[:50]), dtype=np.float32)
    page = store.client.get_max_batch_size()
    sentences = store.client.get_collection(f"{namespace}_sentences")
    return [
        (f"floor p50: embed_query + Chroma chunks query, n_results={n} (50 q)", f"{floor_p50:.1f} ms"),
        ("warm ask() p50 (100 q)", f"{p50:.1f} ms"),
        ("warm ask() p95 (100 q)", f"{p95:.1f} ms"),
        ("ask p50 / floor", f"{p50 / floor_p50:.1f}x"),
        ("ask p95 / floor", f"{p95 / floor_p50:.1f}x"),
        (f"Chroma HNSW recall@{n} of chunks vs exact (50 q)", f"{hnsw_recall(chunks, vectors, n, page):.3f}"),
        (
            f"Chroma HNSW recall@{n * SENTENCE_HITS_PER_CHUNK} of sentences vs exact (50 q)",
            f"{hnsw_recall(sentences, vectors, n * SENTENCE_HITS_PER_CHUNK, page):.3f}",
        ),
    ]


def part_first(env: dict[str, str], shared: Path) -> Rows:
    launched = time.time()
    child = run_child(env, "first", shared)
    return [
        ("first answer: process start -> answer (fresh process)", f"{child['answered'] - launched:.2f} s"),
        ("first answer: EvidenceAssistant() -> answer", f"{child['answered'] - child['constructed']:.2f} s"),
    ]


def part_rss(env: dict[str, str], shared: Path) -> Rows:
    child = run_child(env, "rss", shared)
    return [("peak RSS of an app process (VmHWM; warm_up + 20 answers)", f"{child['peak_kb'] / 1024:.0f} MB")]


def part_change(assistant: EvidenceAssistant, envs: list[dict[str, str]], shared: Path, timeout: float) -> Rows:
    """Readers ask a probe question in a loop while this process ingests the one document that answers it."""
    token = "Quill" + secrets.token_hex(3)
    sentences = real_sentences(shared)
    scratch = Path(tempfile.mkdtemp(prefix="bench-scale-change-"))
    path = scratch / f"change-note-{token.lower()}.txt"
    phrase = f"The {token} pilot sent a canal-boat dental clinic to riverside communities every fortnight."
    path.write_text(f"Change note {token}\n\n{' '.join(sentences[:3])} {phrase} {' '.join(sentences[3:5])}\n")
    from ingest.pipeline import doc_id_for

    doc_id, probe, stop = doc_id_for(path.name), f"Where did the {token} pilot send a dental clinic?", scratch / "stop"
    arguments = ["--probe", probe, "--doc-id", doc_id, "--stop-file", str(stop)]
    logs: list[list[dict[str, Any]]] = [[] for _ in envs]
    errors_to = [(scratch / f"reader-{number}.log").open("w") for number in range(len(envs))]
    processes = [
        subprocess.Popen(
            child_command("reader", shared, *arguments), env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
        for env, log in zip(envs, errors_to)
    ]

    def collect(process: subprocess.Popen[str], log: list[dict[str, Any]]) -> None:
        assert process.stdout is not None
        log.extend(json.loads(line.removeprefix(MARK)) for line in process.stdout if line.startswith(MARK))

    for pair in zip(processes, logs):
        threading.Thread(target=collect, args=pair, daemon=True).start()
    rows: Rows = []
    try:
        deadline = time.monotonic() + CHILD_LIMIT_S
        while not all(any(item.get("ready") for item in log) for log in logs):
            if time.monotonic() > deadline or any(process.poll() is not None for process in processes):
                raise SystemExit(f"a reader process did not get ready: see {scratch}")
            time.sleep(0.2)
        time.sleep(3.0)  # a few answers before the change
        written = time.time()
        added = assistant.ingest([path])
        ingested = time.time()
        rows.append(("change: this process ingests the new document", f"{ingested - written:.2f} s"))
        if len(added.added) != 1:
            rows.append(("change: the ingest failed", json.dumps(added.failed)[:100]))
        while time.time() < ingested + timeout and not all(
            any(i.get("probe") and i["found"] for i in log) for log in logs
        ):
            time.sleep(0.2)
        time.sleep(1.0)
    finally:
        stop.touch()
        for process in processes:
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in errors_to:
            log.close()
    for number, log in enumerate(logs):
        name = "AB"[number]
        if processes[number].returncode:
            error = (scratch / f"reader-{number}.log").read_text().strip().splitlines()[-1:]
            rows.append((f"change: reader {name} died (exit {processes[number].returncode})", " ".join(error)[:100]))
        answers = [item for item in log if "t1" in item]
        errors = [item["error"] for item in answers if "error" in item]
        if errors:
            rows.append((f"change: reader {name} questions that failed ({len(errors)} of {len(answers)})", errors[0]))
        seen = next((item["t1"] for item in answers if item["probe"] and item["found"] and item["t1"] >= written), None)
        end = seen if seen is not None else max([item["t1"] for item in answers], default=written)
        during = [item["t1"] - item["t0"] for item in answers if item["t1"] >= written and item["t0"] <= end]
        before = [item["t1"] - item["t0"] for item in answers if item["t1"] < written]
        misses = sum(1 for item in answers if item["probe"] and not item["found"] and item["t0"] >= ingested)
        if seen is None:
            visible = f"not within {timeout:.0f} s of its return ({misses} misses after it)"
        else:
            visible = f"{seen - written:.2f} s ({seen - ingested:+.2f} s after it returned)"
        rows.append((f"change: ingest began -> reader {name} cites it", visible))
        slowest = f"{max(during, default=math.nan):.2f} s (before: max {max(before, default=math.nan):.2f} s)"
        rows.append((f"change: reader {name} slowest answer meanwhile ({len(during)} q)", slowest))
    assistant.remove(doc_id)
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


def part_reingest(assistant: EvidenceAssistant, shared: Path) -> Rows:
    sentences = real_sentences(shared)
    picker = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="bench-scale-files-") as folder:
        for number in range(1000):
            body = " ".join(picker.sample(sentences, 3))
            Path(folder, f"field-note-{number:04d}.txt").write_text(f"Field note {number:04d}\n\n{body}\n")
        started = time.perf_counter()
        first = assistant.ingest([Path(folder)])
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = assistant.ingest([Path(folder)])
        unchanged_seconds = time.perf_counter() - started
    rows = [
        (f"ingest 1,000 small new files ({len(first.added)} added, {len(first.failed)} failed)", f"{seconds:.1f} s"),
        (f"unchanged re-ingest of the 1,000 files ({len(again.unchanged)} unchanged)", f"{unchanged_seconds:.2f} s"),
    ]
    if first.failed:
        print(f"reingest: first failure: {first.failed[0]}")
    for entry in first.added:  # leave the library as it was
        assistant.store.remove_document(entry["doc_id"])
    return rows


# --- main ------------------------------------------------------------------------------------
def run(args: argparse.Namespace, parts: list[str], home: Path, port: int | None) -> None:
    import chromadb

    from assistant.service import EvidenceAssistant
    from assistant.settings import Settings

    settings = Settings(home=home, chroma_host="127.0.0.1" if port else None, chroma_port=port or 8000)
    assistant = EvidenceAssistant(settings)
    store = assistant.store
    if library_chunks(store) == args.chunks:
        print(f"{home} already holds the {args.chunks}-chunk library: not rebuilt")
    else:
        build_library(store, args.chunks, args.shared, args.noise, args.seed)
    started = time.perf_counter()
    assistant.warm_up()
    rows = [("warm_up() in this process (brings derived indexes in step)", f"{time.perf_counter() - started:.2f} s")]
    sentences = store.client.get_collection(f"{settings.collection}_sentences").count()
    where = f"a `chroma run` server on port {port}" if port else "embedded PersistentClient"
    print(
        f"chromadb {chromadb.__version__} ({where}); embedding engine {type(store.embeddings.encoder).__name__}; "
        f"nproc {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}\n"
        f"store {home}: {store.chunk_count()} chunks, {sentences} sentences, {len(store.documents())} documents\n"
        f"Vectors are real MiniLM embeddings of real sentences perturbed with gaussian noise (sigma {args.noise});\n"
        "chunk texts are real sentences joined, but their vectors are not embeddings of those texts.\n"
    )
    asked = questions(args.shared)
    env = child_env(home, port)
    envs = [child_env(home / f"reader-{name}", port) for name in "ab"] if port else [env]  # own homes (deploy.md)
    steps = {
        "latency": lambda: part_latency(assistant, asked),
        "first": lambda: part_first(env, args.shared),
        "rss": lambda: part_rss(env, args.shared),
        "change": lambda: part_change(assistant, envs, args.shared, args.change_timeout),
        "reingest": lambda: part_reingest(assistant, args.shared),
    }
    for part in (part for part in PARTS if part in parts):
        started = time.perf_counter()
        rows += steps[part]()
        print(f"[{part} done in {time.perf_counter() - started:.0f} s]", file=sys.stderr, flush=True)
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10000, help="chunks in the synthetic library")
    parser.add_argument("--home", type=Path, help="keep the library in this EVIDENCE_HOME (default: a temp folder)")
    parser.add_argument("--server", action="store_true", help="use a `chroma run` server over HOME/chroma-server")
    parser.add_argument(
        "--port", type=int, help="the server's port; the same port again reuses the BM25 file built for it in HOME"
    )
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--noise", type=float, default=0.02, help="sigma of the gaussian noise added to vectors")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--change-timeout", type=float, default=60.0, help="seconds to wait for readers to cite it")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder with corpus/ and eval/")
    parser.add_argument("--child", choices=["first", "rss", "reader"], help=argparse.SUPPRESS)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--doc-id", help=argparse.SUPPRESS)
    parser.add_argument("--stop-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args)
        return 0
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    if set(parts) - set(PARTS):
        parser.error(f"unknown parts {sorted(set(parts) - set(PARTS))}; choose from {', '.join(PARTS)}")
    with tempfile.TemporaryDirectory(prefix="bench-scale-home-") as folder:
        home = (args.home or Path(folder) / "home").resolve()
        home.mkdir(parents=True, exist_ok=True)
        if args.server:
            with chroma_server(home / "chroma-server", args.port) as port:
                run(args, parts, home, port)
        else:
            run(args, parts, home, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
