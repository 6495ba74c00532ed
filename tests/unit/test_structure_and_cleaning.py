"""Blocks (headings, bullets, paragraphs) and page furniture: pure logic over strings."""

from __future__ import annotations

import pytest

from ingest.cleaning import boilerplate_blocks, is_navigation
from ingest.loaders import load_document
from ingest.structure import (
    Block,
    LoadedDocument,
    bullet_marker_length,
    looks_like_heading,
    segment_markdown,
    segment_plain_text,
)
from tests.conftest import COLLABORATING, GOVERNANCE


def spans(text: str, blocks: list[Block]) -> list[tuple[str, str]]:
    return [(block.kind, text[block.start : block.end]) for block in blocks]


def blank_separated(*lines: str) -> tuple[str, list[Block]]:
    """One block per line (blank lines between), for the cleaning rules, which only look at spans."""
    text = "\n\n".join(lines)
    blocks = segment_plain_text(text)
    assert len(blocks) == len(lines)
    return text, blocks


# --- structure ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "length"),
    [
        ("  • A finding", 4),
        ("- A finding", 2),
        ("* A finding", 2),
        ("– A finding", 2),
        ("1. A finding", 3),
        ("12) A finding", 4),
        ("\t◦ nested", 3),
        ("123. Not a list number", 0),
        ("-no space after the dash", 0),
        ("A plain sentence - with a dash.", 0),
        ("", 0),
    ],
)
def test_bullet_marker_length(line: str, length: int) -> None:
    assert bullet_marker_length(line) == length


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Redesigning pathways", True),
        ("Collaboration makes a difference", True),
        ("2020 in numbers", True),
        ("  Indented heading  ", True),
        ("A sentence that ends with a full stop.", False),
        ("Is this a question?", False),
        ("Lead-in to a list:", False),
        ("starts with a lower-case letter", False),
        ("- A bullet is never a heading", False),
        ("", False),
        ("   ", False),
        ("Long " * 40, False),  # over 160 characters: a paragraph, not a heading
    ],
)
def test_looks_like_heading(line: str, expected: bool) -> None:
    assert looks_like_heading(line) is expected


def test_segment_plain_text_kinds_and_verbatim_spans() -> None:
    text = (
        "Navigating disruption\n"
        "\n"
        "Systems tried to ensure access in different ways. For example:\n"
        "\n"
        "  • A general practice supported homeless people.\n"
        "  - Pharmacists worked in call centres.\n"
        "\n"
        "Closing paragraph of the section.\n"
    )
    blocks = segment_plain_text(text)
    assert spans(text, blocks) == [
        ("heading", "Navigating disruption"),
        ("paragraph", "Systems tried to ensure access in different ways. For example:"),
        ("bullet", "• A general practice supported homeless people."),
        ("bullet", "- Pharmacists worked in call centres."),
        ("paragraph", "Closing paragraph of the section."),
    ]
    assert all(block.level == 2 for block in blocks if block.kind == "heading")
    assert all(block.level == 0 for block in blocks if block.kind != "heading")


def test_segment_plain_text_joins_hard_wrapped_lines() -> None:
    text = (
        "Staff told us that the service was\nwell led and that managers\nlistened to them.\n"
        "A new line starts a paragraph."
    )
    blocks = segment_plain_text(text)
    assert spans(text, blocks) == [
        ("paragraph", "Staff told us that the service was\nwell led and that managers\nlistened to them."),
        ("paragraph", "A new line starts a paragraph."),
    ]


def test_wrapped_first_line_is_not_taken_for_a_heading() -> None:
    """PDF text is hard-wrapped: a paragraph's first line often looks like a heading on its own."""
    text = "Findings\nWe visited the home over two days. We\nspoke with residents and staff.\n"
    blocks = segment_plain_text(text)
    assert spans(text, blocks) == [
        ("heading", "Findings"),
        ("paragraph", "We visited the home over two days. We\nspoke with residents and staff."),
    ]


def test_wrapped_bullet_stays_one_bullet() -> None:
    text = "- Medicines were stored securely and\n  checked every day.\n- Second bullet."
    assert spans(text, segment_plain_text(text)) == [
        ("bullet", "- Medicines were stored securely and\n  checked every day."),
        ("bullet", "- Second bullet."),
    ]


def test_segment_plain_text_offsets_respect_base_and_headings_can_be_off() -> None:
    prefix = "x" * 17
    body = "Short label\nA paragraph line."
    text = prefix + body
    blocks = segment_plain_text(body, base=len(prefix))
    assert [text[block.start : block.end] for block in blocks] == ["Short label", "A paragraph line."]
    assert blocks[0].kind == "heading"
    assert [block.kind for block in segment_plain_text(body, detect_headings=False)] == ["paragraph", "paragraph"]


