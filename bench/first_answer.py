"""How fast is the first answer after `evidence serve` says it is ready? Prints figures; asserts nothing.

Ingests data/reviews into a temporary store, starts `evidence serve` (a real process), waits for its
"ready" line, then asks questions through the named `/ask` endpoint with gradio_client and prints
the start-up time, the first answer's time and the later answers' median, for several runs.

    .venv/bin/python bench/first_answer.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = Path(sys.executable).with_name("evidence")
QUESTIONS = [
    "Which NHS ambulance service employed pharmacists?",
    "How did providers support homeless people during the pandemic?",
    "What made system-wide governance work well?",
    "What were the barriers to collaboration?",
    "Who expanded chemotherapy at home?",
]
READY_MARK = "is ready:"
STARTUP_LIMIT_S = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_run(home: Path, env: dict[str, str]) -> tuple[float, float, list[float]]:
    """(seconds from start to ready, first answer seconds, later answers seconds) for one fresh server."""
    from gradio_client import Client

    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(EVIDENCE), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if READY_MARK in line:
                break
            if time.perf_counter() - started > STARTUP_LIMIT_S:
                raise SystemExit("evidence serve did not get ready")
        else:
            raise SystemExit(f"evidence serve exited with {process.wait()}")
        ready = time.perf_counter() - started
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        times = []
        for question in QUESTIONS:
            asked = time.perf_counter()
            client.predict(question, api_name="/ask")
            times.append(time.perf_counter() - asked)
        return ready, times[0], times[1:]
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        env = {name: value for name, value in os.environ.items() if not name.startswith("EVIDENCE_")}
        env.update(EVIDENCE_HOME=str(home), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", NO_PROXY="*")
        reviews = ROOT / "data" / "reviews"
        subprocess.run([str(EVIDENCE), "ingest", str(reviews)], env=env, check=True, capture_output=True)
        print(f"{'run':>3}  {'start→ready s':>13}  {'1st answer s':>12}  {'later p50 s':>11}  {'1st / later':>11}")
        for run in range(1, args.runs + 1):
            ready, first, later = one_run(home, env)
            median = statistics.median(later)
            print(f"{run:>3}  {ready:>13.2f}  {first:>12.3f}  {median:>11.3f}  {first / median:>11.1f}")


if __name__ == "__main__":
    main()
