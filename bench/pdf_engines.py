"""Which PDF engine gives clean logical text: figures side by side, on the real PDFs and a report-style PDF.

    .venv/bin/python bench/pdf_engines.py [--repeat N] [--extra PDF ...]

Documents: react_paper.pdf, sample_pdf_1.pdf and sample_pdf_2.pdf from ../shared/realdocs, plus the
five-page regulator-style report that tests/unit/test_pdf_loader.py generates (running header and footer,
headings, bullets, a table, a footnote, hyphenated line ends, a paragraph across a page break, two columns).

Engines (all permissive licences; PyMuPDF is AGPL and left out):
  (a) pypdf        page.extract_text()                                    BSD-3
  (b) pypdf-layout page.extract_text(extraction_mode="layout")            BSD-3
  (c) pdfplumber   page.extract_text() (pdfminer.six, x_tolerance=3)      MIT
  (d) plumber-x1   page.extract_text(x_tolerance=1): pdfplumber tuned for tight word spacing
  (e) pdfium       pypdfium2 textpage.get_text_range()                    Apache-2.0 / BSD-3
  (f) ours         ingest.pdf.read_pdf: PDFium characters + our layout (columns, blocks, furniture, hyphens)
  (g) pdftotext    poppler, GPL: a reference only, when installed (apt-get install poppler-utils)

Figures per engine (probe strings are whitespace-folded before matching; higher is better unless noted):
  order      share of probe sentences found whole: sentences that wrap, cross a page break, or sit in one
             column of a two-column page (a reader that interleaves columns or glues furniture in fails);
  hyphen     share of words broken at a line end found joined (`Con-`/`sider` -> `Consider`);
  compound   share of real compounds broken at their hyphen found with the hyphen (`prompt-`/`based`);
  ligature   count of ligature characters (U+FB00-FB06) left in the text (lower is better);
  furniture  running headers/footers and page numbers met in the body text, of those printed (lower is
             better; for (f) only those outside furniture blocks count, for the others every occurrence);
  font       whether the engine exposes font size and name per character (heading detection needs it);
  headings   share of known headings found as heading blocks (only a reader that makes blocks has any);
  s/page     seconds per page, all documents, best of --repeat runs.

--extra PDF ...: further PDFs (say public bodies' reports) timed only, one run each: seconds per page.
"""

from __future__ import annotations

import argparse
import io
import logging
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.pdf import read_pdf  # noqa: E402
from tests.unit.test_pdf_loader import (  # noqa: E402
    REPORT_FOOTER,
    REPORT_HEADER,
    REPORT_LEFT_COLUMN,
    REPORT_PAGES,
    REPORT_RIGHT_COLUMN,
    REPORT_SPLIT_SENTENCE,
    make_report_pdf,
)

REALDOCS = ROOT.parent / "shared" / "realdocs"
LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"


@dataclass
class Probes:
    order: list[str] = field(default_factory=list)
    hyphen: list[str] = field(default_factory=list)
    compound: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)  # strings printed as running header/footer/page number
    headings: list[str] = field(default_factory=list)  # text of the document's real headings


