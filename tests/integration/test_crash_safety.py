"""Killed writes lose nothing: `evidence ingest` SIGKILLed at points spread over a batch that revises,
renames and adds documents, then re-run (on the same folder, or with --prune after the half-ingested files
are removed), leaves every document at exactly one version, no orphan or stale rows, and answers that
only cite current text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.citations import invariant_problems
from assistant.service import EvidenceAssistant
from assistant.settings import Settings
from vectorstore.consistency import inspect

KILLER = Path(__file__).with_name("kill_at_write.py")
KILL_POINTS = 6

ALDER_OLD = "Volunteer drivers delivered prescriptions to people shielding at home in Alder ward."
ALDER_NEW = "A pharmacy courier replaced the volunteer drivers for Alder ward prescriptions in March."
DOGWOOD = "Dogwood surgery opened a hot clinic for patients with symptoms in a separate building."
ELM = "Elm care home trained its staff to use video calls so residents could speak to their GP."


def review(title: str, finding: str) -> str:
    return (
        f"{title}\n\n{finding}\n\n"
        "Leaders met every week to agree priorities and to share what was working across the area.\n\n"
        "Staff said the changes were hard at first but that they would keep most of them after the pandemic.\n"
    )


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def evidence(home: Path, *args: str, kill_at: int | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process; with `kill_at`, SIGKILLed before that write to Chroma."""
    environment = {**os.environ, "EVIDENCE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    command = (
        [sys.executable, str(KILLER), str(kill_at)] if kill_at is not None else [sys.executable, "-m", "assistant.cli"]
    )
    return subprocess.run([*command, *args], env=environment, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A store holding version 1 (made by the CLI, then left alone), and the folder of the next batch."""
    root = tmp_path_factory.mktemp("crash")
    birch, cedar = (
        review("Birch review", "Birch practice shared one rota with the district nurses."),
        review("Cedar review", "Cedar hospital discharged patients to a step-down unit run with the council."),
    )
    first = write_folder(root / "first", {"a.txt": review("Alder review", ALDER_OLD), "b.txt": birch, "c.txt": cedar})
    second = write_folder(
        root / "second",
        {
            "a.txt": review("Alder review", ALDER_NEW),  # revised
            "b2.txt": birch,  # renamed
            "c.txt": cedar,  # unchanged
            "d.txt": review("Dogwood review", DOGWOOD),  # added
            "e.txt": review("Elm review", ELM),  # added
        },
    )
    template = root / "template"
    result = evidence(template, "ingest", str(first))
    assert result.returncode == 0, result.stderr
    return {"root": root, "template": template, "second": second}


def copy_home(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def assert_readers_see_whole_versions(assistant: EvidenceAssistant) -> None:
    """Every question is answered without error and cites verbatim text of a stored version."""
    for question in ("Who delivered prescriptions for Alder ward?", "What did Dogwood surgery open?", "Elm care home"):
        answer = assistant.ask(question)
        assert invariant_problems(answer.as_dict(), assistant.store.document_text) == []


def assert_settled(assistant: EvidenceAssistant, expected: dict[str, int]) -> None:
    """The documents (id -> version) expected, each at one version with all its rows and nothing else."""
    store = assistant.store
    findings = inspect(store)
    assert findings.ok(), findings.summary()
    records = store.documents()
    assert {record.doc_id: record.version for record in records} == expected
    assert store.chunk_count() == sum(record.chunks for record in records)
    assert_readers_see_whole_versions(assistant)
    answer = assistant.ask("Who delivered prescriptions to people shielding in Alder ward?")
    quotes = " ".join(citation.quote for citation in answer.citations)
    assert ALDER_OLD not in quotes  # the old version's sentence is not citable
    assert not any(ALDER_OLD in sentence.text for sentence in store.all_sentences()[0])


def test_kill_at_any_write_then_rerun_or_prune(batch: dict[str, Path], tmp_path: Path) -> None:
    second = batch["second"]
    full = evidence(copy_home(batch["template"], tmp_path / "full"), "ingest", str(second), kill_at=0)
    assert full.returncode == 0, full.stderr
    writes = int(full.stdout.strip().splitlines()[-1].removeprefix("writes: "))
    points = sorted({max(1, round(writes * step / KILL_POINTS)) for step in range(KILL_POINTS)})
    assert len(points) >= 5

    interrupted = 0
    for point in points:
        home = copy_home(batch["template"], tmp_path / f"killed-{point}")
        killed = evidence(home, "ingest", str(second), kill_at=point)
        assert killed.returncode == -9, f"not killed at write {point} of {writes}: {killed.stderr}"
        pruned_home = copy_home(home, tmp_path / f"pruned-{point}")

        # the killed state itself: readers see only complete versions
        assistant = EvidenceAssistant(Settings(home=home))
        assert_readers_see_whole_versions(assistant)
        interrupted += not inspect(assistant.store).ok()  # a kill mid-document leaves a pending version
        # re-run on the same folder: recovers and finishes the batch
        report = assistant.ingest([second])
        assert report.failed == []
        assert_settled(assistant, {"a": 2, "b": 1, "c": 1, "d": 1, "e": 1})

        # or: the half-ingested new files are taken away and the store pruned to the folder
        pruned_folder = copy_home(second, tmp_path / f"folder-{point}")
        for name in ("d.txt", "e.txt"):
            (pruned_folder / name).unlink()
        assistant = EvidenceAssistant(Settings(home=pruned_home))
        report = assistant.ingest([pruned_folder], prune=True)
        assert report.failed == []
        assert_settled(assistant, {"a": 2, "b": 1, "c": 1})
        for question in ("What did Dogwood surgery open?", "Elm care home video calls"):
            cited = {citation.doc_id for citation in assistant.ask(question).citations}
            assert not cited & {"d", "e"}
    assert interrupted >= len(points) // 2


def test_a_store_of_the_previous_layout_is_migrated(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    """Rows written before versioned writes carry no version: opening the store gives them their document's."""
    folder = write_folder(tmp_path / "docs", {"a.txt": review("Alder review", ALDER_OLD)})
    assistant.ingest([folder])
    store = assistant.store
    for collection in (store._chunks, store._sentences):  # rewrite the rows as the previous release did
        stored = collection.get(include=["documents", "metadatas", "embeddings"])
        legacy = [
            {key: value for key, value in metadata.items() if key != "version"} for metadata in stored["metadatas"]
        ]
        collection.delete(ids=stored["ids"])  # an upsert would merge the old metadata back in
        collection.add(
            ids=stored["ids"], documents=stored["documents"], embeddings=stored["embeddings"], metadatas=legacy
        )
        assert all("version" not in metadata for metadata in collection.get(include=["metadatas"])["metadatas"])
    store._manifest.delete(ids=["__schema__"])
    assert store.all_chunks()[0] == []  # unversioned rows are not read as current ...

    migrated = EvidenceAssistant(Settings(home=assistant.settings.home))  # ... until the store is opened again
    assert inspect(migrated.store).ok()
    assert [record.doc_id for record in migrated.store.documents()] == ["a"]
    answer = migrated.ask("Who delivered prescriptions to people shielding at home?")
    assert any(ALDER_OLD in citation.quote for citation in answer.citations)


def test_doctor_finds_and_repairs_leftovers(
    assistant: EvidenceAssistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant import cli

    folder = write_folder(
        tmp_path / "docs", {"a.txt": review("Alder review", ALDER_OLD), "d.txt": review("Dogwood review", DOGWOOD)}
    )
    assistant.ingest([folder])
    store = assistant.store
    rows = store._chunks.get(where={"doc_id": "a"}, include=["documents", "metadatas", "embeddings"])
    # what killed writers leave: a half-written version 2 of "a", rows of a document never entered in the
    # manifest, a sentence whose chunk is gone, and a document with a chunk row missing
    store._begin("a")
    store._chunks.add(
        ids=[row_id.replace(":v1:", ":v2:") for row_id in rows["ids"]],
        documents=rows["documents"],
        embeddings=rows["embeddings"],
        metadatas=[metadata | {"version": 2} for metadata in rows["metadatas"]],
    )
    store._chunks.add(
        ids=["ghost:v1:0"],
        documents=["Ghost"],
        embeddings=[rows["embeddings"][0]],
        metadatas=[{"doc_id": "ghost", "version": 1, "start": 0, "end": 5, "title": "G", "source": "g.txt"}],
    )
    dogwood = store._chunks.get(where={"doc_id": "d"})["ids"]
    store._chunks.delete(ids=dogwood[:1])

    capsys.readouterr()
    assert cli.main(["doctor", "--json"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    found = json.loads(out)
    assert found["ok"] is False and found["found"]["pending"] == ["a"]
    assert found["found"]["stale_rows"] == {"a": len(rows["ids"])}
    assert found["found"]["orphan_rows"] == {"ghost": 1}
    assert found["found"]["incomplete"] == ["d"]
    assert len(found["found"]["detached_sentences"]) >= 1  # the sentences of the deleted dogwood chunk

    assert cli.main(["doctor", "--repair"]) == 0
    output = capsys.readouterr().out
    assert "re-ingest" in output and "after repair: store is consistent" in output
    assert [record.doc_id for record in store.documents()] == ["a"]
    assert inspect(store).ok()
    assert assistant.ingest([folder]).added[0]["doc_id"] == "d"  # re-ingesting restores what was removed
    assert inspect(store).ok()


def test_a_store_error_fails_one_file_and_the_next_run_recovers(
    assistant: EvidenceAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_folder(
        tmp_path / "docs", {"a.txt": review("Alder review", ALDER_OLD), "d.txt": review("Dogwood review", DOGWOOD)}
    )
    store = assistant.store
    add = store._add

    def failing_add(collection: Any, ids: list[str], *args: Any) -> None:
        if collection is store._sentences and ids[0].startswith("a:"):  # after a's chunk rows are written
            raise ConnectionError("the Chroma server went away")
        add(collection, ids, *args)

    monkeypatch.setattr(store, "_add", failing_add)
    report = assistant.ingest([folder])
    assert [entry["doc_id"] for entry in report.added] == ["d"]
    assert report.failed == [{"path": str(folder / "a.txt"), "error": "could not store: the Chroma server went away"}]
    assert [record.doc_id for record in store.documents()] == ["d"]
    assert store.pending() == ["a"]  # its half-written rows are left for recovery ...
    assert all(chunk.doc_id == "d" for chunk in store.all_chunks()[0])  # ... and no reader sees them
    assert_readers_see_whole_versions(assistant)

    monkeypatch.setattr(store, "_add", add)
    report = assistant.ingest([folder])
    assert [entry["doc_id"] for entry in report.added] == ["a"] and report.failed == []
    assert inspect(store).ok()


def test_concurrent_ingests_of_one_document_leave_one_version(
    assistant: EvidenceAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins ingest two revisions of the same file at once, three times over: the writers' lock makes
    one write follow the other, so neither deletes the other's rows."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from vectorstore.store import EvidenceStore

    put_documents = EvidenceStore.put_documents

    def slow_put_documents(self: EvidenceStore, *args: Any) -> None:
        time.sleep(0.5)  # widens the window in which an unserialised writer would decide on the same version
        put_documents(self, *args)

    monkeypatch.setattr(EvidenceStore, "put_documents", slow_put_documents)

    folders = [
        write_folder(tmp_path / f"admin{n}", {"a.txt": review("Alder review", finding)})
        for n, finding in enumerate((ALDER_OLD, ALDER_NEW))
    ]
    other = EvidenceAssistant(Settings(home=assistant.settings.home))  # a second session on the same store
    writes = 0
    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            reports = list(pool.map(lambda pair: pair[0].ingest([pair[1]]), zip((assistant, other), folders)))
            assert all(report.failed == [] for report in reports)
            writes += sum(len(report.added) + len(report.updated) for report in reports)
    [record] = assistant.store.documents()
    assert record.version == writes >= 3  # each write made the next version: none was lost or repeated
    assert inspect(assistant.store).ok()
    assert assistant.store.chunk_count() == record.chunks
