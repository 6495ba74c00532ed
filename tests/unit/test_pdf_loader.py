"""The PDF loader on real PDFs (a two-column-in-places arXiv paper, Pages exports, a scan) and on a generated
regulator-style report; plus the pure helpers (line joining, dehyphenation, furniture, columns) on strings.

`make_report_pdf` is shared with bench/pdf_engines.py.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.pdf import (
    Line,
    Page,
    RawBlock,
    Word,
    _Char,
    _reading_direction,
    build_document,
    clean_text,
    dehyphenate,
    drop_reference_marks,
    find_furniture,
    group_lines,
    is_bullet,
    is_page_number,
    join_lines,
    meaningful_title,
    opens_with_reference_mark,
    read_pdf,
    reading_order,
    split_blocks,
    split_regions,
    vocabulary,
)
from ingest.structure import LoadedDocument, LoadError

REALDOCS = Path(__file__).resolve().parents[3] / "shared" / "realdocs"
LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"

REPORT_TITLE = "State of Care in Riverside"
REPORT_HEADER = "State of Care in Riverside 2023/24"
REPORT_FOOTER = "Riverside Care Commission"
REPORT_PAGES = 5
REPORT_SPLIT_SENTENCE = (  # its last sentence runs from the foot of page 2 (footnote, footer) to page 3 (header)
    "Most of the people we spoke to said that waiting times for a first assessment had improved since last "
    "year, although many still waited more than six weeks for a care package to start. Families described the "
    "assessment process as confusing, and carers said they were rarely asked about their own needs."
)
REPORT_LEFT_COLUMN = (
    "District nursing teams covered 14 neighbourhoods this year and saw more people at home than ever before, "
    "often late in the evening when other services had closed."
)
REPORT_RIGHT_COLUMN = (
    "Community mental health teams reduced the number of people waiting longer than eighteen weeks, but "
    "referrals from schools doubled and some young people waited for months."
)


# ---------------------------------------------------------------------------------------------------------------
# Fixtures


def _real(name: str) -> bytes:
    path = REALDOCS / name
    if not path.exists():
        pytest.skip(f"real document {path} is not available")
    return path.read_bytes()


@pytest.fixture(scope="module")
def react() -> LoadedDocument:
    return read_pdf(_real("react_paper.pdf"))


@pytest.fixture(scope="module")
def sample1() -> LoadedDocument:
    return read_pdf(_real("sample_pdf_1.pdf"))


@pytest.fixture(scope="module")
def sample2() -> LoadedDocument:
    return read_pdf(_real("sample_pdf_2.pdf"))


@pytest.fixture(scope="module")
def report() -> LoadedDocument:
    return read_pdf(make_report_pdf())


def folded(text: str) -> str:
    return " ".join(text.split())


def block_texts(document: LoadedDocument, *kinds: str) -> list[str]:
    return [document.text[b.start : b.end] for b in document.blocks if not kinds or b.kind in kinds]


def block_containing(document: LoadedDocument, snippet: str) -> tuple[int, str]:
    for index, block in enumerate(document.blocks):
        if snippet in document.text[block.start : block.end]:
            return index, block.kind
    raise AssertionError(f"no block contains {snippet!r}")


# ---------------------------------------------------------------------------------------------------------------
# A regulator-style report, laid out line by line so the test knows exactly what the page shows


def make_report_pdf() -> bytes:
    """Five A4 pages like a public body's report: a cover; then a running header, a footer with the page number,
    numbered bold headings in three sizes, bullets with hanging indents, a numbered list, a table, a footnote,
    hyphenated line ends, a paragraph broken by a page break and a two-column section."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.core_fonts_encoding = "windows-1252"  # for "•" in the standard Helvetica
    pdf.set_auto_page_break(False)
    pdf.set_title("Microsoft Word - state_of_care_final.docx")
    left, right = 56.0, 539.0
    state = {"y": 0.0}

    def new_page(number: int | None) -> None:
        pdf.add_page()
        state["y"] = 90.0
        if number is None:
            return
        pdf.set_font("Helvetica", size=8)
        pdf.text(left, 36, REPORT_HEADER)
        pdf.text(left, 812, REPORT_FOOTER)
        label = f"Page {number} of {REPORT_PAGES}"
        pdf.text(right - pdf.get_string_width(label), 812, label)

    def lines(rows: list[str], *, x: float = left, size: float = 10.5, bold: bool = False, after: float = 8) -> None:
        pdf.set_font("Helvetica", style="B" if bold else "", size=size)
        for row in rows:
            pdf.text(x, state["y"], row)
            state["y"] += size * 1.3
        state["y"] += after

    def wrap(text: str, width: float, size: float = 10.5) -> list[str]:
        pdf.set_font("Helvetica", size=size)
        rows: list[str] = []
        current = ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            if current and pdf.get_string_width(trial) > width:
                rows.append(current)
                current = word
            else:
                current = trial
        return [*rows, current]

    def paragraph(text: str, *, x: float = left, width: float = right - left) -> None:
        lines(wrap(text, width), x=x)

    def bullet(text: str, marker: str = "\u2022") -> None:
        rows = wrap(text, right - left - 18)
        pdf.set_font("Helvetica", size=10.5)
        pdf.text(left + 4, state["y"], marker)
        lines(rows, x=left + 18, after=4)

    filler = (
        "We inspected 412 services and spoke with more than 3,000 people who use them, their families and the staff "
        "who support them. Where we found poor care we took action, and we publish every rating on our website."
    )

    new_page(None)  # cover
    state["y"] = 300
    lines([REPORT_TITLE], size=28, bold=True, after=14)
    lines(["Annual assessment of health and social care 2023/24"], size=16, after=30)
    lines(["Published 14 October 2024"], size=11)

    new_page(2)
    lines(["1. Summary"], size=18, bold=True, after=6)
    paragraph(
        "This report sets out what we found when we looked at health and social care in Riverside during the year. "
        + filler
    )
    lines(["Key findings"], size=12, bold=True, after=4)
    bullet("Most services were rated good or outstanding.")
    bullet(
        "Staffing remained the biggest risk: one in ten posts in adult social care was vacant at the end of the "
        "year, and agency staff filled many of the gaps in nursing homes."
    )
    bullet("People waited too long for mental health support.")
    state["y"] += 6
    lines(
        [
            "Providers told us that recruitment remained the biggest barrier to the develop-",
            "ment of community services, and that well-",
            "known problems with retention had not gone away.\u00b9 Several well-known providers",
            "closed homes during the year.",
        ]
    )
    paragraph(filler)
    paragraph(filler)
    state["y"] = 735
    lines(
        [
            "Most of the people we spoke to said that waiting times for a first assessment had improved since last",
            "year, although many still waited more than six weeks for a care package to start. Families described",
        ]
    )
    state["y"] = 785
    lines(["1 Figures are provisional and exclude services registered after 1 April 2024."], size=7.5)

    new_page(3)
    lines(
        [
            "the assessment process as confusing, and carers said they were rarely asked about their own needs.",
        ]
    )
    lines(["2. Adult social care"], size=18, bold=True, after=6)
    lines(["2.1 Workforce"], size=14, bold=True, after=4)
    paragraph(
        "Vacancy rates fell slightly but turnover stayed high. Services that invested in training and fair pay kept "
        "their staff for longer and were more likely to be rated good."
    )
    lines(["Table 1: Ratings by type of service"], size=9.5, after=4)
    columns = (left, 250.0, 340.0, 470.0)
    rows = [
        ("Service type", "Good", "Requires improvement", "Inadequate"),
        ("Residential homes", "68%", "24%", "8%"),
        ("Nursing homes", "61%", "30%", "9%"),
        ("Home care agencies", "74%", "21%", "5%"),
    ]
    for number, row in enumerate(rows):
        pdf.set_font("Helvetica", style="B" if number == 0 else "", size=9.5)
        for x, cell in zip(columns, row):
            pdf.text(x, state["y"], cell)
        state["y"] += 14
    state["y"] += 10
    lines(["What providers should do"], size=12, bold=True, after=4)
    bullet("Review staffing levels every month and record how gaps were covered.", marker="1.")
    bullet("Ask people who use the service how staff shortages affect their care.", marker="2.")

    new_page(4)
    lines(["3. Community services"], size=18, bold=True, after=6)
    top = state["y"]
    width = 226.0
    column = REPORT_LEFT_COLUMN + " Teams told us that digital records saved time. " + filler
    paragraph(column, x=left, width=width)
    bottom = state["y"]
    state["y"] = top
    paragraph(REPORT_RIGHT_COLUMN + " Waiting lists were shorter where schools had a named link worker. " + filler,
              x=left + width + 31, width=width)  # fmt: skip
    state["y"] = max(bottom, state["y"]) + 10
    paragraph(
        "Across all community services, people valued continuity: seeing the same nurse or therapist each time "
        "mattered more to them than the speed of the first appointment."
    )

    new_page(5)
    lines(["4. What happens next"], size=18, bold=True, after=6)
    paragraph(
        "We will publish a progress update in the spring. We expect every provider rated inadequate to show us a "
        "credible plan within three months, and we will inspect again within six months."
    )
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------------------------
# Invariants on every document