PROBES: dict[str, Probes] = {
    "react_paper.pdf": Probes(
        order=[
            "This tight synergy between “acting” and “reasoning” allows humans to learn new tasks quickly and "
            "perform robust decision making or reasoning, even under previously unseen circumstances or facing "
            "information uncertainties.",
            "On one hand, properly prompted large language models (LLMs) have demonstrated emergent capabilities to "
            "carry out several steps of reasoning traces to derive answers from questions in arithmetic, "
            "commonsense, and symbolic reasoning tasks (Wei et al., 2022).",
            "Action: think[For 3 ounce bottle of bright citrus deodorant for sensitive skin, the item has options "
            "’bright citrus’ and ’3 ounce (pack of 1)’ and seems good to buy.]",
            "Action: think[For sixteen pack of apple cinnamon freeze dried banana chips, the item has options ’apple "
            "cinnamon’ and ’0.53 ounce (pack of 16)’ and seems good to buy.]",
            "Back to Search Prev flavor name [asian pear][banana][fuji apple & cinnamon][strawberry banana] "
            "Brothers-ALL-Natural Fruit Crisps, Strawberry Banana, 0.42 Ounce (Pack of 100) Price: $85.0 Rating: N.A.",
            "We provide some trajectories produced by ReAct, CoTand Acton several randomly selected examples from the "
            "FEVER dev set below.",
        ],
        hyphen=[
            "(Baddeley, 1992). Consider the example",
            "Neuropsychologia, 3(4)",
            "Online, November 2020",
            "Kory Mathewson,",
            "Aakanksha Chowdhery, and Denny Zhou",
            "Retrieval-augmented generation for knowledge-intensive",
            "Association for Computational Linguistics. doi: 10.18653/v1/P19-1346",
        ],
        compound=[
            "competitive with chain-of-thought reasoning (CoT)",
            "a novel prompt-based paradigm",
            "weaker than state-of-the-art lexical",
            "critical. Non-informative search results",
            "using PaLM-540B as the base model",
        ],
        headings=[
            "ABSTRACT",
            "1 INTRODUCTION",
            "3 KNOWLEDGE-INTENSIVE REASONING TASKS",
            "3.1 SETUP",
            "3.3 RESULTS AND OBSERVATIONS",
            "5 RELATED WORK",
            "6 CONCLUSION",
            "REFERENCES",
            "A.1 HOTPOTQA",
            "B.2 ALFWORLD TRAJECTORIES",
            "D HOTPOTQA FINETUNING DETAILS",
        ],
    ),
    "sample_pdf_1.pdf": Probes(
        order=[
            "Format (PDF) Adobe Systems made the PDF specification available free of charge in 1993.",
            "In 2008, Adobe published a Public Patent License to ISO 32000-1 granting royalty-free rights for all "
            "patents owned by Adobe that are necessary to make, use, sell, and distribute PDF-compliant "
            "implementations.",
        ],
        furniture=["Page 2 of Sample PDF", "Page 4 of Sample PDF"],
    ),
    "sample_pdf_2.pdf": Probes(
        order=[
            'Ward Cunningham, the developer of the first wiki software, WikiWikiWeb, originally described wiki as "the '
            'simplest online database that could possibly work."[4]',
            "A wiki engine, being a form of a content management system, differs from other web-based systems such as "
            "blog software,",
        ],
        compound=["which are usually well-interconnected by hyperlinks"],
        furniture=["This is a header."] * 3 + ["Page 2 of 4", "Page 3 of 4", "Page 4 of 4"],
    ),
    "report (generated)": Probes(
        order=[REPORT_SPLIT_SENTENCE, REPORT_LEFT_COLUMN, REPORT_RIGHT_COLUMN],
        hyphen=["the biggest barrier to the development of community services"],
        compound=["that well-known problems with retention"],
        headings=["1. Summary", "Key findings", "2. Adult social care", "2.1 Workforce", "4. What happens next"],
        furniture=[REPORT_HEADER] * (REPORT_PAGES - 1)
        + [REPORT_FOOTER] * (REPORT_PAGES - 1)
        + [f"Page {n} of {REPORT_PAGES}" for n in range(2, REPORT_PAGES + 1)],
    ),
}


@dataclass
class Output:
    text: str  # the text a user would read
    body: str  # the text outside furniture blocks (same as text for engines without blocks)
    headings: list[str] | None = None  # heading blocks, for a reader that finds them


def quiet() -> None:
    """The engines' own log lines ("Rotated text discovered", "CropBox missing") are noise here."""
    for name in ("pypdf", "pdfminer", "pdfplumber", "pypdfium2"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def pypdf_plain(data: bytes) -> Output:
    from pypdf import PdfReader

    text = "\n\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return Output(text, text)


def pypdf_layout(data: bytes) -> Output:
    from pypdf import PdfReader

    text = "\n\n".join(page.extract_text(extraction_mode="layout") or "" for page in PdfReader(io.BytesIO(data)).pages)
    return Output(text, text)


def plumber(data: bytes, x_tolerance: float = 3) -> Output:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = "\n\n".join(page.extract_text(x_tolerance=x_tolerance) or "" for page in pdf.pages)
    return Output(text, text)


def pdfium(data: bytes) -> Output:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    parts = []
    for page in document:
        textpage = page.get_textpage()
        parts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    text = "\n\n".join(parts).replace("\r\n", "\n").replace("\ufffe", "-").replace("\x02", "-")
    return Output(text, text)


def ours(data: bytes) -> Output:
    document = read_pdf(data)
    body = "\n\n".join(document.text[b.start : b.end] for b in document.blocks if b.kind != "furniture")
    headings = [document.text[b.start : b.end] for b in document.blocks if b.kind == "heading"]
    return Output(document.text, body, headings)


def pdftotext(data: bytes) -> Output:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        text = subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True, text=True).stdout
    return Output(text, text)


