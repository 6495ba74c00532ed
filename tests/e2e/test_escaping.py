"""What the UI renders from document text is escaped (pure rendering functions of app.py; no browser)."""

from __future__ import annotations

from typing import Any

from app import answer_markdown, escape_markdown, evidence_html, ingest_report_html, source_html

HOSTILE = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> [x](javascript:alert(1))'
TEXT = f"Intro paragraph.\n\nThe finding {HOSTILE} ends here. Next sentence.\n"
START = TEXT.index("The finding")
END = TEXT.index(" Next sentence")


def citation(**overrides: Any) -> dict[str, Any]:
    value = {
        "n": 1,
        "chunk_id": "doc:1",
        "doc_id": "doc",
        "title": 'Title <img src=x onerror="window.__pwned=1">',
        "source": "<b>file</b>.md",
        "section": "Findings <script>x()</script>",
        "page": 3,
        "quote": TEXT[START:END],
        "start": START,
        "end": END,
        "score": 0.9,
    }
    value.update(overrides)
    return value


def turn(**answer: Any) -> dict[str, Any]:
    value = {"question": "What <b>happened</b>?", "abstained": False, "answer": "x [1]", "citations": [citation()]}
    value.update(answer)
    return {"question": value["question"], "answer": value}


def assert_inert(rendered: str) -> None:
    """No element from the document survives: tags arrive as text (`&lt;...`)."""
    lowered = rendered.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<a " not in lowered
    assert "<b>file" not in lowered and "<b>happened" not in lowered


def test_answer_markdown_escapes_document_text_but_keeps_markers() -> None:
    rendered = answer_markdown(f"{HOSTILE} claim. [1][2]")
    assert_inert(rendered)
    assert "&lt;script&gt;" in rendered
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in rendered  # no Markdown link
    assert rendered.endswith('<sup class="cite-marker">[1]</sup><sup class="cite-marker">[2]</sup>')


def test_escape_markdown_neutralises_block_syntax() -> None:
    assert escape_markdown("# heading") == "\\# heading"
    assert escape_markdown("1. item\n- bullet") == "1\\. item\n\\- bullet"
    assert escape_markdown("A&E <3 $$x$$") == "A&amp;E &lt;3 \\$\\$x\\$\\$"


def test_evidence_cards_escape_titles_sections_sources_and_quotes() -> None:
    rendered = evidence_html(turn(), lambda doc_id: TEXT)
    assert_inert(rendered)
    assert "Title &lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in rendered
    assert "<mark>The finding &lt;script&gt;" in rendered
    assert "What &lt;b&gt;happened&lt;/b&gt;?" in rendered


def test_source_viewer_escapes_the_document_and_marks_the_quote() -> None:
    rendered = source_html(citation(), TEXT)
    assert_inert(rendered)
    assert rendered.count('<mark class="current" id="source-mark" data-cite="1"') == 1
    assert "The finding &lt;script&gt;window.__pwned=1&lt;/script&gt;" in rendered
    assert "Intro paragraph." in rendered and "Next sentence." in rendered


def test_source_viewer_marks_other_citations_without_overlap() -> None:
    other = citation(n=2, start=0, end=len("Intro paragraph."), quote="Intro paragraph.")
    overlapping = citation(n=3, start=START + 2, end=END + 3, quote="ignored")
    rendered = source_html(citation(), TEXT, [other, overlapping])
    assert '<mark class="other" data-cite="2" title="[2]">Intro paragraph.</mark>' in rendered
    assert 'data-cite="3"' not in rendered


def test_abstained_turn_shows_no_supporting_evidence() -> None:
    rendered = evidence_html(turn(abstained=True, citations=[]), lambda doc_id: None)
    assert "No supporting evidence found" in rendered and "ev-card" not in rendered


def test_ingest_report_escapes_titles_and_file_names() -> None:
    rendered = ingest_report_html(
        {
            "added": [{"doc_id": "d", "title": "<img src=x onerror=alert(1)>", "chunks": 2, "version": 1}],
            "failed": [{"path": "/tmp/<script>.md", "error": "bad <b>file</b>"}],
            "chunks": 2,
            "seconds": 0.5,
        }
    )
    assert_inert(rendered)
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered and "&lt;script&gt;.md" in rendered