@pytest.mark.parametrize("name", ["react", "sample1", "sample2", "report"])
def test_blocks_are_clean_ordered_spans(name: str, request: pytest.FixtureRequest) -> None:
    document: LoadedDocument = request.getfixturevalue(name)
    text = document.text
    assert document.blocks
    previous_end = 0
    for index, block in enumerate(document.blocks):
        piece = text[block.start : block.end]
        assert piece and piece == piece.strip(), block
        assert "\n" not in piece, f"newline inside {block.kind}: {piece[:80]!r}"
        assert block.start >= previous_end
        if index:
            assert text[previous_end : block.start] == "\n\n"
        previous_end = block.end
        assert (block.level > 0) == (block.kind == "heading")
    assert previous_end == len(text)
    for garbage in ("\x00", "\u00ad", "\ufffe", "\ufffd", "\u2028", "\u2029", "\x02", *LIGATURES):
        assert garbage not in text
    starts = document.page_starts
    assert starts[0] == 0 and list(starts) == sorted(starts) and starts[-1] <= len(text)


# ---------------------------------------------------------------------------------------------------------------
# react_paper.pdf


def test_react_has_every_page(react: LoadedDocument) -> None:
    assert len(react.page_starts) == 31
    assert react.page_at(react.text.index("Alan Baddeley. Working memory.")) == 11


def test_react_sentences_read_whole(react: LoadedDocument) -> None:
    """Sentences that wrap down a column, cross a page (with a figure floated between), or sit in the right column
    of a two-column page come out whole and in order."""
    text = folded(react.text)
    for sentence in [
        "This tight synergy between “acting” and “reasoning” allows humans to learn new tasks quickly and perform "
        "robust decision making or reasoning, even under previously unseen circumstances or facing information "
        "uncertainties.",
        # page 1 -> 2, with Figure 1 and its caption at the top of page 2:
        "On one hand, properly prompted large language models (LLMs) have demonstrated emergent capabilities to "
        "carry out several steps of reasoning traces to derive answers from questions in arithmetic, commonsense, "
        "and symbolic reasoning tasks (Wei et al., 2022).",
        # page 20, right-hand column of a two-column table:
        "Action: think[For 3 ounce bottle of bright citrus deodorant for sensitive skin, the item has options "
        "’bright citrus’ and ’3 ounce (pack of 1)’ and seems good to buy.]",
        # page 29, both columns:
        "Action: think[For sixteen pack of apple cinnamon freeze dried banana chips, the item has options ’apple "
        "cinnamon’ and ’0.53 ounce (pack of 16)’ and seems good to buy.]",
        "Back to Search Prev flavor name [asian pear][banana][fuji apple & cinnamon][strawberry banana] "
        "Brothers-ALL-Natural Fruit Crisps, Strawberry Banana, 0.42 Ounce (Pack of 100) Price: $85.0 Rating: N.A.",
        "Josh Abramson, Arun Ahuja, Iain Barr, Arthur Brussee, Federico Carnevale, Mary Cassin, Rachita Chhaparia,",
        # page 6 -> 7, past a footnote, the page number and Figure 3's axis labels, legend and caption:
        "However, when finetuned with just 3,000 examples, ReAct becomes the best method among the four, with "
        "PaLM-8B finetuned ReAct outperforming all PaLM-62B prompting methods, and PaLM-62B finetuned ReAct "
        "outperforming all 540B prompting methods.",
    ]:
        assert sentence in text, sentence[:60]
    assert "average score beam search" not in text  # a table's note is not the paragraph's rest


def test_react_columns_are_not_interleaved(react: LoadedDocument) -> None:
    """On page 29 the Act column (left) is read to its end before the ReAct column (right) begins."""
    text = react.text
    act_end = text.index("Score: 0.125")
    react_think = text.index("Action: think[B0061IVFZE is strawberry banana")
    assert act_end < react_think
    assert "Score: 0.125 | Score: 1.0" not in text


def test_react_hyphenation_is_resolved(react: LoadedDocument) -> None:
    text = react.text
    assert "Consider the example of cooking up a dish in the kitchen" in text  # "Con-" / "sider"
    assert "Neuropsychologia" in text and "Neuropsy-chologia" not in text
    assert "Association for Computational Linguistics" in text  # "Com-" / "putational"
    assert "Con-sider" not in text and "exam-ples" not in text and "genera-tion" not in text
    # real compounds broken at their hyphen keep it
    assert "competitive with chain-of-thought reasoning (CoT)" in text
    assert "a novel prompt-based paradigm" in text
    assert "state-of-the-art" in text
    for block in react.blocks:  # no paragraph stops at a broken word (a cell of a table row may)
        piece = text[block.start : block.end]
        assert " | " in piece or not re.search(r"[^\W\d]-$", piece), piece[-80:]


def test_react_ligatures_are_unfolded(react: LoadedDocument) -> None:
    assert not any(char in react.text for char in LIGATURES)
    for word in ("fact verification", "finetuning", "flexible", "difficult", "specific"):
        assert word in react.text, word


