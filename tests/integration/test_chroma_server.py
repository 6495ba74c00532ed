"""The scale-out path: a real `chroma run` server, reached through EVIDENCE_CHROMA_HOST."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.citations import invariant_problems
from assistant.service import EvidenceAssistant
from assistant.settings import Settings

from ..conftest import COLLABORATING, REVIEWS
from ..processes import free_port, serving


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    command = [str(chroma), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", data / "server.log", timeout=60):
        yield port


def test_two_app_instances_share_one_server(chroma_server: int, tmp_path: Path) -> None:
    def instance(name: str) -> EvidenceAssistant:
        return EvidenceAssistant(
            Settings(home=tmp_path / name, chroma_host="127.0.0.1", chroma_port=chroma_server, collection="scale")
        )

    writer, reader = instance("writer"), instance("reader")
    report = writer.ingest([REVIEWS])
    assert len(report.added) == 2 and not report.failed
    assert not (tmp_path / "writer" / "chroma").exists()  # nothing stored locally on the server path

    answer = reader.ask("Which NHS ambulance service employed pharmacists?").as_dict()
    assert not answer["abstained"]
    assert "North West Ambulance Service" in answer["answer"]
    assert invariant_problems(answer, reader.store.document_text) == []

    # a document removed through one instance stops being answerable through the other
    assert writer.store.remove_document(COLLABORATING.stem)
    after = reader.ask("Which NHS ambulance service employed pharmacists?")
    assert all(citation.doc_id != COLLABORATING.stem for citation in after.citations)
    assert {record.doc_id for record in reader.store.documents()} == {
        "cqc-state-of-care-2019-20-system-wide-governance"
    }


UNIQUE = "The Wensleydale hospice ran its night rota from a shared spreadsheet with the district nurses."


def test_a_change_reaches_two_running_app_processes(chroma_server: int, tmp_path: Path) -> None:
    """Two `evidence serve` processes on one server: a document ingested by a third process is answered by
    both (each syncs its own lexical index when the store's generation token moves), and a removal too."""
    from gradio_client import Client

    from tests.e2e.servers import running_server

    server = {"EVIDENCE_CHROMA_HOST": "127.0.0.1", "EVIDENCE_CHROMA_PORT": str(chroma_server)}
    server["EVIDENCE_COLLECTION"] = "processes"
    writer = EvidenceAssistant(
        Settings(home=tmp_path / "writer", chroma_host="127.0.0.1", chroma_port=chroma_server, collection="processes")
    )
    writer.ingest([REVIEWS])
    note = tmp_path / "docs" / "wensleydale-rota.txt"
    note.parent.mkdir()
    note.write_text(f"Night cover\n\n{UNIQUE}\n", encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    question = "How did the Wensleydale hospice run its night rota?"
    with (
        running_server(tmp_path / "a" / "home", env=server) as first,
        running_server(tmp_path / "b" / "home", env=server) as second,
    ):
        clients = [Client(first.url, verbose=False), Client(second.url, verbose=False)]

        def cited(client: Client) -> bool:
            result = client.predict(question, api_name="/ask")
            answer = json.loads(result) if isinstance(result, str) else dict(result)
            return any("Wensleydale" in citation["quote"] for citation in answer["citations"])

        assert not any(cited(client) for client in clients)
        writer.ingest([note.parent])
        for client in clients:
            assert wait_until(lambda client=client: cited(client), seconds=60)
        assert writer.remove(note.stem) is not None
        for client in clients:
            assert wait_until(lambda client=client: not cited(client), seconds=60)


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll a condition (bounded in time); whether it came true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False
