"""Shared fixtures: every test gets its own EVIDENCE_HOME; the sample corpus is ingested once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import EvidenceAssistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ROOT / "data" / "reviews"
DEV_SET = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"
COLLABORATING = REVIEWS / "cqc-collaborating-for-better-care.txt"
GOVERNANCE = REVIEWS / "cqc-state-of-care-2019-20-system-wide-governance.txt"


@pytest.fixture(autouse=True)
def evidence_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point EVIDENCE_HOME at a fresh folder and clear any EVIDENCE_* settings from the caller."""
    import os

    for name in list(os.environ):
        if name.startswith("EVIDENCE_"):
            monkeypatch.delenv(name)
    home = tmp_path / "evidence-home"
    monkeypatch.setenv("EVIDENCE_HOME", str(home))
    return home


@pytest.fixture
def settings(evidence_home: Path) -> Settings:
    return Settings()


@pytest.fixture
def assistant(settings: Settings) -> EvidenceAssistant:
    """An assistant over an empty store of its own."""
    return EvidenceAssistant(settings)


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the two CQC documents, ingested once; tests must only read it."""
    home = tmp_path_factory.mktemp("sample-home")
    report = EvidenceAssistant(Settings(home=home)).ingest([REVIEWS])
    assert not report.failed and len(report.added) == 2
    return home


@pytest.fixture(scope="session")
def sample_assistant(sample_home: Path) -> Iterator[EvidenceAssistant]:
    """Read-only assistant over the sample corpus (shared across the session for speed)."""
    yield EvidenceAssistant(Settings(home=sample_home))