def test_react_page_numbers_are_furniture(react: LoadedDocument) -> None:
    numbers = [b for b in react.blocks if b.kind == "furniture" and react.text[b.start : b.end].isdigit()]
    assert [react.text[b.start : b.end] for b in numbers] == [str(number) for number in range(1, 32)]
    for number, block in enumerate(numbers, start=1):  # on its page, or just after a paragraph it interrupted
        assert react.page_at(block.start) in (number, number + 1)
    for block in react.blocks:
        if block.kind != "furniture":
            assert "Published as a conference paper" not in react.text[block.start : block.end]  # ICLR header


def test_react_headings(react: LoadedDocument) -> None:
    headings = {react.text[b.start : b.end]: b.level for b in react.blocks if b.kind == "heading"}
    for expected in ("ABSTRACT", "1 INTRODUCTION", "3.1 SETUP", "5 RELATED WORK", "REFERENCES", "A.1 HOTPOTQA"):
        assert expected in headings, expected
    assert headings["1 INTRODUCTION"] < headings["3.1 SETUP"]
    assert react.title.endswith("SYNERGIZING REASONING AND ACTING IN LANGUAGE MODELS")  # one two-line heading
    assert headings[react.title] == 1
    for heading in headings:
        assert not heading.endswith("-") and len(heading) <= 120, heading
        assert not heading[0].islower(), heading
    # chart labels are set big but are no headings
    assert not {"Standard", "Method 20", "Act 10"} & set(headings)


def test_react_footnote_is_set_apart_not_glued_into_a_sentence(react: LoadedDocument) -> None:
    index, kind = block_containing(react, "Work done while interning at Google Brain.")
    assert kind == "furniture"  # kept in the text (offsets hold) but never chunked or quoted
    assert react.text[react.blocks[index].start : react.blocks[index].end].startswith("∗ Work done")


# ---------------------------------------------------------------------------------------------------------------
# sample_pdf_1.pdf / sample_pdf_2.pdf / non_text_searchable.pdf


def test_sample1_joins_hard_wrapped_lines_and_unfolds_ligatures(sample1: LoadedDocument) -> None:
    assert sample1.title == "A sample PDF file"  # the metadata title is a file name ("sample_pdf")
    text = sample1.text
    assert not any(char in text for char in LIGATURES)
    assert (
        "Format (PDF) Adobe Systems made the PDF specification available free of charge in 1993. In the early years "
        "PDF was popular mainly in desktop publishing workflows," in text
    )
    _, kind = block_containing(sample1, "until it was released as an open standard on July 1, 2008")
    assert kind == "paragraph"
    assert "C | 23.53% | A short string." in block_texts(sample1, "paragraph")
    assert block_texts(sample1, "furniture") == ["Page 2 of Sample PDF", "Page 4 of Sample PDF"]
    assert len(sample1.page_starts) == 4


def test_sample2_paragraph_separators(sample2: LoadedDocument) -> None:
    text = sample2.text
    assert "\u2029" not in text and "diﬀers" not in text and "differs from other web-based systems" in text
    paragraphs = block_texts(sample2, "paragraph")
    assert (
        'Ward Cunningham, the developer of the first wiki software, WikiWikiWeb, originally described wiki as "the '
        'simplest online database that could possibly work."[4]' in " ".join(paragraphs)
    )
    assert any(p.startswith("Wiki engines usually allow content to be written") for p in paragraphs)
    header_hits = [m.start() for m in re.finditer(r"This is a header\.", text)]
    furniture = [(b.start, b.end) for b in sample2.blocks if b.kind == "furniture"]
    assert len(header_hits) == 3
    assert all(any(start <= hit < end for start, end in furniture) for hit in header_hits)


def test_scanned_pdf_has_no_text_layer() -> None:
    with pytest.raises(LoadError) as error:
        read_pdf(_real("non_text_searchable.pdf"))
    assert str(error.value) == "no text layer (scanned PDF?)"


# ---------------------------------------------------------------------------------------------------------------
# The generated report


def test_report_title_headings_and_levels(report: LoadedDocument) -> None:
    assert report.title == REPORT_TITLE  # "Microsoft Word - ..." metadata is no title
    headings = {report.text[b.start : b.end]: b.level for b in report.blocks if b.kind == "heading"}
    assert headings[REPORT_TITLE] == 1
    assert headings["1. Summary"] == headings["2. Adult social care"] == headings["4. What happens next"]
    assert headings["1. Summary"] < headings["2.1 Workforce"] < headings["Key findings"]
    assert len(report.page_starts) == REPORT_PAGES


def test_report_furniture_never_inside_body(report: LoadedDocument) -> None:
    text = report.text
    furniture = [(b.start, b.end) for b in report.blocks if b.kind == "furniture"]
    for marker in (REPORT_HEADER, REPORT_FOOTER, "Page 3 of 5"):
        hits = [m.start() for m in re.finditer(re.escape(marker), text)]
        assert hits, marker
        assert all(any(start <= hit < end for start, end in furniture) for hit in hits), marker
    assert len(furniture) == 2 * (REPORT_PAGES - 1) + 1  # header and footer after the cover, and the footnote


def test_report_paragraph_continues_across_the_page_break(report: LoadedDocument) -> None:
    index, kind = block_containing(report, "waiting times for a first assessment had improved")
    block = report.blocks[index]
    paragraph = report.text[block.start : block.end]
    assert kind == "paragraph" and REPORT_SPLIT_SENTENCE in paragraph
    assert paragraph.endswith("carers said they were rarely asked about their own needs.")
    assert report.page_at(block.start) == 2 and report.page_at(block.end - 1) == 3
    after = [report.text[b.start : b.end] for b in report.blocks[index + 1 : index + 5]]
    assert after[0].startswith("1 Figures are provisional")  # the footnote follows the paragraph it interrupted
    assert report.blocks[index + 1].kind == "furniture"  # ... set apart: a source note is not a finding to quote
    assert set(after[1:4]) >= {REPORT_HEADER}


def test_report_bullets_tables_and_hyphenation(report: LoadedDocument) -> None:
    bullets = block_texts(report, "bullet")
    assert (
        "• Staffing remained the biggest risk: one in ten posts in adult social care was vacant at the end of the "
        "year, and agency staff filled many of the gaps in nursing homes." in bullets
    )
    assert len(bullets) == 5
    assert "1. Review staffing levels every month and record how gaps were covered." in bullets
    rows = block_texts(report, "paragraph")
    assert "Residential homes | 68% | 24% | 8%" in rows
    assert "Service type | Good | Requires improvement | Inadequate" in rows
    text = report.text
    assert "barrier to the development of community services, and that well-known problems with retention" in text


def test_report_two_columns_read_column_by_column(report: LoadedDocument) -> None:
    text = report.text
    assert REPORT_LEFT_COLUMN in text and REPORT_RIGHT_COLUMN in text
    assert text.index(REPORT_LEFT_COLUMN) < text.index("Teams told us that digital records saved time.")
    assert text.index("Teams told us that digital records saved time.") < text.index(REPORT_RIGHT_COLUMN)


# ---------------------------------------------------------------------------------------------------------------
# Failures


