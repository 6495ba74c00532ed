"""The scale-out path: a real `chroma run` server, reached through EVIDENCE_CHROMA_HOST."""

from __future__ import annotations

import sys
from collections.abc import Iterator
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