@pytest.mark.parametrize("text", ["", "\n\n  \n\t\n"])
def test_segment_plain_text_of_nothing(text: str) -> None:
    assert segment_plain_text(text) == []


def test_segment_markdown_keeps_atx_levels() -> None:
    text = (
        "# Annual review\n\n"
        "Intro paragraph.\n\n"
        "## Findings ##\n\n"
        "### Staffing\n\n"
        "- Night staffing was short.\n\n"
        "###### Deepest\n\n"
        "####### Seven hashes is text\n\n"
        "#hashtag is text\n\n"
        "Short Line Without Stop\n"
    )
    blocks = segment_markdown(text)
    headings = [(block.level, text[block.start : block.end]) for block in blocks if block.kind == "heading"]
    assert headings == [(1, "Annual review"), (2, "Findings"), (3, "Staffing"), (6, "Deepest")]
    others = spans(text, [block for block in blocks if block.kind != "heading"])
    assert others == [
        ("paragraph", "Intro paragraph."),
        ("bullet", "- Night staffing was short."),
        ("paragraph", "####### Seven hashes is text"),
        ("paragraph", "#hashtag is text"),
        ("paragraph", "Short Line Without Stop"),  # only '#' lines are headings in Markdown
    ]


def test_segment_markdown_heading_followed_directly_by_text() -> None:
    text = "## Safe\nStaff were trained.\n## Effective\nCare plans were reviewed."
    assert spans(text, segment_markdown(text)) == [
        ("heading", "Safe"),
        ("paragraph", "Staff were trained."),
        ("heading", "Effective"),
        ("paragraph", "Care plans were reviewed."),
    ]


@pytest.mark.parametrize(
    ("offset", "page"),
    [(0, 1), (99, 1), (100, 2), (101, 2), (249, 2), (250, 3), (10_000, 3)],
)
def test_page_at(offset: int, page: int) -> None:
    document = LoadedDocument("x" * 300, "T", (), page_starts=(0, 100, 250))
    assert document.page_at(offset) == page


def test_page_at_without_pages_is_none() -> None:
    assert LoadedDocument("text", "T", ()).page_at(2) is None


@pytest.mark.parametrize("path", [COLLABORATING, GOVERNANCE], ids=lambda path: path.stem)
def test_cqc_blocks_are_ordered_trimmed_and_disjoint(path) -> None:
    document = load_document(path, path.read_bytes())
    previous_end = -1
    for block in document.blocks:
        piece = document.text[block.start : block.end]
        assert piece and piece == piece.strip()
        assert block.start > previous_end
        previous_end = block.end


# --- cleaning -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Next page",
        "previous page",
        "  Next page  ",
        "Page last updated: 21 October 2022",
        "Page last reviewed 3 May 2021",
        "Last updated: 3 May 2021",
        "Categories",
        "Go to the latest State of Care.",
        "This is the 2019/20 edition of State of Care",
        "Back to top",
        "Skip to main content",
        "Print this page",
        "Related content",
        "Download this report (PDF, 2MB)",
    ],
)
def test_navigation_lines(line: str) -> None:
    assert is_navigation(line)


@pytest.mark.parametrize(
    "line",
    [
        "The next page of the report describes staffing.",
        "Categories of care were reviewed in every area.",
        "We looked at the latest data from providers.",
        "North West Ambulance Service employed pharmacists in their NHS 111 call centres.",
        "Contents",  # a contents heading is handled by boilerplate_blocks, not a navigation line
        "",
    ],
)
def test_not_navigation(line: str) -> None:
    assert not is_navigation(line)


def test_link_label_after_next_and_previous_page_is_furniture() -> None:
    text, blocks = blank_separated(
        "A finding that stays in the document.",
        "Next page",
        "Tackling health inequalities",
        "Previous page",
        "Deprivation of Liberty Safeguards",
    )
    assert boilerplate_blocks(text, blocks) == {1, 2, 3, 4}


def test_sentence_after_next_page_is_kept() -> None:
    text, blocks = blank_separated("Next page", "The following section describes how staff were trained.")
    assert boilerplate_blocks(text, blocks) == {0}


def test_category_tag_is_furniture() -> None:
    text, blocks = blank_separated(
        "Page last updated: 21 October 2022", "Categories", "Public", "The pandemic has magnified issues."
    )
    assert boilerplate_blocks(text, blocks) == {0, 1, 2}