def test_damaged_and_protected_pdfs_fail_in_one_line(capfd: pytest.CaptureFixture[str]) -> None:
    from fpdf import FPDF

    with pytest.raises(LoadError) as error:
        read_pdf(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    assert str(error.value).startswith("not a readable PDF (") and "\n" not in str(error.value)

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 20, "secret")
    pdf.set_encryption(owner_password="owner", user_password="user")
    with pytest.raises(LoadError, match=r"^PDF is password-protected$"):
        read_pdf(bytes(pdf.output()))
    assert capfd.readouterr().err == ""


# ---------------------------------------------------------------------------------------------------------------
# Pure helpers


def _word(text: str, x0: float, top: float, size: float = 10.0, *, bold: bool = False) -> Word:
    """A word as the engine makes it: 0.5 em per letter, its box from 0.8 em above to 0.2 em below the baseline."""
    return Word(text, x0, x0 + 0.5 * size * len(text), top, top + size, size, bold)


def _line(text: str, x0: float, top: float, size: float = 10.0, *, bold: bool = False) -> list[Word]:
    """Words of one line; a tab (`\\t`) leaves a wide gap, as between table cells or after a bullet."""
    words: list[Word] = []
    for cell in text.split("\t"):
        for token in cell.split():
            word = _word(token, x0, top, size, bold=bold)
            words.append(word)
            x0 = word.x1 + 0.3 * size
        x0 += 3 * size
    return words


def _texts(blocks: list[RawBlock]) -> list[tuple[str, str]]:
    return [(block.kind, join_lines([line.text for line in block.lines])) for block in blocks]


def test_join_lines_dehyphenates_by_the_documents_vocabulary() -> None:
    vocab = vocabulary([["the development of", "a well-known fact"]])
    assert join_lines(["recruitment hampered the develop-", "ment of services"], vocab) == (
        "recruitment hampered the development of services"
    )
    assert join_lines(["a well-", "known problem"], vocab) == "a well-known problem"
    assert join_lines(["soft\u00ad", "hyphen"]) == "softhyphen"
    assert join_lines(["see https://example.org/", "path/page"]) == "see https://example.org/path/page"
    assert join_lines(["PaLM-", "540B model"]) == "PaLM-540B model"
    assert join_lines(["chain-of-", "thought"]) == "chain-of-thought"
    assert join_lines(["in 2019-", "20 the rate fell"]) == "in 2019-20 the rate fell"
    assert join_lines(["costs rose -", "sharply"]) == "costs rose - sharply"


def test_dehyphenate_falls_back_to_word_shapes() -> None:
    vocab = Counter({"prompt": 3, "based": 2})
    assert not dehyphenate("prompt", "based", vocab)  # two words of the document: a compound
    assert dehyphenate("con", "sider", vocab)  # syllables: a line-break hyphen
    assert not dehyphenate("Hot", "PotQA", Counter())  # a capital after the hyphen
    assert dehyphenate("Hot", "PotQA", Counter({"hotpotqa": 4}))


def test_vocabulary_ignores_the_halves_of_broken_words() -> None:
    vocab = vocabulary([["some develop-", "ment here"]])
    assert vocab["develop"] == 0 and vocab["ment"] == 0 and vocab["some"] == 1


def test_clean_text_unfolds_compatibility_characters() -> None:
    assert clean_text("ﬁnd the ﬂow\u00a0of\x00 eﬀort\u2029") == "find the flow of effort"
    assert clean_text("cafe\u0301") == "café"
    assert clean_text("\U0001d447\U0001d443\U0001d445 = \U0001d7d0") == "TPR = 2"  # styled maths letters and digits
    assert clean_text("a\ud835b") == "ab"  # half a UTF-16 pair is not text


