"""Which HTML reader keeps a web page's main content and nothing else: figures side by side.

    .venv/bin/python bench/html_extractors.py [--pages DIR]

Pages: the two real pages in ../shared/realdocs (probes below), plus every page named in DIR/probes.json
(default /tmp/htmlbench/pages; pages fetched for measuring only, never copied into the repository). A probe
file maps a page's file name to {"title", "body": [...], "furniture": [...], "headings": [[level, text], ...]}.

Readers:
  (a) rules     the previous hand-rule loader (ingest.loaders._read_html), if it is still there;
  (b) trafilatura  trafilatura.extract(favor_recall, include_tables, XML output) turned into blocks;
  (c) readability  readability-lxml's summary() node walked by our block walk;
  (d) justext      jusText's non-boilerplate paragraphs (headings and list items kept as such);
  (e) ours-rules   ingest.html without trafilatura: landmark + furniture rules + block walk;
  (f) ours-nolm    (e), and trafilatura decides only on pages without a landmark;
  (g) ours-always  (e), and trafilatura decides on every page;
  (h) ours         ingest.html as shipped: (f), and inside a landmark trafilatura may veto only pieces that
                   are not prose (short or link-heavy), so a lead paragraph it dislikes is kept.

With --suite DIR (a folder of <page>/source.html + expected.html, e.g. the test pages of mozilla/readability,
fetched for measuring only), also: the share of each expected.html paragraph (<p> of 80+ characters, footnote
markers removed) found whole in the reader's text, over every page: a large-sample recall figure. Readability's
expected output keeps reference lists and some furniture, so it says nothing about precision, and (c) is a port
of the same algorithm, which flatters it.

Figures per reader (mean over pages, worst page in brackets):
  body      share of known main-content sentences found whole in the text (whitespace folded);
  furniture share of known furniture / reference / marker strings found anywhere in the text (lower is better);
  headings  share of known headings found as heading blocks with the right text (level ignored: (d) has none);
  levels    share of known headings found with the right level too;
  title     pages whose title is exactly right;  ms  mean time per page.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.etree  # noqa: E402
import lxml.html  # noqa: E402

from ingest import html as ours  # noqa: E402
from ingest.structure import LoadedDocument, LoadError  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
DEFAULT_PAGES = Path("/tmp/htmlbench/pages")

REAL_PROBES: dict[str, dict] = {
    "what_is_haystack.html": {
        "title": "What is Haystack?",
        "body": [
            "Haystack is the open source Python framework by deepset for building custom apps with large language "
            "models (LLMs).",
            "It lets you quickly try out the latest models in natural language processing (NLP) while being flexible "
            "and easy to use.",
            "This is just a small subset of the kinds of systems that can be created in Haystack.",
            "A successful NLP project requires more than just the language models.",
            "Haystack uses a few simple but effective concepts to help you build fully functional and customized "
            "end-to-end NLP systems.",
            "A single component is already quite powerful.",
            "You can chain components together to build pipelines, which are the foundation of the NLP app "
            "architecture in Haystack.",
            "The Haystack Agent makes use of a large language model to resolve complex tasks.",
            "You don’t need to understand how the models work under the hood.",
            "We also organize live online and in-person events, webinars, and office hours, which are an opportunity "
            "to learn and grow.",
            "Create dynamic templates for LLM prompting",
            "Tooling for fine-tuning a pre-trained language model",
        ],
        "furniture": [
            "Quick Start",
            "Use Cases",
            "Roadmap",
            "NLP Resources",
            "PromptHub",
            "Get Started",
            "Hacktoberfest",
            "GitHub Discussions",
            "Open NLP Meetup",
            "Sign up for community updates",
            "By submitting my email",
            "Building a semantic layer",
            "© 2023 deepset GmbH",
            "Imprint",
            "Join Discord",
            "deepset Blog",
            "Jobs",
            "Benchmarks",
        ],
        "headings": [
            [1, "What is Haystack?"],
            [2, "Building with Haystack"],
            [2, "Functionality for all stages of an NLP project"],
            [2, "Building blocks"],
            [3, "Components"],
            [3, "Pipelines"],
            [3, "Agents"],
            [2, "Who’s it for?"],
            [2, "Our community"],
            [2, "Enter the Haystack universe"],
        ],
    },
    "paul_graham_superlinear.html": {
        "title": "Superlinear Returns",
        "body": [
            "One of the most important things I didn't understand about the world when I was a child is the degree "
            "to which the returns for performance are superlinear.",
            "Teachers and coaches implicitly told us the returns were linear.",
            "You can't understand the world without understanding the concept of superlinear returns.",
            "Even after decades of thinking about this, I find that sentence startling.",
            "Y Combinator encourages founders to focus on growth rate rather than absolute numbers.",
            "Are there general rules for finding situations with superlinear returns? The most obvious one is to seek "
            "work that compounds.",
            "This is one reason Silicon Valley is so tolerant of failure.",
            "Fame is an interesting example of a phenomenon that combines both sources of superlinear returns.",
            "The territory of superlinear returns is by no means static.",
            "In all of these, the rich get richer.",
            "Thanks to Trevor Blackwell, Patrick Collusion, Tyler Cowen, Jessica Livingston, Harj Taggar, and Garry "
            "Tan for reading drafts of this.",
        ],
        # the page has no menus or footer in text; its furniture is the inline note markers
        "furniture": [
            "richer. [1]",
            "effect. [2]",
            "slightly better. [3]",
            "the shape. [4]",
            "made one. [5]",
            "audiences. [6]",
            "find out. [7]",
            "ideologies. [8]",
            "work on it. [9]",
            "attention to. [10]",
            "combined. [11]",
            "as well. [12]",
        ],
        "headings": [],
    },
}


@dataclass
class Reading:
    text: str
    title: str
    headings: list[tuple[int, str]]


def from_document(markup: str, read: Callable[[str], LoadedDocument]) -> Reading:
    document = read(markup)
    text = document.text
    headings = [(b.level, text[b.start : b.end]) for b in document.blocks if b.kind == "heading"]
    return Reading(text, document.title, headings)


def read_rules(markup: str) -> Reading:
    from ingest.loaders import _read_html  # the previous loader; gone once ingest/html.py replaces it

    return from_document(markup, lambda m: _read_html(Path("page.html"), m.encode("utf-8")))


def read_trafilatura(markup: str) -> Reading:
    import trafilatura

    xml = trafilatura.extract(
        markup,
        output_format="xml",
        favor_recall=True,
        include_tables=True,
        include_comments=False,
        include_links=False,
        include_images=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=True,
    )
    if not xml:
        return Reading("", "", [])
    root = lxml.etree.fromstring(xml.encode("utf-8"))
    pieces: list[tuple[str, int, str]] = []

    def text_of(element: lxml.etree._Element) -> str:
        return " ".join("".join(element.itertext()).split())

    def convert(element: lxml.etree._Element) -> None:
        for child in element:
            tag = child.tag
            if tag == "head":
                match = re.match(r"h(\d)", child.get("rend", ""))
                pieces.append(("heading", int(match.group(1)) if match else 2, text_of(child)))
            elif tag in ("p", "code"):
                pieces.append(("paragraph", 0, text_of(child)))
            elif tag == "list":
                for item in child:
                    nested = [sub for sub in item if sub.tag == "list"]
                    for sub in nested:
                        item.remove(sub)
                    pieces.append(("bullet", 0, text_of(item)))
                    for sub in nested:
                        convert_list(sub)
            elif tag == "table":
                for row in child.iter("row"):
                    cells = row.findall("cell")
                    if any(cell.find("p") is not None or cell.find("list") is not None for cell in cells):
                        for cell in cells:
                            convert(cell)
                    else:
                        joined = " | ".join(t for t in (text_of(cell) for cell in cells) if t)
                        if joined:
                            pieces.append(("paragraph", 0, joined))
            else:
                convert(child)

    def convert_list(element: lxml.etree._Element) -> None:
        wrapper = lxml.etree.Element("wrap")
        wrapper.append(element)
        convert(wrapper)

    main = root.find("main")
    convert(main if main is not None else root)
    text = "\n\n".join(p[2] for p in pieces if p[2])
    return Reading(text, root.get("title") or "", [(p[1], p[2]) for p in pieces if p[0] == "heading"])


def read_readability(markup: str) -> Reading:
    from readability import Document

    document = Document(markup)
    node = lxml.html.fromstring(document.summary(html_partial=True))
    ours._drop_inert(node)
    pieces = list(ours._walk(node))
    text = "\n\n".join(p.text for p in pieces)
    return Reading(text, document.short_title(), [(p.level, p.text) for p in pieces if p.kind == "heading"])


def read_justext(markup: str) -> Reading:
    import justext

    paragraphs = [p for p in justext.justext(markup.encode("utf-8"), justext.get_stoplist("English"))
                  if not p.is_boilerplate]  # fmt: skip
    headings = []
    for paragraph in paragraphs:
        if paragraph.is_heading:
            match = re.search(r"h(\d)(?:\[\d+\])?$", paragraph.dom_path)
            headings.append((int(match.group(1)) if match else 0, " ".join(paragraph.text.split())))
    return Reading("\n\n".join(p.text for p in paragraphs), "", headings)


def read_ours(classifier: ours.Classifier) -> Callable[[str], Reading]:
    return lambda markup: from_document(markup, lambda m: ours._read(m, classifier))


READERS: dict[str, Callable[[str], Reading]] = {
    "(a) rules": read_rules,
    "(b) trafilatura": read_trafilatura,
    "(c) readability": read_readability,
    "(d) justext": read_justext,
    "(e) ours-rules": read_ours("never"),
    "(f) ours-nolm": read_ours("no-landmark"),
    "(g) ours-always": read_ours("always"),
    "(h) ours": read_ours("auto"),
}


def fold(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Score:
    body: float
    furniture: float
    headings: float
    levels: float
    title: bool
    ms: float


def score(reading: Reading, probes: dict, ms: float) -> Score:
    text = fold(reading.text)
    body = [fold(sentence) in text for sentence in probes["body"]]
    furniture = [item in text for item in probes["furniture"]]
    found = {fold(heading) for _, heading in reading.headings}
    found_levels = {(level, fold(heading)) for level, heading in reading.headings}
    expected = probes["headings"]
    headings = [fold(heading) in found for _, heading in expected]
    levels = [(level, fold(heading)) in found_levels for level, heading in expected]
    return Score(
        body=sum(body) / len(body),
        furniture=sum(furniture) / len(furniture),
        headings=sum(headings) / len(headings) if expected else 1.0,
        levels=sum(levels) / len(levels) if expected else 1.0,
        title=reading.title == probes["title"],
        ms=ms,
    )


def load_pages(pages_dir: Path) -> list[tuple[str, str, dict]]:
    pages = [(name, (REALDOCS / name).read_text(encoding="utf-8"), probes) for name, probes in REAL_PROBES.items()]
    probe_file = pages_dir / "probes.json"
    if probe_file.is_file():
        for name, probes in json.loads(probe_file.read_text(encoding="utf-8")).items():
            path = pages_dir / name
            if path.is_file():
                pages.append((name, path.read_bytes().decode("utf-8", errors="replace"), probes))
    return pages


MARKER = re.compile(r"\[(?:\d{1,3}|[a-z]|citation needed|clarification needed)\]|[\u00ad\u200b-\u200d\u2060]")


def suite_pages(suite: Path) -> list[tuple[str, str, list[str]]]:
    """(name, markup, expected paragraphs) for every page of a readability-style test suite."""
    pages = []
    for folder in sorted(path for path in suite.iterdir() if (path / "expected.html").is_file()):
        expected = lxml.html.fromstring((folder / "expected.html").read_bytes().decode("utf-8", errors="replace"))
        paragraphs = [fold(MARKER.sub("", p.text_content())) for p in expected.iter("p")]
        paragraphs = [p for p in paragraphs if len(p) >= 80]
        if paragraphs:
            markup = (folder / "source.html").read_bytes().decode("utf-8", errors="replace")
            pages.append((folder.name, markup, paragraphs))
    return pages


def run_suite(suite: Path) -> None:
    pages = suite_pages(suite)
    print(f"\n{suite}: {len(pages)} pages with expected paragraphs\n")
    print(f"{'reader':17} {'recall %':>9} {'pages < 80%':>12} {'failed':>7} {'ms/page':>8}")
    for reader_name, reader in READERS.items():
        recalls, failed, times = [], 0, []
        for _, markup, paragraphs in pages:
            start = time.perf_counter()
            try:
                text = fold(MARKER.sub("", reader(markup).text))
            except Exception:  # a reader that crashes on a page scores nothing there
                text, failed = "", failed + 1
            times.append((time.perf_counter() - start) * 1000)
            recalls.append(sum(p in text for p in paragraphs) / len(paragraphs))
        low = sum(r < 0.8 for r in recalls)
        print(
            f"{reader_name:17} {statistics.mean(recalls) * 100:9.1f} {low:>12} {failed:>7}"
            f" {statistics.mean(times):8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="folder with probes.json and its pages")
    parser.add_argument("--detail", action="store_true", help="also print every page's figures")
    parser.add_argument("--suite", type=Path, help="folder of <page>/source.html + expected.html (readability's)")
    args = parser.parse_args()
    pages = load_pages(args.pages)
    print(f"{len(pages)} pages: {', '.join(name for name, _, _ in pages)}\n")
    results: dict[str, list[Score]] = {}
    for reader_name, reader in READERS.items():
        scores = []
        for _, markup, probes in pages:
            reader(markup)  # warm-up: imports and lazy initialisation are not timed
            start = time.perf_counter()
            try:
                reading = reader(markup)
            except (LoadError, ImportError):
                reading = Reading("", "", [])
            scores.append(score(reading, probes, (time.perf_counter() - start) * 1000))
        results[reader_name] = scores

    def cell(values: list[float], worst: Callable[[list[float]], float]) -> str:
        return f"{statistics.mean(values) * 100:5.1f} ({worst(values) * 100:5.1f})"

    header = f"{'reader':17} {'body % (min)':>14} {'furniture % (max)':>18} {'headings %':>14} {'levels %':>14}"
    print(header + f" {'title':>6} {'ms/page':>8}")
    for reader_name, scores in results.items():
        print(
            f"{reader_name:17} {cell([s.body for s in scores], min):>14} {cell([s.furniture for s in scores], max):>18}"
            f" {cell([s.headings for s in scores], min):>14} {cell([s.levels for s in scores], min):>14}"
            f" {sum(s.title for s in scores):>3}/{len(scores):<2} {statistics.mean(s.ms for s in scores):8.1f}"
        )
    if args.detail:
        for index, (name, _, _) in enumerate(pages):
            print(f"\n{name}")
            for reader_name, scores in results.items():
                s = scores[index]
                print(
                    f"  {reader_name:17} body {s.body * 100:5.1f}  furniture {s.furniture * 100:5.1f}"
                    f"  headings {s.headings * 100:5.1f}  levels {s.levels * 100:5.1f}  title {int(s.title)}"
                    f"  {s.ms:7.1f} ms"
                )
    if args.suite:
        run_suite(args.suite)


if __name__ == "__main__":
    main()
