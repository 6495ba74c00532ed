"""Questions under load while an admin re-ingests: 20 concurrent askers over HTTP on loopback, with the
embedded store (one app process; the admin's ingest runs in it, as an upload does) and with a `chroma run`
server (two app processes; the admin runs `evidence ingest` as a third). No asker gets an error, every answer
keeps the invariants against the text of the version it cites, and once the re-ingest has finished no
answer cites a superseded version."""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from assistant.citations import invariant_problems
from assistant.service import EvidenceAssistant
from assistant.settings import Settings
from ingest.loaders import load_document
from ingest.pipeline import doc_id_for
from tests.conftest import REVIEWS
from tests.e2e.servers import evidence_command, running_server, server_env
from tests.processes import free_port, serving

ASKERS = 20
QUESTIONS_PER_ASKER = 60  # the bound on each asker's work, whatever happens
DEADLINE_SECONDS = 240.0
QUESTIONS = (
    "How did providers collaborate during the pandemic?",
    "Which NHS ambulance service employed pharmacists?",
    "What were the barriers to joint working?",
    "What did the review find about system-wide governance?",
    "How did care homes get support from GPs?",
    "What helped local systems share information?",
)
VERSION = re.compile(r":v(\d+):")


@dataclass
class Asked:
    started: float
    answer: dict[str, Any] | None = None
    error: str | None = None


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample reviews as version 1, and a revised set where every review gained a finding."""
    revised = tmp_path_factory.mktemp("revised")
    texts: dict[tuple[str, int], str] = {}
    for path in sorted(REVIEWS.glob("*.txt")):
        original = path.read_bytes()
        change = f"\n\nRevision note for {path.stem}: providers kept the joint rota after the pandemic.\n".encode()
        (revised / path.name).write_bytes(original + change)
        doc_id = doc_id_for(path.name)
        texts[doc_id, 1] = load_document(path, original).text
        texts[doc_id, 2] = load_document(path, original + change).text
    return {"folder": revised, "texts": texts}


def ask_while(urls: list[str], admin: Callable[[], None]) -> tuple[list[Asked], tuple[float, float]]:
    """ASKERS threads ask over HTTP (round robin over `urls`) while `admin` runs, then a little longer;
    returns every question asked and when the admin's work started and finished."""
    from gradio_client import Client

    finished = threading.Event()
    finished_at = [float("inf")]
    deadline = time.monotonic() + DEADLINE_SECONDS

    def asker(number: int) -> list[Asked]:
        client = Client(urls[number % len(urls)], verbose=False)
        asked: list[Asked] = []
        after_admin = 0
        for turn in range(QUESTIONS_PER_ASKER):
            if after_admin >= 2 or time.monotonic() > deadline:
                break
            after_admin += finished.is_set()
            record = Asked(time.monotonic())
            try:
                result = client.predict(QUESTIONS[(number + turn) % len(QUESTIONS)], api_name="/ask")
                record.answer = json.loads(result) if isinstance(result, str) else dict(result)
            except Exception as error:  # every failure is counted, none stops the others
                record.error = f"{type(error).__name__}: {error}"
            asked.append(record)
        return asked

    with ThreadPoolExecutor(ASKERS) as pool:
        jobs = [pool.submit(asker, number) for number in range(ASKERS)]
        time.sleep(2.0)  # the askers are under way before the admin starts
        started_at = time.monotonic()
        try:
            admin()
        finally:
            finished_at[0] = time.monotonic()
            finished.set()
        results = [record for job in jobs for record in job.result()]
    return results, (started_at, finished_at[0])


def assert_served_correctly(
    results: list[Asked], admin: tuple[float, float], texts: dict[tuple[str, int], str]
) -> None:
    errors = [record.error for record in results if record.error]
    assert errors == []
    started_at, finished_at = admin
    assert sum(started_at < record.started < finished_at for record in results) >= ASKERS  # asked during it
    late = 0
    for record in results:
        answer = record.answer
        assert answer is not None

        def text_of_cited_version(doc_id: str, answer: dict[str, Any] = answer) -> str | None:
            cited = {int(VERSION.search(c["chunk_id"]).group(1)) for c in answer["citations"] if c["doc_id"] == doc_id}  # type: ignore[union-attr]
            assert len(cited) == 1, f"one answer cites two versions of {doc_id}"
            return texts.get((doc_id, cited.pop()))

        assert invariant_problems(answer, text_of_cited_version) == []
        if record.started > finished_at:
            late += 1
            assert all("v2" in VERSION.search(c["chunk_id"]).group(0) for c in answer["citations"])  # type: ignore[union-attr]
    assert late >= ASKERS  # every asker asked again after the re-ingest


def test_askers_while_an_admin_reingests_embedded(
    tmp_path: Path, versions: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import build_app
    from vectorstore.store import EvidenceStore

    put_documents = EvidenceStore.put_documents

    def slow_put_documents(self: EvidenceStore, *args: Any, **kwargs: Any) -> Any:
        time.sleep(2.0)  # a large batch: two reviews re-ingest in about a second, too short to ask during
        return put_documents(self, *args, **kwargs)

    monkeypatch.setattr(EvidenceStore, "put_documents", slow_put_documents)
    settings = Settings(home=tmp_path / "home", check_seconds=0.2)
    assistant = EvidenceAssistant(settings)
    assistant.ingest([REVIEWS])
    assistant.warm_up()
    app = build_app(settings, assistant)
    app.queue(default_concurrency_limit=1)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        report: dict[str, Any] = {}
        results, admin = ask_while(
            [f"http://127.0.0.1:{port}/"], lambda: report.update(assistant.ingest([versions["folder"]]).as_dict())
        )
    finally:
        app.close()
    assert [entry["version"] for entry in report["updated"]] == [2, 2] and report["failed"] == []
    assert_served_correctly(results, admin, versions["texts"])


def test_askers_on_two_app_processes_while_an_admin_reingests(tmp_path: Path, versions: dict[str, Any]) -> None:
    import sys

    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    command = [str(chroma), "run", "--path", str(tmp_path / "db"), "--host", "127.0.0.1", "--port", str(port)]
    shared = {"EVIDENCE_CHROMA_HOST": "127.0.0.1", "EVIDENCE_CHROMA_PORT": str(port), "EVIDENCE_CHECK_SECONDS": "0.2"}
    with serving(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", tmp_path / "chroma.log", timeout=60):

        def evidence_ingest(folder: Path) -> dict[str, Any]:
            result = subprocess.run(
                [str(evidence_command()), "ingest", "--json", str(folder)],
                env=server_env(tmp_path / "admin", shared),
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            return dict(json.loads(result.stdout))

        assert len(evidence_ingest(REVIEWS)["added"]) == 2
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        report: dict[str, Any] = {}
        with (
            running_server(tmp_path / "a" / "home", env=shared) as first,
            running_server(tmp_path / "b" / "home", env=shared) as second,
        ):
            results, admin = ask_while(
                [first.url, second.url], lambda: report.update(evidence_ingest(versions["folder"]))
            )
    assert [entry["version"] for entry in report["updated"]] == [2, 2] and report["failed"] == []
    assert_served_correctly(results, admin, versions["texts"])
