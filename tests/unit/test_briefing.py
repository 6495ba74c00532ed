"""Briefing snippets: quotes and references intact, markers matching references, files only where asked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest

from assistant.briefing import (
    NO_REFERENCES,
    Briefing,
    briefing_markdown,
    build_briefing,
    export_briefing,
    ingested_date,
    missing_references,
    safe_filename,
    write_docx,
)
from assistant.citations import marker_numbers
from vectorstore.store import DocumentRecord

RECORDS = {
    "cqc-collaborating": DocumentRecord(
        doc_id="cqc-collaborating",
        title="Collaborating for better care",
        source="cqc-collaborating.txt",
        path="/data/cqc-collaborating.txt",
        sha256="0" * 64,
        chunks=40,
        version=2,
        ingested_at="2025-03-01T10:20:30+00:00",
    ),
    "governance": DocumentRecord(
        doc_id="governance",
        title="System-wide governance",
        source="governance.pdf",
        path="/data/governance.pdf",
        sha256="1" * 64,
        chunks=12,
        version=1,
        ingested_at="2024-11-30T08:00:00+00:00",
    ),
}

QUOTE_1 = (
    "North West Ambulance Service employed pharmacists in their NHS 111 call centres to support "
    "prescription requests – this helped people avoid going to A&E."
)
QUOTE_2 = "Some dentists also told us that they felt excluded from system-level collaboration."
QUOTE_3 = 'Leaders said the <b>"cells"</b> worked [sic] well * at pace.'


def citation(n: int, doc_id: str, quote: str, section: str | None = None, page: int | None = None) -> dict[str, Any]:
    record = RECORDS.get(doc_id)
    return {
        "n": n,
        "chunk_id": f"{doc_id}:{n}",
        "doc_id": doc_id,
        "title": record.title if record else "Removed document",
        "source": record.source if record else "removed.txt",
        "section": section,
        "page": page,
        "quote": quote,
        "start": 0,
        "end": len(quote),
        "score": 0.8,
    }


def answer(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "question": "Which NHS ambulance service   employed pharmacists?",
        "mode": "extractive",
        "abstained": False,
        "answer": f"{QUOTE_1} [1]\n\n{QUOTE_2} [2][3]",
        "citations": [
            citation(1, "cqc-collaborating", QUOTE_1, section="Navigating disruption to services"),
            citation(2, "governance", QUOTE_2, page=7),
            citation(3, "governance", QUOTE_3, section="Cells > Lincolnshire", page=8),
        ],
        "timings_ms": {},
    }
    value.update(overrides)
    return value


def lookup(doc_id: str) -> DocumentRecord | None:
    return RECORDS.get(doc_id)


def test_markdown_keeps_question_answer_and_every_quote_verbatim() -> None:
    markdown = briefing_markdown(build_briefing(answer(), lookup))
    assert "**Question:** Which NHS ambulance service employed pharmacists?" in markdown
    assert f"{QUOTE_1} [1]" in markdown and f"{QUOTE_2} [2][3]" in markdown
    for quote in (QUOTE_1, QUOTE_2, QUOTE_3):
        assert f"> {quote}" in markdown


def test_references_carry_title_section_page_source_version_and_date() -> None:
    markdown = briefing_markdown(build_briefing(answer(), lookup))
    assert "[1] Collaborating for better care, section: Navigating disruption to services" in markdown
    assert "Source: cqc-collaborating.txt, version 2, ingested 2025-03-01" in markdown
    assert "[2] System-wide governance, p. 7" in markdown
    assert "[3] System-wide governance, section: Cells > Lincolnshire, p. 8" in markdown
    assert "Source: governance.pdf, version 1, ingested 2024-11-30" in markdown


def test_markers_in_answer_match_the_numbered_references() -> None:
    briefing = build_briefing(answer(), lookup)
    markdown = briefing_markdown(briefing)
    answer_part, references_part = markdown.split("**References**")
    reference_numbers = [int(number) for number in re.findall(r"^\[(\d+)\] ", references_part, re.M)]
    assert reference_numbers == [1, 2, 3]
    assert set(marker_numbers(answer_part)) == set(reference_numbers)
    assert missing_references(briefing) == []


def test_references_follow_citation_numbers_even_when_given_out_of_order() -> None:
    shuffled = answer(citations=list(reversed(answer()["citations"])))
    assert [reference.n for reference in build_briefing(shuffled, lookup).references] == [1, 2, 3]


def test_a_marker_without_a_citation_is_reported() -> None:
    broken = build_briefing(answer(answer="Claim. [1] Other claim. [4]"), lookup)
    assert missing_references(broken) == [4]


def test_removed_document_still_gives_a_reference_without_version() -> None:
    gone = answer(answer="Said once. [1]", citations=[citation(1, "gone", "Said once.")])
    markdown = briefing_markdown(build_briefing(gone, lookup))
    assert "[1] Removed document" in markdown
    assert "Source: removed.txt\n" in markdown
    assert "> Said once." in markdown


def test_wrapped_quote_is_shown_as_prose() -> None:
    quote = "First line of the find-\ning\nsecond line of it."
    markdown = briefing_markdown(
        build_briefing(answer(answer="Finding. [1]", citations=[citation(1, "governance", quote)]), lookup)
    )
    assert "> First line of the finding second line of it.\n" in markdown


def test_abstained_answer_says_there_are_no_references() -> None:
    abstained = answer(abstained=True, answer="No supporting evidence was found.", citations=[])
    briefing = build_briefing(abstained, lookup)
    assert briefing.abstained and briefing.references == ()
    assert NO_REFERENCES in briefing_markdown(briefing)


def test_lookup_runs_once_per_document() -> None:
    calls: list[str] = []

    def counting(doc_id: str) -> DocumentRecord | None:
        calls.append(doc_id)
        return RECORDS.get(doc_id)

    build_briefing(answer(), counting)
    assert sorted(calls) == ["cqc-collaborating", "governance"]


@pytest.mark.parametrize(
    ("text", "expected_prefix"),
    [
        ("Which NHS ambulance service employed pharmacists?", "which-nhs-ambulance-service-employed-pharmacists-"),
        ("../../etc/passwd", "etc-passwd-"),
        ("..", "briefing-"),
        ("", "briefing-"),
        ("Café <script>alert(1)</script>", "cafe-script-alert-1-script-"),
    ],
)
def test_safe_filename_is_a_plain_name(text: str, expected_prefix: str) -> None:
    name = safe_filename(text, "md")
    assert name.startswith(expected_prefix) and name.endswith(".md")
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*\.md", name)
    assert Path(name).name == name


def test_safe_filename_is_bounded_and_distinguishes_questions() -> None:
    long_name = safe_filename("word " * 100, "docx")
    assert len(long_name) < 80
    assert safe_filename("Question one?", "md") != safe_filename("Question one!", "md")


def test_ingested_date() -> None:
    assert ingested_date("2025-03-01T10:20:30+00:00") == "2025-03-01"
    assert ingested_date(None) is None
    assert ingested_date("yesterday") == "yesterday"


def test_export_writes_markdown_and_docx_inside_the_folder_only(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    briefing = build_briefing(answer(question="../../escape attempt?"), lookup)
    markdown_path, docx_path = export_briefing(briefing, folder)
    assert markdown_path.parent == folder.resolve() and docx_path.parent == folder.resolve()
    assert sorted(path.name for path in tmp_path.rglob("*") if path.is_file()) == sorted(
        [markdown_path.name, docx_path.name]
    )
    assert markdown_path.read_text(encoding="utf-8") == briefing_markdown(briefing)


def test_docx_holds_the_same_question_answer_references_and_quotes(tmp_path: Path) -> None:
    briefing = build_briefing(answer(), lookup)
    path = write_docx(briefing, tmp_path / "briefing.docx")
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
    assert "Question: Which NHS ambulance service employed pharmacists?" in text
    assert f"{QUOTE_1} [1]" in text
    for quote in (QUOTE_1, QUOTE_2, QUOTE_3):
        assert quote in text
    assert "[3] System-wide governance, section: Cells > Lincolnshire, p. 8" in text
    assert "Source: cqc-collaborating.txt, version 2, ingested 2025-03-01" in text


def test_briefing_is_a_plain_value() -> None:
    briefing = Briefing("Q?", "A. [1]", False, ())
    assert briefing_markdown(briefing).startswith("**Question:** Q?\n")


def test_a_follow_up_briefing_shows_the_question_as_it_stands_alone() -> None:
    standalone = "What about dentists? (following: Did adult social care providers feel included?)"
    briefing = build_briefing(answer(question="What about dentists?"), lookup, standalone)
    assert briefing.question == standalone
    assert briefing_markdown(briefing).startswith(f"**Question:** {standalone}")
    assert build_briefing(answer(question="What about dentists?"), lookup).question == "What about dentists?"
