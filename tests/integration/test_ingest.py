"""Ingest end to end: real embedded Chroma under EVIDENCE_HOME, the bundled MiniLM, the `evidence` CLI."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant import cli
from assistant.service import EvidenceAssistant
from assistant.settings import Settings
from ingest.chunking import chunk_document
from ingest.cleaning import boilerplate_blocks
from ingest.loaders import load_document
from ingest.pipeline import chunk_ids
from tests.conftest import COLLABORATING, GOVERNANCE, REVIEWS, ROOT
from tests.unit.test_loaders import (
    BAD_FILES,
    DOCX_FINDING,
    HOSTILE_HTML,
    HOSTILE_MARKERS,
    MARKDOWN,
    PDF_FINDING,
    make_docx,
    make_pdf,
)
from vectorstore.store import EvidenceStore

NWAS = "North West Ambulance Service employed pharmacists"
NWAS_SENTENCE = (
    "North West Ambulance Service employed pharmacists in their NHS 111 call centres to support prescription "
    "requests – this helped people avoid going to A&E."
)
ZEBRA = "Zebra Valley Ambulance Trust employed librarians"
ZEBRA_SENTENCE = (
    "Zebra Valley Ambulance Trust employed librarians in their control rooms to read to patients waiting for "
    "crews – this calmed callers during long waits."
)
REPORT_KEYS = {"added", "updated", "unchanged", "removed", "failed", "chunks", "seconds"}
ENTRY_KEYS = {"doc_id", "path", "title", "chunks", "version"}


# --- helpers ------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(store: EvidenceStore) -> dict[str, Any]:
    """Everything a failed ingest must leave alone."""
    chunks, _ = store.all_chunks()
    sentences, _ = store.all_sentences()
    return {
        "documents": store.documents(),
        "texts": {record.doc_id: store.document_text(record.doc_id) for record in store.documents()},
        "chunks": sorted((chunk.chunk_id, chunk.text, chunk.start, chunk.end) for chunk in chunks),
        "sentences": sorted((sentence.sentence_id, sentence.start, sentence.end) for sentence in sentences),
    }


def chunks_of(store: EvidenceStore, doc_id: str):
    return [chunk for chunk in store.all_chunks()[0] if chunk.doc_id == doc_id]


def assert_consistent(store: EvidenceStore) -> None:
    """Manifest, chunks and sentences agree; every span is verbatim at its offsets."""
    chunks, _ = store.all_chunks()
    sentences, _ = store.all_sentences()
    records = store.documents()
    assert {chunk.doc_id for chunk in chunks} == {record.doc_id for record in records}
    assert store.chunk_count() == sum(record.chunks for record in records) == len(chunks)
    by_id = {chunk.chunk_id: chunk for chunk in chunks}
    texts = {record.doc_id: store.document_text(record.doc_id) or "" for record in records}
    for record in records:
        assert len(chunks_of(store, record.doc_id)) == record.chunks
    for chunk in chunks:
        assert texts[chunk.doc_id][chunk.start : chunk.end] == chunk.text
    for sentence in sentences:
        chunk = by_id[sentence.chunk_id]  # no sentence outlives its chunk
        assert chunk.doc_id == sentence.doc_id
        assert chunk.start <= sentence.start < sentence.end <= chunk.end
        assert texts[sentence.doc_id][sentence.start : sentence.end] == sentence.text


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def small_doc(title: str, finding: str) -> str:
    return f"{title}\n\n{finding}\n\nA second paragraph so the review has some body to it, written for the tests.\n"


def listing(root: Path, exclude: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if exclude not in (path, *path.parents)}


@pytest.fixture
def encode_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Texts passed to the embedding model, one entry per call."""
    from vectorstore.embeddings import LocalEmbeddings

    calls: list[int] = []
    original: Callable[..., Any] = LocalEmbeddings.encode

    def counting(self: Any, texts: Any) -> Any:
        calls.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(LocalEmbeddings, "encode", counting)
    return calls


# --- the shared sample store (read only) ------------------------------------------------------


