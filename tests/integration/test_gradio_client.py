"""The web UI's named `/ask` endpoint, called with gradio_client against a real `evidence serve`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from assistant.citations import invariant_problems
from tests.e2e.servers import Server, copy_of_sample, running_server

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(copy_of_sample(tmp_path_factory, "gradio-client")) as running:
        yield running


@pytest.fixture(scope="module")
def client(served: Server) -> Client:
    return Client(served.url, verbose=False)


def ask(client: Client, question: str) -> dict[str, Any]:
    result = client.predict(question, api_name="/ask")
    return json.loads(result) if isinstance(result, str) else dict(result)


def stored_text(home: Path) -> Any:
    """document_text(doc_id) read straight from the server's Chroma folder (read-only use)."""
    from assistant.settings import Settings

    store = Settings(home=home).store()
    return store.document_text


def test_first_answer_is_served_warm(client: Client, served: Server, record_property: Any) -> None:
    """The first question of a fresh server (this module's first test): the model and index were loaded
    before the ready line, so it is answered like any other. The time is printed and recorded, not asserted."""
    started = time.perf_counter()
    answer = ask(client, "Which NHS ambulance service employed pharmacists?")
    seconds = time.perf_counter() - started
    record_property("first_answer_seconds", round(seconds, 3))
    print(f"first answer after `evidence serve` was ready: {seconds:.3f} s")
    log = served.log.read_text(encoding="utf-8")
    assert log.index("Loading the embedding model") < log.index(f"Evidence Assistant is ready: {served.url}")
    assert answer["citations"]


def test_ask_endpoint_returns_the_cli_answer_object(client: Client, served: Server) -> None:
    answer = ask(client, "Which NHS ambulance service employed pharmacists?")
    assert set(answer) == {"question", "mode", "abstained", "answer", "citations", "timings_ms"}
    assert answer["question"] == "Which NHS ambulance service employed pharmacists?"
    assert answer["mode"] == "extractive"
    assert answer["abstained"] is False
    assert answer["citations"], "an answerable question must carry citations"
    assert "[1]" in answer["answer"]
    assert any("North West Ambulance Service" in citation["quote"] for citation in answer["citations"])
    assert invariant_problems(answer, stored_text(served.home)) == []
    for citation in answer["citations"]:
        assert set(citation) == {
            "n", "chunk_id", "doc_id", "title", "source", "section", "page", "quote", "start", "end", "score",
        }  # fmt: skip


def test_off_topic_question_abstains(client: Client) -> None:
    answer = ask(client, "What is the capital of France?")
    assert answer["abstained"] is True
    assert answer["citations"] == []


def test_empty_question_is_an_error_not_an_answer(client: Client) -> None:
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", api_name="/ask")


def test_only_ask_is_public(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]
