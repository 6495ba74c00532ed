"""Sentences and blocks that survive real text: abbreviations, hard wraps, Markdown, lists; quotes shown as prose."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from ingest.sentences import as_prose, sentence_spans
from ingest.structure import Block, segment_markdown, segment_plain_text

SHARED = Path(__file__).resolve().parents[3] / "shared"
CQC = sorted((SHARED / "corpus").glob("*.txt"))
SQUAD = sorted((SHARED / "eval" / "squad" / "docs").glob("*.txt"))
SAMPLE_MD = SHARED / "realdocs" / "sample.md"
# a paragraph of cqc-collaborating-for-better-care.txt
CQC_PARAGRAPH = (
    "In the PCR looking at urgent and emergency care during autumn 2020, we heard about changes to pathways to "
    "reduce the pressure and demand on emergency department attendance and hospital admission. For example, some "
    "health and care systems established 24-hour mental health crisis lines to support people with urgent mental "
    "health needs away from a hospital setting if this was clinically appropriate. Also, some primary and community "
    "care services made the decision to provide urgent care in people’s own homes rather than asking them to "
    "attend an urgent care service, as they considered this a safer option."
)
CQC_SENTENCES = [
    "In the PCR looking at urgent and emergency care during autumn 2020, we heard about changes to pathways to "
    "reduce the pressure and demand on emergency department attendance and hospital admission.",
    "For example, some health and care systems established 24-hour mental health crisis lines to support people "
    "with urgent mental health needs away from a hospital setting if this was clinically appropriate.",
    "Also, some primary and community care services made the decision to provide urgent care in people’s own "
    "homes rather than asking them to attend an urgent care service, as they considered this a safer option.",
]


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def spans(text: str, blocks: list[Block]) -> list[tuple[str, str]]:
    return [(block.kind, text[block.start : block.end]) for block in blocks]


def wrap(paragraph: str, width: int, **options: str) -> str:
    return textwrap.fill(paragraph, width, break_long_words=False, break_on_hyphens=False, **options)


# --- sentence boundaries ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # abbreviations
        ("Smith et al. found the same. It held.", ["Smith et al. found the same.", "It held."]),
        ("See Fig. 3 for the trend. It rose.", ["See Fig. 3 for the trend.", "It rose."]),
        ("Care improved, e.g. Dental care. It fell.", ["Care improved, e.g. Dental care.", "It fell."]),
        ("That is, i.e. Monday. Then Tuesday.", ["That is, i.e. Monday.", "Then Tuesday."]),
        ("He lived at No. 10 for years. He left.", ["He lived at No. 10 for years.", "He left."]),
        ("Dr. Patel and Mr. Jones agreed.", ["Dr. Patel and Mr. Jones agreed."]),
        ("Good vs. Outstanding was close. Then not.", ["Good vs. Outstanding was close.", "Then not."]),
        ("It is approx. 2 miles away. We walked.", ["It is approx. 2 miles away.", "We walked."]),
        ("See p. 12 of the report. It is clear.", ["See p. 12 of the report.", "It is clear."]),
        ("It sits on the St. Lawrence River.", ["It sits on the St. Lawrence River."]),
        ("Dishes etc. Nor is it new.", ["Dishes etc.", "Nor is it new."]),
        (
            "The home is run by Acme Ltd. The company has two homes.",
            ["The home is run by Acme Ltd.", "The company has two homes."],
        ),
        ("It is in Co. Durham now.", ["It is in Co. Durham now."]),
        ("People said No. Staff had not asked.", ["People said No.", "Staff had not asked."]),
        ('Rates were compared (lit. "Year on year") again.', ['Rates were compared (lit. "Year on year") again.']),
        # initials and acronyms
        ("The report by J. Smith was clear.", ["The report by J. Smith was clear."]),
        ("J. R. R. Tolkien wrote it.", ["J. R. R. Tolkien wrote it."]),
        ("A U.S. Senate committee asked. It was told.", ["A U.S. Senate committee asked.", "It was told."]),
        ("Funding came from the U.S. The U.K. followed.", ["Funding came from the U.S.", "The U.K. followed."]),
        ("E.I. du Pont built mills.", ["E.I. du Pont built mills."]),
        ("It ended at 5 p.m. Staff went home.", ["It ended at 5 p.m.", "Staff went home."]),
        ("See Annex B. The provider must act.", ["See Annex B.", "The provider must act."]),
        ("On rational grounds. J. A. Hobson agreed.", ["On rational grounds.", "J. A. Hobson agreed."]),
        ("It was replaced by Trinity-St. Paul's Church.", ["It was replaced by Trinity-St. Paul's Church."]),
        ("It helped people avoid A&E. Similarly, it helped.", ["It helped people avoid A&E.", "Similarly, it helped."]),
        ("It is a function of n. Since time varies.", ["It is a function of n.", "Since time varies."]),
        ("They conquered China. Ögedei offered a post.", ["They conquered China.", "Ögedei offered a post."]),
        (
            "It includes BQP. #P is a class of counting problems.",
            ["It includes BQP.", "#P is a class of counting problems."],
        ),
        ("Speeds in km/h. The limit fell.", ["Speeds in km/h.", "The limit fell."]),
        ("It is named after J. P. Morgan.", ["It is named after J. P. Morgan."]),
        ("A poet (d. 1560) wrote it.", ["A poet (d. 1560) wrote it."]),
        ("It is in P. Again, it may not be.", ["It is in P.", "Again, it may not be."]),
        # numbers
        ("It rose to 3.5 per cent. Then 4.", ["It rose to 3.5 per cent.", "Then 4."]),
        ("Section 2.1 sets out the method.", ["Section 2.1 sets out the method."]),
        ("Occupancy was 95.4%. 12 people had dementia.", ["Occupancy was 95.4%.", "12 people had dementia."]),
        ("It cost £3.2m. £1.1m was saved.", ["It cost £3.2m.", "£1.1m was saved."]),
        ("Police used s. 136 twice.", ["Police used s. 136 twice."]),
        ("The visit was in Oct. 2021. 2022 was better.", ["The visit was in Oct. 2021.", "2022 was better."]),
        # quotes, brackets, citations
        ('He said, "We are proud." Staff agreed.', ['He said, "We are proud."', "Staff agreed."]),
        ('"Is this safe?" one relative asked.', ['"Is this safe?" one relative asked.']),
        ("They said ‘it worked.’ Then it stopped.", ["They said ‘it worked.’", "Then it stopped."]),
        (
            "One said, “The staff are kind.” “They listen,” said another.",
            ["One said, “The staff are kind.”", "“They listen,” said another."],
        ),
        ("(The audit was late.) Records were complete.", ["(The audit was late.)", "Records were complete."]),
        ("It ended in France.[citation needed] Then peace.", ["It ended in France.[citation needed]", "Then peace."]),
        ("Wikis grew.[3] Wikipedia leads.", ["Wikis grew.[3]", "Wikipedia leads."]),
        (
            "What went well? Staff knew people! Some areas needed work… Others did not.",
            ["What went well?", "Staff knew people!", "Some areas needed work…", "Others did not."],
        ),
        ("They were tired... but happy.", ["They were tired... but happy."]),
        (
            "**Safe**: staff were trained. *Effective*: plans were reviewed.",
            ["**Safe**: staff were trained.", "*Effective*: plans were reviewed."],
        ),
        # bullets
        ("  • A bullet finding. Another sentence.", ["A bullet finding.", "Another sentence."]),
        ("1. Staff were kind. People said so.", ["Staff were kind.", "People said so."]),
        ("12) First. Second.", ["First.", "Second."]),
        (
            "- care plans were reviewed\n- fire doors did not close",
            ["care plans were reviewed", "fire doors did not close"],
        ),
        ("Key findings\n1. Staff were kind\n2. Food was good", ["Key findings", "Staff were kind", "Food was good"]),
        # line wraps are not boundaries
        (
            "Care was provided by the\nNHS in 2020. It was good.",
            ["Care was provided by the\nNHS in 2020.", "It was good."],
        ),
        ("Staff told us that the service was\nwell led.", ["Staff told us that the service was\nwell led."]),
        ("The figure rose from 2.5 in\n2019 to 3.5 in 2020.", ["The figure rose from 2.5 in\n2019 to 3.5 in 2020."]),
        ("Medicines were checked by Dr.\nPatel every day.", ["Medicines were checked by Dr.\nPatel every day."]),
        (
            "Residents were all aged over\n65. Staff knew them well.",
            ["Residents were all aged over\n65.", "Staff knew them well."],
        ),
        (
            "The massacre ran from 24 August\n– 3 October 1572. Many died.",
            ["The massacre ran from 24 August\n– 3 October 1572.", "Many died."],
        ),
        # blocks: blank lines, headings, unwrapped lines
        ("One finding\n\nAnother finding", ["One finding", "Another finding"]),
        ("Safe\nStaff were trained.", ["Safe", "Staff were trained."]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        (
            "- Innovation and the speed of change\nCollaboration between providers",
            ["Innovation and the speed of change", "Collaboration between providers"],
        ),
        ("A first paragraph ends here.\r\n\r\nA second one.", ["A first paragraph ends here.", "A second one."]),
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_a_line_longer_than_any_wrap_is_a_paragraph_of_its_own() -> None:
    heading = "Where we found multiple arrangements, those areas experienced confusion and duplication of effort " * 2
    text = heading.strip() + "\nIn some places there were barriers."
    assert sentences(text) == [heading.strip(), "In some places there were barriers."]


def test_spans_are_offsets_into_a_stretch_of_the_text() -> None:
    text = "Heading\n\n  • First sentence. Second one.\n\nTail."
    start = text.index("•") - 2
    end = text.index("\n\nTail")
    assert sentence_spans(text, start, end) == [
        (text.index("First"), text.index(" Second")),
        (text.index("Second"), end),
    ]


@pytest.mark.parametrize("width", [40, 60, 72])
def test_wrapped_corpus_paragraph_gives_the_unwrapped_sentences(width: int) -> None:
    assert CQC_PARAGRAPH in (SHARED / "corpus" / "cqc-collaborating-for-better-care.txt").read_text(encoding="utf-8")
    assert sentences(CQC_PARAGRAPH) == CQC_SENTENCES
    wrapped = wrap(CQC_PARAGRAPH, width)
    assert "\n" in wrapped
    found = sentences(wrapped)
    assert [" ".join(sentence.split()) for sentence in found] == CQC_SENTENCES
    assert [as_prose(sentence) for sentence in found] == CQC_SENTENCES


@pytest.mark.parametrize("lazy", [False, True], ids=["indented", "lazy"])
def test_hard_wrapped_markdown_quotes_whole_sentences(lazy: bool) -> None:
    """The reported failure: a cited sentence stopped at a line end of a hard-wrapped Markdown file."""
    bullet = CQC_SENTENCES[1] + " " + CQC_SENTENCES[2]
    text = (
        "# Urgent care\n\n"
        + wrap(CQC_PARAGRAPH, 72)
        + "\n\n"
        + wrap(bullet, 60, initial_indent="- ", subsequent_indent="" if lazy else "  ")
        + "\n"
    )
    blocks = segment_markdown(text)
    assert [block.kind for block in blocks] == ["heading", "paragraph", "bullet"]
    quotes = [text[start:end] for block in blocks[1:] for start, end in sentence_spans(text, block.start, block.end)]
    assert [as_prose(quote) for quote in quotes] == CQC_SENTENCES + CQC_SENTENCES[1:]
    assert all(quote.endswith(".") for quote in quotes)


def test_every_sentence_of_the_real_texts_is_trimmed_and_inside_its_block() -> None:
    for path in [*CQC, *SQUAD, SAMPLE_MD]:
        text = path.read_text(encoding="utf-8")
        blocks = segment_markdown(text) if path.suffix == ".md" else segment_plain_text(text)
        for block in blocks:
            for start, end in sentence_spans(text, block.start, block.end):
                piece = text[start:end]
                assert block.start <= start < end <= block.end, path.name
                assert piece == piece.strip() and not piece.startswith(("•", "- ")), piece


@pytest.mark.parametrize("width", [60, 72])
def test_wrapping_the_real_texts_does_not_move_a_sentence_boundary(width: int) -> None:
    for path in [*CQC, *SQUAD]:
        text = path.read_text(encoding="utf-8")
        if path.name.startswith("cqc-state-of-care"):
            continue  # one paragraph per line with no blank lines: wrapped, paragraph ends become guesses
        paragraphs = text.split("\n\n")
        wrapped = "\n\n".join(_wrap_lines(paragraph, width) for paragraph in paragraphs)
        assert _prose_sentences(wrapped) == _prose_sentences(text), path.name


def _wrap_lines(paragraph: str, width: int) -> str:
    lines = []
    for line in paragraph.split("\n"):
        marker = re.match(r"\s*(?:•|-|\d+\.)\s+", line)
        indent = " " * len(marker.group()) if marker else ""
        lines.append(
            wrap(line.strip(), width, initial_indent=line[: len(line) - len(line.lstrip())], subsequent_indent=indent)
        )
    return "\n".join(lines)


def _prose_sentences(text: str) -> list[str]:
    return [
        as_prose(text[start:end])
        for block in segment_plain_text(text)
        for start, end in sentence_spans(text, block.start, block.end)
    ]


# --- as prose -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "shown"),
    [
        ("Staff were\nkind  and\tcaring.", "Staff were kind and caring."),
        ("  padded\r\n line  ", "padded line"),
        ("the develop-\nment of services", "the development of services"),
        ("an informa-\n   tion leaflet", "an information leaflet"),
        ("a well-\nknown problem", "a well-known problem"),
        ("a well-\nled service", "a well-led service"),
        ("self-\nassessment forms", "self-assessment forms"),
        ("COVID-\n19 cases", "COVID-19 cases"),
        ("non-\nEnglish speakers", "non-English speakers"),
        ("care –\nthis helped", "care – this helped"),
        ("pre- and post-operative care", "pre- and post-operative care"),
        ("soft\u00ad\nhyphen", "softhyphen"),
        ("hos\u00adpital", "hospital"),
        ("", ""),
    ],
)
def test_as_prose(quote: str, shown: str) -> None:
    assert as_prose(quote) == shown


# --- structure: plain text ----------------------------------------------------------------


def test_plain_text_joins_a_wrapped_line_that_starts_with_a_capital() -> None:
    text = "Care was provided by the\nNHS in 2020. It was good.\n\nFindings\n\nStaff were kind.\n"
    assert spans(text, segment_plain_text(text)) == [
        ("paragraph", "Care was provided by the\nNHS in 2020. It was good."),
        ("heading", "Findings"),
        ("paragraph", "Staff were kind."),
    ]


def test_plain_text_hard_wrapped_paragraphs_and_bullets() -> None:
    paragraph = wrap(CQC_PARAGRAPH, 72)
    bullet = wrap(CQC_SENTENCES[1], 72, initial_indent="  • ", subsequent_indent="    ")
    text = f"Redesigning pathways\n\n{paragraph}\n\n{bullet}\n  • A second bullet.\n"
    assert spans(text, segment_plain_text(text)) == [
        ("heading", "Redesigning pathways"),
        ("paragraph", paragraph),
        ("bullet", bullet.strip()),
        ("bullet", "• A second bullet."),
    ]


def test_plain_text_wrapped_paragraphs_without_blank_lines_split_where_the_next_word_fitted() -> None:
    first = wrap(CQC_SENTENCES[0], 60)
    second = wrap(CQC_SENTENCES[1], 60)
    assert len(first.splitlines()[-1]) + 1 + len("For") <= 0.8 * 60  # the last line had room for the next word
    text = f"Urgent care\n{first}\n{second}\n"
    assert spans(text, segment_plain_text(text)) == [
        ("heading", "Urgent care"),
        ("paragraph", first),
        ("paragraph", second),
    ]


def test_plain_text_dash_or_number_at_a_wrapped_line_start_is_no_list_item() -> None:
    text = (
        "North West Ambulance Service employed pharmacists in their call centres\n"
        "– this helped people avoid going to A&E. Residents there were aged over\n"
        "65. Staff knew them well and the service was rated Good by inspectors.\n"
    )
    assert spans(text, segment_plain_text(text)) == [("paragraph", text.strip())]


def test_paragraph_separator_is_a_hard_boundary() -> None:
    """Some PDFs end paragraphs with U+2029 rather than a blank line."""
    text = "Findings\u2029Staff were kind and\u2029Second paragraph here."
    assert spans(text, segment_plain_text(text)) == [
        ("heading", "Findings"),
        ("paragraph", "Staff were kind and"),
        ("paragraph", "Second paragraph here."),
    ]
    assert sentences(text) == ["Findings", "Staff were kind and", "Second paragraph here."]


def test_cqc_blocks_survive_hard_wrapping() -> None:
    """Wrapped at 72 columns, the review whose paragraphs are separated by blank lines keeps every block."""
    path = SHARED / "corpus" / "cqc-collaborating-for-better-care.txt"
    text = path.read_text(encoding="utf-8")
    blocks = segment_plain_text(text)
    assert [block.kind for block in blocks].count("heading") >= 5
    wrapped = "\n\n".join(_wrap_lines(paragraph, 72) for paragraph in text.split("\n\n"))
    folded = [(block.kind, " ".join(text[block.start : block.end].split())) for block in blocks]
    assert [
        (block.kind, " ".join(wrapped[block.start : block.end].split())) for block in segment_plain_text(wrapped)
    ] == folded


@pytest.mark.parametrize("path", CQC, ids=lambda path: path.stem)
def test_cqc_headings_and_bullets_stay_one_line_each(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for block in segment_plain_text(text):
        piece = text[block.start : block.end]
        assert "\n" not in piece, piece  # every line of these files is a heading, a bullet or a paragraph
        if piece.lstrip().startswith(("•", "- ")):
            assert block.kind == "bullet", piece


# --- structure: Markdown ------------------------------------------------------------------

MARKDOWN = """---
title: Annual review
date: 1.1.2023
---
Annual review
=============