def test_sample_store_is_consistent(sample_assistant: EvidenceAssistant) -> None:
    store = sample_assistant.store
    assert [record.doc_id for record in store.documents()] == [
        "cqc-collaborating-for-better-care",
        "cqc-state-of-care-2019-20-system-wide-governance",
    ]
    assert_consistent(store)
    for path in (COLLABORATING, GOVERNANCE):
        record = store.document(path.stem)
        assert record is not None and record.version == 1 and record.source == path.name
        assert store.document_text(path.stem) == path.read_text(encoding="utf-8")  # stored verbatim
        document = load_document(path, path.read_bytes())
        chunks = chunk_document(document, boilerplate_blocks(document.text, document.blocks))
        expected = chunk_ids(path.stem, chunks, version=1)
        assert sorted(chunk.chunk_id for chunk in chunks_of(store, path.stem)) == sorted(expected)


def test_sentences_read_by_their_chunks_offsets_equal_those_read_with_their_rows(
    sample_assistant: EvidenceAssistant,
) -> None:
    """Chunks carry their sentences' offsets, so a question reads only the sentence vectors; stores written
    before (no offsets) read the rows' metadata. Both give the same sentences and vectors."""
    from dataclasses import replace

    store = sample_assistant.store
    chunks, _ = store.all_chunks()
    assert chunks and all(chunk.sentence_spans for chunk in chunks)
    by_offsets = store.sentences_of(chunks)
    by_rows = store.sentences_of([replace(chunk, sentence_spans=None) for chunk in chunks])
    assert [sentence for sentence, _ in by_offsets] == [sentence for sentence, _ in by_rows]
    assert all(list(a) == list(b) for (_, a), (_, b) in zip(by_offsets, by_rows))
    assert len(by_offsets) == sum(len(chunk.sentence_spans or ()) for chunk in chunks)


def test_sample_store_has_no_furniture(sample_assistant: EvidenceAssistant) -> None:
    chunks, _ = sample_assistant.store.all_chunks()
    for chunk in chunks:
        for phrase in ("Next page", "Previous page", "Page last updated", "Go to the latest", "Contents"):
            assert phrase not in chunk.text
        assert "Quality overall before the pandemic" not in chunk.text


def test_sample_finding_is_retrieved_with_its_section(sample_assistant: EvidenceAssistant) -> None:
    passages = sample_assistant.retriever.search(
        "Which ambulance service employed pharmacists in NHS 111 call centres?"
    )
    top = passages[0].chunk
    assert NWAS in top.text
    assert top.doc_id == "cqc-collaborating-for-better-care"
    assert top.section == "Navigating disruption to services"
    assert top.source == COLLABORATING.name and top.page is None


# --- formats ------------------------------------------------------------------------------