def test_contents_heading_swallows_its_entries_until_a_statement() -> None:
    text, blocks = blank_separated(
        "Contents",
        "Quality of care",
        "- Adult social care",
        "The impact on people",
        "We found that people waited too long for care.",
        "Short heading",
    )
    assert boilerplate_blocks(text, blocks) == {0, 1, 2, 3}


@pytest.mark.parametrize(("count", "furniture"), [(4, False), (5, True), (8, True)])
def test_runs_of_short_labels(count: int, furniture: bool) -> None:
    labels = [f"Link number {index}" for index in range(count)]
    text, blocks = blank_separated("A real finding about staffing.", *labels, "Another real finding.")
    expected = set(range(1, count + 1)) if furniture else set()
    assert boilerplate_blocks(text, blocks) == expected


def test_a_table_of_figures_is_data_but_a_contents_table_is_not() -> None:
    costs = ["Analysis | Cost", *(f"Sub-component {n} | £7,000" for n in range(4)), "Grand total | £33,000"]
    text, blocks = blank_separated("The total cost is detailed below:", *costs, "We would be happy to sign.")
    assert boilerplate_blocks(text, blocks) == set()
    contents = ["Results in Brief | 4", "Background | 9", "Findings | 13", "Outcomes | 30", "Appendix | iv"]
    text, blocks = blank_separated("A real finding about staffing.", *contents, "Another real finding.")
    assert boilerplate_blocks(text, blocks) == {1, 2, 3, 4, 5}


def test_record_tables_are_no_link_run() -> None:
    """A patient record's dated rows, and a notice table whose third cell is a count, not a page number."""
    rows = ["05-Jan-2014 | Glaucoma | Problem", "01-Jan-2011 | Atrial fibrillation | Problem"]
    rows += ["Maxim | San Jose | 150 | Closure", "Intel | Folsom | 80 | Layoff", "Apple | Cupertino | 12 | Layoff"]
    text, blocks = blank_separated("Diagnoses and notices:", *rows, "End.")
    assert boilerplate_blocks(text, blocks) == set()


def test_contents_entries_with_dot_leaders_are_furniture_at_any_length() -> None:
    entries = ["Introduction" + "." * 120 + " 3", "Who is it for?" + "…" * 40, "1.1 Individualised care . . . . . . 5"]
    entries.append("Introduction" + "." * 40 + "2 Background" + "." * 40 + "3")  # two entries on one line
    form = "The data will be used for the annual extracts for 1995 to 2011 by ...................... (name of PHO)"
    text, blocks = blank_separated("A real finding about staffing.", *entries, form, "Another real finding...")
    assert boilerplate_blocks(text, blocks) == {1, 2, 3, 4}


def test_endnotes_that_are_only_web_addresses_are_furniture() -> None:
    notes = ["[1] https://t.me/modmilby/20635", "[4] https://twitter.com/a/status/1; https://twitter.com/b/status/2"]
    kept = "[5] Interview with the chief executive, https://example.org/interview."
    text, blocks = blank_separated("A real finding about staffing.[1]", *notes, kept)
    assert boilerplate_blocks(text, blocks) == {1, 2}


def test_cleaning_never_rewrites_text() -> None:
    document = load_document(GOVERNANCE, GOVERNANCE.read_bytes())
    before = document.text
    boilerplate_blocks(document.text, document.blocks)
    assert document.text == before == GOVERNANCE.read_text(encoding="utf-8")


def test_cqc_furniture_is_found_and_findings_are_not() -> None:
    for path, furniture, findings in [
        (
            COLLABORATING,
            ["Page last updated: 21 October 2022", "Categories", "Public", "Next page", "Tackling health inequalities"],
            ["• North West Ambulance Service employed pharmacists", "Redesigning pathways"],
        ),
        (
            GOVERNANCE,
            [
                "This is the 2019/20 edition of State of Care",
                "Go to the latest State of Care.",
                "Contents",
                "- Quality overall before the pandemic",
                "Collaboration between providers",
                "- The impact of digital solutions and technology",
            ],
            ["Shared decision-making", "Some dentists also told us", "- Governance structures with clear process"],
        ),
    ]:
        document = load_document(path, path.read_bytes())
        flagged = boilerplate_blocks(document.text, document.blocks)
        lines = [document.text[block.start : block.end] for block in document.blocks]
        for line in furniture:
            assert lines.index(line) in flagged, line
        for start in findings:
            index = next(index for index, line in enumerate(lines) if line.startswith(start))
            assert index not in flagged, start