def make_formula_pdf() -> bytes:
    """A page whose formula is set in maths italic letters beyond U+FFFF (as Google Docs and Word export them),
    which PDFium hands over one UTF-16 half at a time."""
    import pypdf
    from fpdf import FPDF
    from pypdf.generic import DecodedStreamObject, NameObject

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(56, 100, "The true positive rate is the share of actual positives predicted positive:")
    pdf.set_font("Times", style="I", size=11)
    pdf.text(56, 130, "TPR = TP / AP")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(bytes(pdf.output()))))
    italic = next(
        font.get_object()
        for font in writer.pages[0]["/Resources"]["/Font"].values()
        if font.get_object()["/BaseFont"] == "/Times-Italic"
    )
    to_maths_italic = "".join(f"<{ord(c):02X}> <D835{0xDC34 + ord(c) - ord('A'):04X}>\n" for c in "APRT")  # 𝐴𝑃𝑅𝑇
    cmap = DecodedStreamObject()
    cmap.set_data(
        (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Maths def "
            f"1 begincodespacerange <00> <FF> endcodespacerange 4 beginbfchar\n{to_maths_italic}endbfchar "
            "endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode()
    )
    italic[NameObject("/ToUnicode")] = writer._add_object(cmap)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_stream_order_decides_which_way_text_reads() -> None:
    """A report's page turned to landscape carried a text matrix saying "downwards" while its characters ran
    upwards, and was stored reversed ("ycnegnitnoc SRAS"); Arabic, written right to left, likewise."""
    upwards = [_Char("x", 100, 110, 50 + 8 * n, 42 + 8 * n, 10, 1, False, 3) for n in range(30)]
    assert _reading_direction(upwards, 3) == 1
    assert _reading_direction(upwards, 1) == 1
    right_to_left = [_Char("x", 500 - 6 * n, 506 - 6 * n, 700, 690, 10, 1, False, 0) for n in range(30)]
    assert _reading_direction(right_to_left, 0) == 2
    assert _reading_direction(right_to_left[:5], 0) == 0  # too few to overrule the matrix


def test_letters_beyond_the_basic_plane_are_read_whole() -> None:
    document = read_pdf(make_formula_pdf())
    assert document.text.endswith("positive:\n\nTPR = TP / AP")


def test_bullets_and_page_numbers() -> None:
    assert is_bullet("• item") and is_bullet("\u25aa item")
    assert is_bullet("1. first", after="The steps are:") and not is_bullet("(2) the current subgoal", "thoughts that")
    for number in ("12", "Page 3 of 31", "- 4 -", "iv", "3 / 10"):
        assert is_page_number(number), number
    assert not is_page_number("2023 was a hard year")


def test_meaningful_title() -> None:
    assert meaningful_title("State of Care 2023/24") == "State of Care 2023/24"
    for junk in ("", "Untitled", "Microsoft Word - report final.docx", "sample_pdf", "report.pdf", "   "):
        assert meaningful_title(junk) == "", junk


@pytest.mark.parametrize(
    ("metadata", "title"),
    [
        ("Guidance", "GP access in North West London"),  # a template's one word: page 1's heading says more
        ("", "GP access in North West London"),
        ("Healthwatch report on GP access, 2024", "Healthwatch report on GP access, 2024"),
    ],
)
def test_a_one_word_metadata_title_gives_way_to_page_one_s_heading(metadata: str, title: str) -> None:
    words = [
        *_span("GP access in North West London", 50, 400, 100, 24),
        *_span("Patients in Brent and Westminster told us how they book appointments.", 50, 500, 150),
    ]
    assert build_document([Page(595, 842, tuple(words))], metadata).title == title


def test_group_lines_keeps_superscripts_on_their_line() -> None:
    words = [*_line("waiting times fell", 50, 100), _word("1", 136.2, 98, 6), *_line("next line here", 50, 113)]
    assert [line.text for line in group_lines(words)] == ["waiting times fell1", "next line here"]


def test_lines_beside_a_big_callout_are_not_read_into_it() -> None:
    """A slide's 25-point callout spans two 11-point lines of the box beside it: each stays a line, word for word."""
    callout = _line("Controlling for other", 50, 47, 25)
    upper, lower = "The regression enables us to understand, in", "addition to the four priority groups, the"
    words = [*callout, *_line(upper, callout[-1].x1 + 17, 44.3, 11), *_line(lower, callout[-1].x1 + 17, 57.5, 11)]
    cells = [cell for line in group_lines(words) for cell in line.cells]
    assert upper in cells and lower in cells  # the lower line shares the callout's baseline: a row of two cells
    (falls,) = _line("falls", 50, 100, 25)
    assert [line.text for line in group_lines([falls, _word("1,2", falls.x1, 98, 11)])] == ["falls1,2"]  # a mark


def test_reading_order_two_columns_but_table_rows_across() -> None:
    left_text = "the left column reads down here with many words on each line"
    right_text = "while the right column continues the story with more words too"
    words: list[Word] = [*_line("A full width title that spans both of the columns below it", 50, 60)]
    for row in range(6):
        words += _line(left_text, 50, 100 + 13 * row, 6)
        words += _line(right_text, 320, 100 + 13 * row, 6)
    regions = reading_order(words, 6.0)
    texts = [" ".join(line.text for line in group_lines(region)) for region in regions]
    assert texts[0].startswith("A full width title")
    assert texts[1] == " ".join([left_text] * 6) and texts[2] == " ".join([right_text] * 6)

    table: list[Word] = []
    for row in range(5):
        table += [
            _word("Label", 50, 200 + 14 * row),
            _word("12%", 250, 200 + 14 * row),
            _word("34", 400, 200 + 14 * row),
        ]
    (region,) = reading_order(table, 10.0)
    assert [line.text for line in group_lines(region)] == ["Label | 12% | 34"] * 5


FEDERAL_REGISTER_COLUMNS = [
    [
        "Investigation of the accident has been",
        "completed by the national authorities",
        "with assistance from the safety board.",
        "Reports from the investigation",
        "indicate that the flight control system",
        "generated repeated nose-down commands.",
    ],
    [
        "On November 7 the agency issued an",
        "emergency directive as an interim",
        "corrective action. The agency sent",
        "the directive to all known owners",
        "and operators of the airplanes to",
        "require revising certificate limits.",
    ],
    [
        "The data from the flight recorders,",
        "as summarized in the reports,",
        "indicated that if a single erroneous",
        "sensor input is received by the",
        "system, it can command repeated",
        "trim of the horizontal stabilizer.",
    ],
]


def test_three_ragged_columns_are_read_column_by_column() -> None:
    """Beside either gutter of a three-column page sit two ragged columns, which look like a table's gapped rows;
    the page was read across all three, a line of each in turn."""
    words: list[Word] = []
    for column, lines in enumerate(FEDERAL_REGISTER_COLUMNS):
        for row, text in enumerate(lines):
            words += _line(text, 45 + 177 * column, 100 + 10 * row, 7)
    regions = reading_order(words, 7.0)
    assert [" ".join(line.text for line in group_lines(region)) for region in regions] == [
        " ".join(lines) for lines in FEDERAL_REGISTER_COLUMNS
    ]


SLIDE_SIDE_HEADING = ["The UK scores well", "on staff recognition", "from managers when", "compared", "internationally"]
SLIDE_TEXT_BOXES = [
    [
        "Across a number of measures we are able to",
        "compare the 2015 survey results to the",
        "federal civil services of Australia, Canada and",
        "the United States of America. Comparisons",
        "have been made with questions which had",
        "very similar or identical wording.",
    ],
    [
        "The countries looked at all score well on staff",
        "being interested in their work and being clear",
        "of what is expected of them. The UK scores",
        "particularly well on staff receiving recognition",
        "from their manager. There is however room for",
        "improvement with regards to senior managers.",
    ],
]


def test_a_side_heading_beside_two_ragged_text_boxes_is_read_box_by_box() -> None:
    """A slide (a Cabinet Office survey summary): a heading in big letters, some of its lines one word long, beside
    two text boxes. Neither gutter alone has text on both sides (the heading's lines are short, and with the
    first box they make gapped rows), so the page was read across, a line of each box in turn."""
    words: list[Word] = []
    for row, text in enumerate(SLIDE_SIDE_HEADING):
        words += _line(text, 40, 97 + 28 * row, 16)
    for column, lines in enumerate(SLIDE_TEXT_BOXES):
        for row, text in enumerate(lines):
            words += _line(text, 240 + 230 * column, 100 + 14 * row, 9)
    regions = reading_order(words, 9.0)
    assert [" ".join(line.text for line in group_lines(region)) for region in regions] == [
        " ".join(SLIDE_SIDE_HEADING),
        *(" ".join(lines) for lines in SLIDE_TEXT_BOXES),
    ]


def test_find_furniture_needs_repetition_or_a_page_number() -> None:
    def page(header: str, body_top: float) -> list[Line]:
        return group_lines([*_line(header, 50, 30, 8), *_line("Body text starts here", 50, body_top)])

    pages = [page("Annual report 2024", 100), page("Annual report 2024", 100), page("7", 100), page("Unique", 100)]
    marks = find_furniture(pages, [842.0] * 4)
    assert marks == [{0}, {0}, {0}, set()]


def test_build_document_rejects_pages_without_text() -> None:
    with pytest.raises(LoadError, match=re.escape("no text layer (scanned PDF?)")):
        build_document([Page(595, 842, ()), Page(595, 842, (_word("•", 50, 50),))])


def test_cells_split_tables_but_not_tabbed_bullets_or_numbers() -> None:
    assert Line.of(_line("Residential homes\t68%\t24%", 50, 100)).text == "Residential homes | 68% | 24%"
    assert Line.of(_line("1\t68%\t24%", 50, 100)).text == "1 | 68% | 24%"
    assert Line.of(_line("•\tExtending the duty of candour", 50, 100)).text == "• Extending the duty of candour"
    assert Line.of(_line("1\tBackground to the inquiry", 50, 100)).text == "1 Background to the inquiry"
    accent = Word("\u02c7", 63, 66, 98, 110, 10.0)  # a caron drawn over the "n" of "Sona"
    assert clean_text(Line.of([_word("Sona", 50, 100), accent]).text) == "Soňa"


FOOTNOTE_42 = (
    "42 Cabinet Office, Government response to the Infected Blood Inquiry report and its annexes, published on"
)


def test_split_blocks_paragraphs_bullets_and_footnotes() -> None:
    lines = group_lines(
        [
            *_line("Key findings", 50, 100, 12, bold=True),
            *_line("Most services were rated good, and some were rated outstanding by the", 50, 118),
            *_line("inspectors who visited them.", 50, 130),
            *_line("• Staffing was the biggest risk in the year for adult social care", 50, 148),
            *_line("services in the north of the county.", 62, 160),
            *_line("• Waiting lists grew.", 50, 172),
            *_line(FOOTNOTE_42, 50, 300, 7),
            *_line("2 May 2024 with an annex.", 50, 309, 7),
            *_line("43 Department of Health, Review of safety, 15 October 2024", 50, 318, 7),
        ]
    )
    assert _texts(split_blocks(lines, 10.0)) == [
        ("paragraph", "Key findings"),
        (
            "paragraph",
            "Most services were rated good, and some were rated outstanding by the inspectors who visited them.",
        ),
        (
            "bullet",
            "• Staffing was the biggest risk in the year for adult social care services in the north of the county.",
        ),
        ("bullet", "• Waiting lists grew."),
        ("paragraph", FOOTNOTE_42 + " 2 May 2024 with an annex."),
        ("paragraph", "43 Department of Health, Review of safety, 15 October 2024"),
    ]


def test_split_blocks_keeps_bold_emphasis_and_side_by_side_boxes_apart() -> None:
    emphasis = group_lines(
        [
            *_line("For this study, 41 interviews with agents were carried out, 19 of which", 50, 100, bold=True),
            *_line("were conducted by telephone and the rest face to face in their offices.", 50, 112),
        ]
    )
    assert len(split_blocks(emphasis, 10.0)) == 1
    cover = group_lines(
        [
            *_line("5 June 2025", 50, 100),
            *_line("Infected Blood Inquiry: recommendations", 300, 103, 14),
            *_line("By Claire Duddy", 50, 113),
            *_line("for recognition and patient safety", 300, 121, 14),
        ]
    )
    assert [text for _, text in _texts(split_blocks(cover, 10.0))] == [
        "5 June 2025 By Claire Duddy",
        "Infected Blood Inquiry: recommendations for recognition and patient safety",
    ]


def test_a_side_heading_in_the_margin_reads_before_its_paragraph() -> None:
    """A US federal report's side heading sits in the left margin, its baseline a little below the paragraph's
    first; read after the paragraph, it cut the paragraph off from its continuation on the next page."""
    lines = group_lines(
        [
            *_line("Since 2001, all of the selected agencies conducted multiple", 216, 537.7, 11),
            *_line("Results in Brief", 37, 539.3, 17),
            *_line("reviews of existing regulations. The nine agencies reported", 216, 550.7, 11),
            *_line("completing over 1,300 reviews from 2001 through 2006.", 216, 563.7, 11),
        ]
    )
    assert [text for _, text in _texts(split_blocks(lines, 11.0))] == [
        "Results in Brief",
        "Since 2001, all of the selected agencies conducted multiple reviews of existing regulations. The nine "
        "agencies reported completing over 1,300 reviews from 2001 through 2006.",
    ]


# ---------------------------------------------------------------------------------------------------------------
# Paragraphs that must not break mid-sentence


def _at(text: str, x0: float, baseline: float, size: float = 10.0) -> list[Word]:
    """Words of one run set on `baseline` (links, raised marks and big glyphs differ in size, not baseline)."""
    return _line(text, x0, baseline - 0.8 * size, size)


def _span(text: str, x0: float, x1: float, baseline: float, size: float = 10.0) -> list[Word]:
    """Words of one line spread evenly from `x0` to `x1`, so a test controls where the line ends."""
    tokens = text.split()
    letters = sum(len(token) for token in tokens)
    gap = 0.3 * size
    unit = (x1 - x0 - gap * (len(tokens) - 1)) / letters
    words: list[Word] = []
    for token in tokens:
        words.append(Word(token, x0, x0 + unit * len(token), baseline - 0.8 * size, baseline + 0.2 * size, size))
        x0 = words[-1].x1 + gap
    return words


def _joined(blocks: list[RawBlock]) -> list[str]:
    return [join_lines([line.text for line in block.lines]) for block in blocks]


def test_a_web_address_in_a_smaller_link_font_stays_in_its_paragraph() -> None:
    """GOV.UK pages printed to PDF set a link's address in brackets a size smaller than the text: the line that
    holds it, the line carrying the address on and the text resuming after it are one paragraph."""
    url = "(https://sites.example.ac.uk/ncish/reports/annual-"
    mixed = _at("Health Annual Report 2023", 50, 116, 14)
    lines = group_lines(
        [
            *_at("As reported in the National Inquiry into Suicide and Safety in Mental", 50, 100, 14),
            *mixed,
            *_at(url, mixed[-1].x1 + 4, 116, 12.6),
            *_at("report-2023/)) and the rate fell again in the year after that.", 50, 132, 12.6),
            *_at("Based on death notifications data, the regulator estimates that in", 50, 164, 14),
            *_at("2021 to 2022 most deaths were of natural causes.", 50, 180, 14),
        ]
    )
    assert Line.of(lines[1].words).size == 14  # the address does not make the line small print
    assert _joined(split_blocks(lines, 14.0)) == [
        "As reported in the National Inquiry into Suicide and Safety in Mental Health Annual Report 2023 "
        "(https://sites.example.ac.uk/ncish/reports/annual-report-2023/)) and the rate fell again in the year "
        "after that.",
        "Based on death notifications data, the regulator estimates that in 2021 to 2022 most deaths were of "
        "natural causes.",
    ]
    alone = group_lines(  # the address could not fit on the short line above: it wraps to lines of its own
        [
            *_at("learning disabilities and autism services in England (see Mental Health", 50, 100, 14),
            *_at("Bulletin, 2021 to 2022 Annual report", 50, 116, 14),
            *_at("(https://eur03.safelinks.protection.outlook.com/?", 50, 132, 12.6),
            *_at("url=https%3A%2F%2Fdigital.nhs.uk%2Fdata-and-", 50, 148, 12.6),
            *_at("information%2Fpublications&reserved=0)).", 50, 164, 12.6),
        ]
    )
    (block,) = split_blocks(alone, 14.0)
    assert join_lines([line.text for line in block.lines]).endswith(
        "Annual report (https://eur03.safelinks.protection.outlook.com/?url=https%3A%2F%2Fdigital.nhs.uk%2F"
        "data-and-information%2Fpublications&reserved=0))."
    )
    assert block.size == 14  # a long address is one word: the block is body text, not a footnote


def test_a_web_address_keeps_the_hyphen_it_was_broken_at() -> None:
    """Browsers break an address only at its own hyphens and slashes: the hyphen is part of the address."""
    vocab = vocabulary([["mental health services", "the mentalhealth team"]])
    assert join_lines(["(https://digital.nhs.uk/statistical/mental-", "health-act-statistics)."], vocab) == (
        "(https://digital.nhs.uk/statistical/mental-health-act-statistics)."
    )
    assert join_lines(["the mental-", "health team"], vocab) == "the mentalhealth team"


def test_a_raised_footnote_mark_does_not_make_a_line_small_print() -> None:
    """`‘invalid’[footnote 5].`: the raised mark has more letters than the text, but the line is body text."""
    text = _at("‘invalid’", 50, 116, 14)
    mark = _at("[footnote 5]", text[-1].x1, 110.6, 11.2)
    lines = group_lines(
        [
            *_at("people specialist beds. The remaining percentage were recorded as", 50, 100, 14),
            *text,
            *mark,
            *_at(".", mark[-1].x1, 116, 14),
        ]
    )
    assert [line.text for line in lines][1] == "‘invalid’[footnote 5]."
    assert lines[1].size == 14
    assert _joined(split_blocks(lines, 14.0)) == [
        "people specialist beds. The remaining percentage were recorded as ‘invalid’[footnote 5]."
    ]


def test_a_bullet_glyph_drawn_bigger_than_its_text_keeps_the_item_whole() -> None:
    """A bigger bullet glyph raises the top of the item's first line; the line spacing is read from baselines."""
    lines = group_lines(
        [
            *_at("•", 50, 100, 18),
            *_at("commissions are refined, prioritised and screened to ensure clarity as to what", 64, 100, 12),
            *_at("advice is being sought and to identify any requests outside a group’s remit;", 64, 115, 12),
            *_at("•", 50, 136, 18),
            *_at("there is clear tracking of requests and responses.", 64, 136, 12),
        ]
    )
    assert [line.size for line in lines] == [12, 12, 12]
    assert _texts(split_blocks(lines, 12.0)) == [
        (
            "bullet",
            "• commissions are refined, prioritised and screened to ensure clarity as to what advice is being "
            "sought and to identify any requests outside a group’s remit;",
        ),
        ("bullet", "• there is clear tracking of requests and responses."),
    ]


def test_a_short_item_line_continues_under_the_items_text() -> None:
    """An item's line that stops short (`10 Downing` would not break) goes on at the item's hanging indent."""
    lines = group_lines(
        [
            *_span("The Taskforce was the principal body briefing the Prime Minister on the response:", 50, 520, 100),
            *_at("•", 50, 118),
            *_span("It ensured that the Prime Minister received unified and consistent advice from", 64, 455, 118),
            *_span("10 Downing Street and the Cabinet Office on all aspects of the pandemic.", 64, 480, 131),
            *_at("•", 50, 149),
            *_span("It fulfilled the need for a single team at the centre.", 64, 330, 149),
            *_span("The Cabinet Office also set up a new team for local action.", 50, 400, 167),
        ]
    )
    assert _texts(split_blocks(lines, 10.0)) == [
        ("paragraph", "The Taskforce was the principal body briefing the Prime Minister on the response:"),
        (
            "bullet",
            "• It ensured that the Prime Minister received unified and consistent advice from 10 Downing Street and "
            "the Cabinet Office on all aspects of the pandemic.",
        ),
        ("bullet", "• It fulfilled the need for a single team at the centre."),
        ("paragraph", "The Cabinet Office also set up a new team for local action."),
    ]


def test_a_web_address_running_past_the_margin_does_not_move_it() -> None:
    """The right margin is where the text's lines end, not where an unbreakable address overflows to: measured
    against the overflow, every full line would look short and a sentence ending on one would end the paragraph."""
    lines = group_lines(
        [
            *_span("The first sentence of this paragraph runs right up to the margin of the text.", 50, 500, 100),
            *_span("Then the second sentence carries on across the whole of this line up to the", 50, 498, 113),
            *_span("margin and ends here.", 50, 160, 126),
            *_span("See https://www.example.org/guidance/reports/a-very-long-address-that-cannot-break", 50, 590, 150),
        ]
    )
    assert [text[:9] for text in _joined(split_blocks(lines, 10.0))] == ["The first", "See https"]


def test_small_print_wrapping_to_a_number_is_no_new_footnote() -> None:
    """`24 December 2020` under a source note is a wrapped line (the number would not have fitted above); a
    footnote number after a line that ended short starts the next footnote."""
    source = group_lines(
        [
            *_span("Source: Extract from ‘Avoiding the Three Cs’, Government of Japan, Health and", 50, 500, 300, 7),
            *_span("24 December 2020 (https://www.japan.go.jp/kizuna/2020/three_cs.html)", 50, 330, 309, 7),
        ]
    )
    assert len(split_blocks(source, 10.0)) == 1
    carried = group_lines(
        [
            *_span("Covid-O and commissioned the papers and agendas for their meetings. See also", 50, 500, 300, 7),
            *_span("para 148; INQ000092893_0040 para 5.53", 50, 190, 309, 7),
            *_span("54 INQ000252914_0045 para 197; INQ000263374_0009 para 28a", 50, 300, 318, 7),
        ]
    )
    assert len(split_blocks(carried, 10.0)) == 2


def test_a_paragraph_broken_between_regions_is_one_block() -> None:
    """Text flowing round a box (or down to the foot of a column) goes on in the next region in lower case."""
    beside_box = group_lines(
        [
            *_span("Some agents also find the triggers valuable for opening a dialogue with", 300, 520, 100),
            *_span("clients. In these cases it is especially valuable that the triggers come", 300, 515, 113),
            *_span("from HMRC because the agent can", 300, 472, 126),
        ]
    )
    below = group_lines(
        [
            *_span("communicate this to the client. Some agents also thought the triggers could help", 50, 512, 139),
            *_span("for training new staff.", 50, 160, 152),
        ]
    )
    (block,) = split_regions([beside_box, below], 10.0)
    assert "because the agent can communicate this to the client." in join_lines([line.text for line in block.lines])
    capital = group_lines([*_span("Communicate this to the client as soon as you can.", 50, 330, 139)])
    assert len(split_regions([beside_box, capital], 10.0)) == 2
    fitted = group_lines([*_span("for training new staff.", 50, 160, 139)])  # `for` would have fitted above
    assert len(split_regions([beside_box, fitted], 10.0)) == 2


def test_a_paragraphs_short_last_line_is_not_read_into_the_columns_below() -> None:
    """The last line of a full-width paragraph keeps to the left, like the first column of a table under it."""
    words = [
        *_span("As part of our data mapping work we scoped out the range of organisations that collect", 50, 520, 100),
        *_span("and use data on deaths in inpatient services. The below sets out the organisations and", 50, 515, 113),
        *_span("the data shared with providers or other partners, or", 50, 480, 126),
        *_span("available in the public domain.", 50, 240, 139),
    ]
    for row in range(5):
        words += _span("organisations that collect and use data", 50, 230, 170 + 13 * row)
        words += _span("what is published in the public domain", 280, 520, 170 + 13 * row)
    regions = reading_order(words, 10.0)
    first = " ".join(line.text for line in group_lines(regions[0]))
    assert first.endswith("or available in the public domain.")
    assert len(regions) == 3


def test_a_paragraph_continues_over_a_page_with_a_quotation() -> None:
    """A sentence may run on to the next page starting with an opening quote or bracket."""
    body = "The chair of the modelling group said that the links with the behavioural science group were"
    first = Page(595, 842, tuple(_span(body, 50, 520, 700) + _span("described as", 50, 120, 713)))
    second = Page(
        595,
        842,
        tuple(_span("“non-existent initially”. Collaboration relied upon individuals who sat on both.", 50, 480, 100)),
    )
    document = build_document([first, second])
    assert "were described as “non-existent initially”. Collaboration" in document.text
    assert len([block for block in document.blocks if block.kind == "paragraph"]) == 1


DOUBLE_SPACED = [
    "This report brings together what local teams across the county heard from",
    "residents between April and June. It is the first report written by the teams",
    "themselves, following earlier joint updates with the county's patient services.",
    "The report presents findings from over 130 engagement events delivered by the",
    "ten local teams, reflecting the experiences of 1,789 people across the county.",
]


@pytest.mark.parametrize("pitch", [27.0, 14.4], ids=["double-spaced", "single-spaced"])
def test_lines_join_at_the_document_s_own_line_spacing(pitch: float) -> None:
    """A report set at 2.25 line spacing (a Healthwatch insight report) was stored one line per paragraph: the
    white space between its lines is taller than a line. The document's own leading sets how much is a wrap;
    paragraphs still part where the space is wider than that."""
    baselines = [100 + pitch * (line + 6 * paragraph) for paragraph in range(3) for line in range(5)]
    lines = [_span(text, 50, 545, baseline, 12) for text, baseline in zip(DOUBLE_SPACED * 3, baselines)]
    document = build_document([Page(595, 842, tuple(word for line in lines for word in line))])
    paragraphs = [document.text[block.start : block.end] for block in document.blocks]
    assert paragraphs == [" ".join(DOUBLE_SPACED)] * 3


def _page_continuing_after(floated: list[list[Word]], rest: str) -> LoadedDocument:
    """Page 1 ends mid-sentence; page 2 opens with a floated figure or table, then the sentence's rest."""
    body = "Staff in the community teams told us that the new referral route had shortened the wait for"
    first = Page(595, 842, tuple(_span(body, 50, 520, 700)))
    words = [word for line in floated for word in line]
    second = Page(595, 842, tuple(words + _span(rest, 50, 480, 100 + 20 * len(floated))))
    return build_document([first, second])


def test_a_paragraph_resumes_below_a_floated_chart_and_its_caption() -> None:
    chart = [
        _span("30", 60, 70, 100),
        _span("Waiting | Seen", 100, 300, 120),
        _span("15 Weeks Teams", 60, 160, 140),
        _span("Figure 2: Weeks waited for a first assessment, by team.", 50, 400, 160),
    ]
    document = _page_continuing_after(chart, "a first assessment by several weeks.")
    assert "shortened the wait for a first assessment by several weeks." in document.text


def test_a_paragraph_does_not_resume_inside_a_table_s_notes() -> None:
    table = [
        _span("Team | Weeks | Seen", 50, 300, 100),
        _span("North | 12 | 340", 50, 300, 120),
        _span("Table 2: Waiting times by team, all teams included.", 50, 400, 140),
    ]
    document = _page_continuing_after(table, "excluding teams that were formed in the year.")
    assert "the wait for excluding" not in document.text


MENTAL_HEALTH_REVIEW = Path("/work/extra-docs/dhsc_mental_health_inpatient_data_rapid_review.pdf")


@pytest.mark.skipif(not MENTAL_HEALTH_REVIEW.exists(), reason="the GOV.UK print is not in the repository")
def test_govuk_print_keeps_link_lines_in_their_paragraphs() -> None:
    document = read_pdf(MENTAL_HEALTH_REVIEW.read_bytes())
    _, kind = block_containing(
        document,
        "(see National Confidential Inquiry into Suicide and Safety in Mental Health Annual Report 2023 "
        "(https://sites.manchester.ac.uk/ncish/reports/annual-report-2023/)).",
    )
    assert kind == "paragraph"
    _, kind = block_containing(document, "The remaining percentage were recorded as ‘invalid’[footnote 5].")
    assert kind == "paragraph"


def _char(text: str, x0: float, size: float = 10.0, baseline: float = 100.0, space: bool = False) -> _Char:
    """A character in top-down page coordinates: its box is the baseline plus the font size."""
    return _Char(text, x0, x0 + 0.5 * size, baseline - 0.8 * size, baseline + 0.2 * size, size, 1, False, 0, space)


def _text_of(chars: list[_Char]) -> str:
    return "".join(char.text + (" " if char.space else "") for char in chars)


def test_raised_footnote_marks_are_left_out_of_the_text() -> None:
    body = [_char(c, 10 + 5 * i, space=c == ".") for i, c in enumerate("late.")]
    marks = [_char(c, 40 + 3 * i, size=6.0, baseline=96.0, space=i == 2) for i, c in enumerate("204")]
    after = [_char(c, 60 + 5 * i) for i, c in enumerate("A paper")]
    body[-1].space = False  # the mark follows the full stop directly; the space comes after the mark
    assert _text_of(drop_reference_marks(body + marks + after)) == "late. A paper"


def test_a_mark_set_apart_from_its_full_stop_is_left_out_but_not_a_number_on_the_next_line() -> None:
    body = [_char(c, 10 + 5 * i) for i, c in enumerate("channels.")]
    body[-1].space = True  # the engine put a space between the full stop and the mark ("channels. ³")
    mark = [_char("3", body[-1].x1 + 1.5, size=6.0, baseline=96.0, space=True)]
    after = [_char(c, 70 + 5 * i) for i, c in enumerate("Next")]
    assert _text_of(drop_reference_marks(body + mark + after)) == "channels. Next"
    above = [_char(c, 10 + 3 * i, size=6.0, baseline=20.0) for i, c in enumerate("11/24")]  # a header, lines up
    assert _text_of(drop_reference_marks(body + above)) == "channels. 11/24"


@pytest.mark.parametrize(
    ("mark", "size", "baseline"),
    [
        ("2", 10.0, 100.0),  # same size, same baseline: a number in the text ("Covid-19", "item 2")
        ("2", 6.0, 102.0),  # small but lowered: a subscript (CO2)
    ],
)
def test_numbers_in_running_text_stay(mark: str, size: float, baseline: float) -> None:
    chars = [_char("O", 10), _char(mark, 15, size=size, baseline=baseline)]
    assert _text_of(drop_reference_marks(chars)) == f"O{mark}"


@pytest.mark.parametrize(
    ("text", "footnote"),
    [
        ("1 Figures are provisional and may be revised.", True),
        ("108 ‘Prime Minister’s statement on coronavirus (COVID-19): 16 December 2020’, Prime Minister’s Office", True),
        ("111 | Infected Blood Compensation Authority and Cabinet Office, Full Government Response", True),
        ("∗ Work done while interning at Google Brain.", True),
        ("54x growth in active users", False),
        ("2020 was the year the pandemic began.", False),
        ("12 | 23.5% | 40", False),
        ("In 2020, 12 trusts reported delays.", False),
    ],
)
def test_a_footnote_opens_with_its_reference_mark(text: str, footnote: bool) -> None:
    assert opens_with_reference_mark(text) is footnote