def test_every_format_is_ingested(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    folder = tmp_path / "formats"
    write(folder / "elm-house.txt", small_doc("Elm House review", "Residents at Elm House praised the gardening club."))
    write(folder / "oak-lodge.md", MARKDOWN)
    write(folder / "hostile.html", HOSTILE_HTML)
    write(folder / "hillside.pdf", make_pdf())
    write(folder / "riverside.docx", make_docx())
    report = assistant.ingest([folder])
    assert report.failed == []
    assert sorted(entry["doc_id"] for entry in report.added) == [
        "elm-house",
        "hillside",
        "hostile",
        "oak-lodge",
        "riverside",
    ]
    store = assistant.store
    assert_consistent(store)
    assert {record.doc_id: record.title for record in store.documents()} == {
        "elm-house": "Elm House review",
        "oak-lodge": "Annual review of Oak Lodge",
        "hostile": "Hillside hostile review",
        "hillside": "Quarterly review of Hillside Care Home",
        "riverside": "Inspection of Riverside Trust",
    }

    pdf_chunk = next(chunk for chunk in chunks_of(store, "hillside") if PDF_FINDING in chunk.text)
    assert pdf_chunk.page == 2 and pdf_chunk.section == "Findings"
    assert {chunk.page for chunk in chunks_of(store, "hillside")} == {1, 2, 3}
    docx_chunk = next(chunk for chunk in chunks_of(store, "riverside") if DOCX_FINDING in chunk.text)
    assert docx_chunk.section == "Safe care > Medicines" and docx_chunk.page is None
    md_chunk = next(chunk for chunk in chunks_of(store, "oak-lodge") if "Night shifts" in chunk.text)
    assert md_chunk.section == "Findings > Staffing"

    top = assistant.retriever.search("fridge thermometer in the kitchen")[0].chunk
    assert top.doc_id == "hillside" and top.page == 2 and PDF_FINDING in top.text


def test_hostile_html_is_stored_without_script(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    report = assistant.ingest([write(tmp_path / "hostile.html", HOSTILE_HTML)])
    assert [entry["doc_id"] for entry in report.added] == ["hostile"]
    store = assistant.store
    stored = [store.document_text("hostile") or ""]
    stored += [chunk.text for chunk in store.all_chunks()[0]]
    stored += [sentence.text for sentence in store.all_sentences()[0]]
    for text in stored:
        for marker in HOSTILE_MARKERS:
            assert marker not in text
    assert "Fees rose by £40 a week" in stored[0]
    passages = assistant.retriever.search("javascript alert pwned script")
    assert all("__pwned" not in passage.chunk.text for passage in passages)


def test_non_utf8_text_is_decoded(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    cp1252 = write(
        tmp_path / "fees-cp1252.txt",
        "Fees review\n\nResidents said the ‘top-up’ fee of £25 a week was “unfair” – and rising.\n".encode("cp1252"),
    )
    latin1 = write(
        tmp_path / "visit-latin1.txt",
        "Visite à Zürich\n\nThe café served a naïve façade of choice; résidents wanted more.\n".encode("latin-1"),
    )
    report = assistant.ingest([cp1252, latin1])
    assert report.failed == [] and len(report.added) == 2
    fees = assistant.store.document_text("fees-cp1252") or ""
    assert "‘top-up’ fee of £25 a week was “unfair” – and rising." in fees
    visit = assistant.store.document_text("visit-latin1") or ""
    assert "café served a naïve façade" in visit and "résidents" in visit
    assert assistant.store.document("visit-latin1").title == "Visite à Zürich"  # type: ignore[union-attr]
    assert any("£25" in chunk.text for chunk in chunks_of(assistant.store, "fees-cp1252"))
    assert_consistent(assistant.store)


# --- bad input ----------------------------------------------------------------------------


def test_bad_files_fail_alone_and_leave_the_store_alone(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    first = assistant.ingest([write(tmp_path / "good" / "elm.txt", small_doc("Elm review", "Elm had a cat."))])
    assert len(first.added) == 1
    before = snapshot(assistant.store)

    bad_dir = tmp_path / "bad"
    expected: dict[str, str] = {}
    for index, (name, data, message) in enumerate(BAD_FILES):
        path = write(bad_dir / f"bad{index:02d}-{name}", data)  # distinct stems, so distinct document ids
        expected[str(path)] = message.split("'")[0]
    missing = tmp_path / "no" / "such" / "file.txt"
    expected[str(missing)] = "no such file or folder"
    new_good = write(tmp_path / "good" / "ash.txt", small_doc("Ash review", "Ash had a garden."))

    bad_paths = [Path(path) for path in expected]
    paths = [*bad_paths[:8], new_good, *bad_paths[8:]]  # the good file mid-batch
    report = assistant.ingest(paths)

    assert {failure["path"]: failure["error"] for failure in report.failed}.keys() == expected.keys()
    for failure in report.failed:
        assert expected[failure["path"]] in failure["error"]
        assert "\n" not in failure["error"] and "Traceback" not in failure["error"]
        assert 0 < len(failure["error"]) <= 200
    assert [entry["doc_id"] for entry in report.added] == ["ash"]
    assert report.updated == report.unchanged == report.removed == []

    after = snapshot(assistant.store)
    assert [record.doc_id for record in after["documents"]] == ["ash", "elm"]
    assert after["texts"]["elm"] == before["texts"]["elm"]
    assert [record for record in after["documents"] if record.doc_id == "elm"] == before["documents"]
    ash = {chunk.chunk_id for chunk in chunks_of(assistant.store, "ash")}
    assert [item for item in after["chunks"] if item[0] not in ash] == before["chunks"]
    assert_consistent(assistant.store)


def test_a_reader_library_s_own_error_fails_that_file_alone(
    assistant: EvidenceAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser raising what no one foresaw (python-docx's ValueError on a table's grid) once ended the batch:
    the files after it were never read, and one read before it was never written."""
    from ingest import loaders

    def unforeseen(path: Path, data: bytes) -> Any:
        raise ValueError("no `tc` element at grid_offset=1")

    monkeypatch.setitem(loaders._READERS, ".docx", unforeseen)
    before = write(tmp_path / "elm.txt", small_doc("Elm review", "Elm had a cat."))
    broken = write(tmp_path / "grid.docx", b"PK any bytes")
    after = write(tmp_path / "ash.txt", small_doc("Ash review", "Ash had a garden."))
    report = assistant.ingest([before, broken, after])
    assert [entry["doc_id"] for entry in report.added] == ["elm", "ash"]
    assert report.failed == [
        {"path": str(broken), "error": "could not read this DOCX (ValueError: no `tc` element at grid_offset=1)"}
    ]
    assert_consistent(assistant.store)


def test_file_over_the_size_limit_fails(evidence_home: Path, tmp_path: Path) -> None:
    assistant = EvidenceAssistant(Settings(max_file_mb=0.001))  # 1,048 bytes
    big = write(tmp_path / "big.txt", small_doc("Big review", "Big finding. " * 400))
    small = write(tmp_path / "small.txt", small_doc("Small review", "Small finding."))
    assert big.stat().st_size > 1100 and small.stat().st_size < 1000
    report = assistant.ingest([big, small])
    assert [failure["path"] for failure in report.failed] == [str(big)]
    assert "limit" in report.failed[0]["error"] and "\n" not in report.failed[0]["error"]
    assert [entry["doc_id"] for entry in report.added] == ["small"]
    assert assistant.store.document("big") is None


REVISED_FINDING = "Okapi keepers at the sanctuary were trained to give insulin."
REVISED_TXT = (
    f"Sanctuary review\n\n{REVISED_FINDING}\n\nThe second paragraph of the first version of the review.\n"
).encode()


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("revised.txt", REVISED_TXT, b""),
        ("revised.txt", REVISED_TXT, b"  \n\n \t "),
        ("revised.txt", REVISED_TXT, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300)),
        ("revised.pdf", make_pdf(), random.Random(7).randbytes(3000)),
    ],
    ids=["empty", "whitespace", "binary", "corrupt-pdf"],
)
def test_failed_revision_keeps_the_previous_version(
    assistant: EvidenceAssistant, tmp_path: Path, name: str, good: bytes, bad: bytes
) -> None:
    path = write(tmp_path / name, good)
    assert [entry["version"] for entry in assistant.ingest([path]).added] == [1]
    before = snapshot(assistant.store)

    write(path, bad)
    report = assistant.ingest([path])
    assert [failure["path"] for failure in report.failed] == [str(path)]
    assert report.added == report.updated == report.unchanged == []

    assert snapshot(assistant.store) == before
    record = assistant.store.document("revised")
    assert record is not None and record.version == 1
    phrase, query = (
        (REVISED_FINDING, "who gives insulin at the okapi sanctuary?")
        if name.endswith(".txt")
        else (PDF_FINDING, "fridge thermometer in the kitchen")
    )
    top = assistant.retriever.search(query)[0].chunk
    assert top.doc_id == "revised" and phrase in top.text


# --- names and paths ----------------------------------------------------------------------


def test_odd_file_names(assistant: EvidenceAssistant, tmp_path: Path, evidence_home: Path) -> None:
    docs = tmp_path / "odd names"
    (docs / "a").mkdir(parents=True)
    files = {
        "spaces": write(docs / "review with spaces.txt", small_doc("Spaces review", "Quokka therapy was popular.")),
        "unicode": write(docs / "Überprüfung – café.txt", small_doc("Überprüfung", "Residents loved the pétanque.")),
        "long": write(docs / ("r" * 196 + ".txt"), small_doc("Long name review", "The narwhal mural was admired.")),
        "dotdot": write(docs / "b" / "file.txt", small_doc("Dot dot review", "The axolotl tank was clean.")),
    }
    assert len(files["long"].name) == 200
    dotted = docs / "a" / ".." / "b" / "file.txt"
    assert ".." in dotted.parts
    outside_before = listing(tmp_path, evidence_home)

    report = assistant.ingest([files["spaces"], files["unicode"], files["long"], dotted])
    assert report.failed == []
    assert len(report.added) == 4
    doc_ids = {entry["doc_id"] for entry in report.added}
    assert len(doc_ids) == 4 and all(len(doc_id) <= 80 for doc_id in doc_ids)
    assert "review-with-spaces" in doc_ids
    assert listing(tmp_path, evidence_home) == outside_before  # nothing written beside the documents
    assert (evidence_home / "chroma").is_dir()

    store = assistant.store
    for query, path in [
        ("quokka therapy", files["spaces"]),
        ("pétanque", files["unicode"]),
        ("narwhal mural", files["long"]),
        ("axolotl tank", files["dotdot"]),
    ]:
        top = assistant.retriever.search(query)[0].chunk
        assert top.source == path.name
        record = store.document(top.doc_id)
        assert record is not None and Path(record.path) == path.resolve()
    assert_consistent(store)
    again = assistant.ingest([files["spaces"], files["unicode"], files["long"], dotted])
    assert {entry["doc_id"] for entry in again.unchanged} == doc_ids and again.added == []


# --- idempotency, updates and identity ----------------------------------------------------


def test_cli_ingest_twice_embeds_nothing_the_second_time(
    capsys: pytest.CaptureFixture[str], encode_calls: list[int], evidence_home: Path
) -> None:
    code, out, err = run_cli(capsys, "ingest", str(REVIEWS), "--json")
    assert code == 0, err
    first = json.loads(out)
    assert set(first) == REPORT_KEYS
    assert [entry["doc_id"] for entry in first["added"]] == [COLLABORATING.stem, GOVERNANCE.stem]
    for entry in first["added"]:
        assert set(entry) == ENTRY_KEYS
        assert entry["version"] == 1 and entry["chunks"] > 10
        assert isinstance(entry["title"], str) and entry["title"]
    assert [entry["path"] for entry in first["added"]] == [str(COLLABORATING), str(GOVERNANCE)]
    assert first["updated"] == first["unchanged"] == first["removed"] == first["failed"] == []
    assert first["chunks"] == sum(entry["chunks"] for entry in first["added"])
    assert isinstance(first["seconds"], int | float) and first["seconds"] == abs(
        first["seconds"]
    )  # a duration, never negative

    store = Settings().store()
    sentences = len(store.all_sentences()[0])
    assert 0 < sum(encode_calls) < sentences + store.chunk_count()  # sentences and headings; chunks are their mean
    encode_calls.clear()

    code, out, err = run_cli(capsys, "ingest", str(REVIEWS), "--json")
    assert code == 0, err
    second = json.loads(out)
    assert set(second) == REPORT_KEYS
    assert second["unchanged"] == first["added"]
    assert second["added"] == second["updated"] == second["removed"] == second["failed"] == []
    assert second["chunks"] == first["chunks"]
    assert encode_calls == []


def test_edited_sentence_replaces_the_old_chunk(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    path = tmp_path / COLLABORATING.name
    shutil.copy(COLLABORATING, path)
    assistant.ingest([path])
    doc_id = COLLABORATING.stem
    ids_before = {chunk.chunk_id for chunk in chunks_of(assistant.store, doc_id)}
    assert all(chunk_id.startswith(f"{doc_id}:v1:") for chunk_id in ids_before)

    text = path.read_text(encoding="utf-8")
    assert text.count(NWAS_SENTENCE) == 1
    path.write_text(text.replace(NWAS_SENTENCE, ZEBRA_SENTENCE), encoding="utf-8")
    report = assistant.ingest([path])
    assert report.added == [] and report.failed == []
    assert [(entry["doc_id"], entry["version"]) for entry in report.updated] == [(doc_id, 2)]

    store = assistant.store
    record = store.document(doc_id)
    assert record is not None and record.version == 2
    assert store.chunk_count() == record.chunks == len(chunks_of(store, doc_id))
    assert not any(NWAS in chunk.text for chunk in store.all_chunks()[0])
    assert not any(NWAS in sentence.text for sentence in store.all_sentences()[0])
    assert NWAS not in (store.document_text(doc_id) or "")
    assert_consistent(store)

    for passage in assistant.retriever.search(NWAS_SENTENCE, k=10):
        assert NWAS not in passage.chunk.text
    top = assistant.retriever.search(ZEBRA_SENTENCE)[0].chunk
    assert ZEBRA in top.text and top.doc_id == doc_id
    assert top.section == "Navigating disruption to services"

    ids_after = {chunk.chunk_id for chunk in chunks_of(store, doc_id)}
    assert all(chunk_id.startswith(f"{doc_id}:v2:") for chunk_id in ids_after)  # the new version's rows only
    digests_before = {chunk_id.rpartition(":")[2] for chunk_id in ids_before}
    digests_after = {chunk_id.rpartition(":")[2] for chunk_id in ids_after}
    assert len(digests_before - digests_after) == 1 == len(digests_after - digests_before)  # one finding edited


def test_same_content_under_another_name_is_unchanged(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    original = write(tmp_path / "original.txt", small_doc("Birch review", "Birch had a choir."))
    copy = write(tmp_path / "copy of original.txt", original.read_bytes())
    assistant.ingest([original])
    chunks = assistant.store.chunk_count()
    report = assistant.ingest([copy])
    assert report.added == report.updated == report.failed == []
    assert [(entry["doc_id"], entry["path"], entry["version"]) for entry in report.unchanged] == [
        ("original", str(copy), 1)
    ]
    assert [record.doc_id for record in assistant.store.documents()] == ["original"]
    assert assistant.store.chunk_count() == chunks


def test_files_that_share_a_title_are_two_documents(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    """A title never merges or replaces anything: PDFs titled "Report" are common."""
    good = write(tmp_path / "good.md", b"# Review\n\nPelicans nested by the river in spring.\n\nA second paragraph.\n")
    other = write(
        tmp_path / "hostile.html",
        b"<html><head><title>Review</title></head><body><h1>Review</h1>"
        b"<p>Flamingos arrived at the lake in summer.</p><p>A second paragraph of text.</p></body></html>",
    )
    assistant.ingest([good])
    report = assistant.ingest([other])
    assert [(entry["doc_id"], entry["version"]) for entry in report.added] == [("hostile", 1)]
    assert report.updated == report.failed == []
    store = assistant.store
    assert {record.doc_id: (record.title, record.version) for record in store.documents()} == {
        "good": ("Review", 1),
        "hostile": ("Review", 1),
    }
    assert any("Pelicans" in chunk.text for chunk in store.all_chunks()[0])
    assert_consistent(store)


def test_cli_prune_docs_and_remove(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = [
        write(tmp_path / f"{name}.txt", small_doc(f"{name.title()} review", f"{name.title()} had a finding."))
        for name in ("alder", "beech", "cedar")
    ]
    code, _, err = run_cli(capsys, "ingest", *map(str, files), "--json")
    assert code == 0, err

    code, out, err = run_cli(capsys, "docs", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert [item["doc_id"] for item in listed] == ["alder", "beech", "cedar"]
    assert all({"doc_id", "title", "source", "chunks", "version"} <= set(item) for item in listed)

    code, out, err = run_cli(capsys, "ingest", str(files[0]), "--prune", "--json")
    assert code == 0, err
    pruned = json.loads(out)
    assert sorted(entry["doc_id"] for entry in pruned["removed"]) == ["beech", "cedar"]
    assert [entry["doc_id"] for entry in pruned["unchanged"]] == ["alder"]
    assert all(set(entry) == ENTRY_KEYS for entry in pruned["removed"])

    code, out, err = run_cli(capsys, "remove", "alder")
    assert (code, out.strip(), err) == (0, "removed alder", "")
    code, out, _ = run_cli(capsys, "docs", "--json")
    assert json.loads(out) == []
    assert Settings().store().chunk_count() == 0

    code, out, err = run_cli(capsys, "remove", "alder")
    assert code == 1 and out == ""
    assert err.startswith("error: ") and "alder" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_missing_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "ingest", "/no/such/path", "--json")
    assert code != 0
    assert json.loads(out)["failed"] == [{"path": "/no/such/path", "error": "no such file or folder"}]
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def _evidence_command() -> list[str]:
    script = Path(sys.executable).parent / "evidence"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


@pytest.mark.parametrize("kind", ["missing", "corrupt-pdf", "bad-utf16"])
def test_cli_errors_are_one_line_in_a_real_process(kind: str, tmp_path: Path, evidence_home: Path) -> None:
    target = {
        "missing": tmp_path / "no" / "such" / "path",
        "corrupt-pdf": write(tmp_path / "broken.pdf", random.Random(3).randbytes(2000)),
        "bad-utf16": write(tmp_path / "broken.txt", b"\xff\xfe\x00\xd8a\x00"),
    }[kind]
    environment = {**os.environ, "EVIDENCE_HOME": str(evidence_home)}
    result = subprocess.run(
        [*_evidence_command(), "ingest", str(target)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("failed: ") and str(target) in lines[0]
    assert "Traceback" not in result.stderr


def test_the_store_generation_moves_with_every_write_and_only_then(assistant: EvidenceAssistant) -> None:
    """Other processes notice a change by one lookup of this token (no manifest scan per question)."""
    store = assistant.store
    empty = store.generation()
    assistant.ingest([COLLABORATING])
    added = store.generation()
    assert added != empty
    assistant.ingest([COLLABORATING])  # unchanged: nothing written
    assert store.generation() == added
    assert [record.doc_id for record in store.documents()] == [COLLABORATING.stem]  # the token is no document
    assert assistant.remove(COLLABORATING.stem) is not None
    assert store.generation() not in (empty, added)
    assert store.documents() == []


def test_a_25_mb_text_file_is_refused_and_the_batch_goes_on(
    assistant: EvidenceAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finding = "The huge review repeated one finding about shared rotas across the whole area. "
    big = write(tmp_path / "huge.txt", ("Huge review\n\n" + (finding * 10 + "\n\n") * 32_000).encode())
    assert big.stat().st_size > 25_000_000
    small = write(tmp_path / "small.txt", small_doc("Small review", "Small homes shared one nurse."))
    report = assistant.ingest([big, small])
    assert [entry["doc_id"] for entry in report.added] == ["small"]
    [failure] = report.failed
    assert failure["path"] == str(big) and "\n" not in failure["error"]
    assert "over the 3,000,000-character limit (EVIDENCE_MAX_TEXT_CHARS)" in failure["error"]

    monkeypatch.setenv("EVIDENCE_MAX_TEXT_CHARS", "50")  # the limit is a setting
    report = EvidenceAssistant(Settings()).ingest([write(tmp_path / "other.txt", small_doc("Other", "Other text."))])
    assert report.added == [] and "over the 50-character limit" in report.failed[0]["error"]


def test_a_question_may_name_the_document_by_its_cover_page(assistant: EvidenceAssistant, tmp_path: Path) -> None:
    cover = "# Online GP services\n\nA report by Healthwatch Hertfordshire, February 2025.\n\n"
    part = "Patients described the practice website and its forms in detail."
    filler = "".join(f"## Part {n}\n\n{part}\n\n" for n in range(40))
    finding = "## Booking\n\nA third of respondents are unable to book appointments using online services (33%).\n"
    path = write(tmp_path / "gp_report.md", cover + filler + finding)
    assistant.ingest([path])
    question = "How many Hertfordshire respondents could not book appointments online?"
    answer = assistant.ask(question)
    assert not answer.abstained and "A third of respondents" in answer.citations[0].quote
    assert "Hertfordshire" not in answer.passages[0].chunk.text  # the place is named on the cover only
    assert "Healthwatch Hertfordshire" in assistant.store.document_openings(["gp-report"])["gp-report"]

    path.write_text(cover.replace("Hertfordshire", "Essex") + filler + finding, encoding="utf-8")
    assistant.ingest([path])  # a revision brings its own cover page
    assert "Essex" in assistant.store.document_openings(["gp-report"])["gp-report"]
    assert assistant.ask(question).abstained


def test_a_store_made_with_a_narrower_sentence_search_is_widened_on_opening(tmp_path: Path) -> None:
    import chromadb

    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    hnsw = {"space": "cosine", "ef_search": 200}
    client.get_or_create_collection("evidence_sentences", configuration={"hnsw": hnsw}, embedding_function=None)
    EvidenceStore(client, Settings(home=tmp_path).embeddings())
    for name, wanted in (("evidence_sentences", 1500), ("evidence_chunks", 200)):
        assert client.get_collection(name).configuration_json["hnsw"]["ef_search"] == wanted
