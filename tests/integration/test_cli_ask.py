"""`evidence ask` and `evidence eval` as users run them: real store, real model, JSON on stdout."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.citations import invariant_problems
from assistant.cli import main
from assistant.settings import Settings

from ..conftest import DEV_SET

EVIDENCE = Path(sys.executable).with_name("evidence")


@pytest.fixture
def sample_env(sample_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EVIDENCE_HOME", str(sample_home))
    return sample_home


def test_ask_json_keeps_the_contract(sample_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Which NHS ambulance service employed pharmacists?", "--json", "--k", "3"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["mode"] == "extractive" and not answer["abstained"]
    assert invariant_problems(answer, Settings().store().document_text) == []


def test_ask_plain_text_lists_references(sample_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "What helped care homes in Devon STP?"]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "cqc-state-of-care-2019-20-system-wide-governance.txt" in out


def test_batch_answers_one_json_per_line(
    sample_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = "Which NHS ambulance service employed pharmacists?\n\nWhat is the capital of France?\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(questions))
    assert main(["ask", "-", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    answers = [json.loads(line) for line in lines]
    assert [answer["abstained"] for answer in answers] == [False, True]


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_one_line_on_stderr(
    sample_env: Path, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    assert main(["ask", question]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "error: the question is empty"


def test_batch_runs_in_one_process_from_the_console_script(sample_home: Path) -> None:
    env = {**os.environ, "EVIDENCE_HOME": str(sample_home)}
    questions = "Which NHS ambulance service employed pharmacists?\nWhen was the Sussex ICS formed?\n"
    done = subprocess.run(
        [str(EVIDENCE), "ask", "-", "--json"], input=questions, capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 2 and all(not answer["abstained"] for answer in answers)
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared dev set not beside the checkout")
def test_eval_json_reports_the_design_metrics(sample_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(DEV_SET), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    for name in ("recall@1", "recall@5", "mrr", "citation_hit_rate", "citation_validity", "abstention_accuracy"):
        assert 0.0 <= metrics[name] <= 1.0
    assert metrics["latency_ms_p50"] > 0 and metrics["latency_ms_p95"] >= metrics["latency_ms_p50"]


def test_eval_of_a_malformed_question_set_is_one_line(
    sample_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "ok?"}\nnot json\n', encoding="utf-8")
    assert main(["eval", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: bad.jsonl line 2") and err.count("\n") == 1


def test_eval_on_empty_store_says_what_to_do(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "x", "question": "ok?"}\n', encoding="utf-8")
    assert main(["eval", str(questions)]) == 1
    assert "evidence ingest" in capsys.readouterr().err