The service was rated Good. Staff told us the manager was
approachable and that the service was provided by the
NHS in 2020.

Findings
--------

- Medicines were stored securely and
  checked every day.
- Lazy continuation lines are
part of the item too.
    - A nested item.
1. First numbered
2. Second numbered

Residents were all aged over
65. This is not a list.

```python
print("code is not prose")
```

<!-- a comment
over two lines -->

![Chart](chart.png)

| area | rating |
|------|--------|
| Safe | Good   |

### Last words ###
Closing paragraph.
"""


def test_markdown_blocks() -> None:
    blocks = segment_markdown(MARKDOWN)
    assert [(block.kind, block.level, " ".join(MARKDOWN[block.start : block.end].split())) for block in blocks] == [
        ("furniture", 0, "--- title: Annual review date: 1.1.2023 ---"),
        ("heading", 1, "Annual review"),
        (
            "paragraph",
            0,
            "The service was rated Good. Staff told us the manager was approachable and that the service was "
            "provided by the NHS in 2020.",
        ),
        ("heading", 2, "Findings"),
        ("bullet", 0, "- Medicines were stored securely and checked every day."),
        ("bullet", 0, "- Lazy continuation lines are part of the item too."),
        ("bullet", 0, "- A nested item."),
        ("bullet", 0, "1. First numbered"),
        ("bullet", 0, "2. Second numbered"),
        ("paragraph", 0, "Residents were all aged over 65. This is not a list."),
        ("paragraph", 0, 'print("code is not prose")'),  # a fenced block's code, without its fences, can be quoted
        ("furniture", 0, "<!-- a comment over two lines -->"),
        ("furniture", 0, "![Chart](chart.png)"),
        ("furniture", 0, "| area | rating | |------|--------| | Safe | Good |"),
        ("heading", 3, "Last words"),
        ("paragraph", 0, "Closing paragraph."),
    ]


def test_markdown_blocks_are_trimmed_ordered_and_disjoint() -> None:
    for text in (MARKDOWN, SAMPLE_MD.read_text(encoding="utf-8")):
        previous_end = -1
        for block in segment_markdown(text):
            piece = text[block.start : block.end]
            assert piece and piece == piece.strip()
            assert block.start > previous_end
            previous_end = block.end


def test_markdown_indented_code_is_furniture_but_indented_list_paragraphs_are_not() -> None:
    text = "Intro.\n\n    code line\n    more code\n\n- item\n\n    A second paragraph of the item.\n"
    assert spans(text, segment_markdown(text)) == [
        ("paragraph", "Intro."),
        ("furniture", "code line\n    more code"),
        ("bullet", "- item"),
        ("paragraph", "A second paragraph of the item."),
    ]


def test_sample_md() -> None:
    text = SAMPLE_MD.read_text(encoding="utf-8")
    blocks = segment_markdown(text)
    pieces = spans(text, blocks)
    headings = [(block.level, text[block.start : block.end]) for block in blocks if block.kind == "heading"]
    assert headings == [
        (2, "What to build with Haystack"),
        (2, "Core Features"),
        (2, "Quick Demo"),
        (3, "2nd level headline for testing purposes"),
        (4, "3rd level headline for testing purposes"),
    ]
    furniture = [piece for kind, piece in pieces if kind == "furniture"]
    assert furniture[0].startswith("---\ntype: intro") and furniture[0].endswith("---")
    assert ("paragraph", "pip install farm-haystack") in pieces  # the fenced command, quotable
    assert any(piece.startswith("![Logo]") for piece in furniture)
    assert any(piece.startswith("|  |  |") and piece.endswith("Read our articles on Medium |") for piece in furniture)
    assert not any("```" in piece for _, piece in pieces)
    bullets = [piece for kind, piece in pieces if kind == "bullet"]
    assert len(bullets) == 14
    assert ("paragraph", "# git clone https://github.com/deepset-ai/haystack.git") in pieces


def test_sample_md_hard_wrapped_keeps_its_blocks() -> None:
    text = SAMPLE_MD.read_text(encoding="utf-8")
    wrapped_lines = []
    in_fence = False
    for line in text.splitlines():
        in_fence ^= line.startswith("```")
        bullet = re.match(r"-\s+", line)
        if in_fence or line.startswith(("|", "#", "```", "![")) or len(line) <= 60:
            wrapped_lines.append(line)
        else:
            wrapped_lines.append(wrap(line, 60, subsequent_indent=" " * len(bullet.group()) if bullet else ""))
    wrapped = "\n".join(wrapped_lines)
    assert wrapped.count("\n") > text.count("\n") + 10

    def folded(source: str) -> list[tuple[str, str]]:
        return [(block.kind, " ".join(source[block.start : block.end].split())) for block in segment_markdown(source)]

    assert folded(wrapped) == folded(text)


def test_markdown_inline_markup_is_shown_as_the_words_it_marks_up() -> None:
    quote = "- **Ask questions in natural language** with `pip install farm-haystack` and [the docs](https://x.io/d)."
    assert as_prose(quote) == "- Ask questions in natural language with pip install farm-haystack and the docs."
    assert as_prose("Call a.__init__ or 2 * 3 * 4.") == "Call a.__init__ or 2 * 3 * 4."