ENGINES: list[tuple[str, Callable[[bytes], Output], str]] = [
    ("pypdf", pypdf_plain, "no"),
    ("pypdf-layout", pypdf_layout, "no"),
    ("pdfplumber", plumber, "yes"),
    ("plumber-x1", lambda data: plumber(data, 1), "yes"),
    ("pdfium", pdfium, "yes"),
    ("ours", ours, "yes"),
]
if shutil.which("pdftotext"):
    ENGINES.append(("pdftotext*", pdftotext, "no"))


def fold(text: str) -> str:
    return " ".join(text.split())


def share(found: int, total: int) -> str:
    return f"{found}/{total}" if total else "-"


def pages_of(data: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="timing runs per engine and document (best is kept)")
    parser.add_argument("--extra", nargs="*", type=Path, default=[], help="more PDFs to time (no probes)")
    args = parser.parse_args()
    quiet()

    documents: dict[str, bytes] = {name: (REALDOCS / name).read_bytes() for name in PROBES if name.endswith(".pdf")}
    documents["report (generated)"] = make_report_pdf()
    total_pages = sum(pages_of(data) for data in documents.values())
    print(f"{len(documents)} documents, {total_pages} pages; probe counts are found/total over all documents\n")

    header = (
        f"{'engine':<13} {'order':>7} {'hyphen':>7} {'compound':>9} {'ligature':>9} {'furniture':>10} {'font':>5}"
        f" {'headings':>9}"
    )
    print(header + f" {'s/page':>8}")
    print("-" * (len(header) + 9))
    per_document: list[str] = []
    for name, engine, font in ENGINES:
        counts = {"order": [0, 0], "hyphen": [0, 0], "compound": [0, 0], "furniture": [0, 0], "headings": [0, 0]}
        ligatures = 0
        seconds = 0.0
        for document, data in documents.items():
            best = float("inf")
            output = Output("", "")
            for _ in range(max(args.repeat, 1)):
                started = time.perf_counter()
                output = engine(data)
                best = min(best, time.perf_counter() - started)
            seconds += best
            text, body = fold(output.text), fold(output.body)
            probes = PROBES[document]
            row = []
            for kind in ("order", "hyphen", "compound"):
                wanted: list[str] = getattr(probes, kind)
                found = sum(fold(probe) in text for probe in wanted)
                counts[kind][0] += found
                counts[kind][1] += len(wanted)
                row.append(f"{kind} {share(found, len(wanted))}")
            leaked = min(sum(body.count(probe) for probe in set(probes.furniture)), len(probes.furniture))
            counts["furniture"][0] += leaked
            counts["furniture"][1] += len(probes.furniture)
            if output.headings is not None:
                counts["headings"][0] += sum(heading in output.headings for heading in probes.headings)
                counts["headings"][1] += len(probes.headings)
            ligatures += sum(output.text.count(char) for char in LIGATURES)
            per_document.append(f"  {name:<13} {document:<20} {best:6.2f}s  " + "  ".join(row))
        figures = [share(*counts[kind]) for kind in ("order", "hyphen", "compound")]
        print(
            f"{name:<13} {figures[0]:>7} {figures[1]:>7} {figures[2]:>9} {ligatures:>9} "
            f"{share(*counts['furniture']):>10} {font:>5} {share(*counts['headings']):>9} {seconds / total_pages:>8.4f}"
        )
    print("\n* GPL, shown as a reference only.\n\nPer document (best time):")
    print("\n".join(per_document))
    for path in args.extra:
        data = path.read_bytes()
        pages = pages_of(data)
        print(f"\n{path.name} ({pages} pages), seconds per page:")
        for name, engine, _ in ENGINES:
            started = time.perf_counter()
            engine(data)
            print(f"  {name:<13} {(time.perf_counter() - started) / pages:.4f}")


if __name__ == "__main__":
    main()
