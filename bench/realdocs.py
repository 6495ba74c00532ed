"""Real documents, per format: ingest them, ask bench/qa_realdocs.jsonl, print quality by format.

Documents: ../shared/realdocs/ plus any folders given with --extra (real public reports fetched for
measuring; they are not committed). For each format it prints citation hit rate, first-citation hit,
abstention on unanswerable questions, answerable questions abstained, the share of cited quotes that
are whole sentences and the share that come from page furniture, and the median quoted characters.

The whole-sentence and furniture checks are independent of the ingest code on purpose:
- whole sentence: the quote starts at the start of the text, after a blank line, a Markdown code fence
  or a bullet marker, or after sentence-ending punctuation with no lower-case first letter; and it ends
  with sentence-ending punctuation (closing quotes, brackets and citation marks such as [4] allowed), or
  ends before a blank line, a bullet or the end of the text and is either at most 150 characters (a
  heading or list label), ends with a whole list item (quoted from its bullet, or a lead-in quoted with
  its items) or is a whole table row (cells joined by " | "): list items and rows often carry no full stop.
  A single line break is a wrap, not a boundary.
- furniture: the quote holds a line that the PDF repeats at the top or bottom of at least three pages
  (digits ignored, so "Page 3 of 40" counts; at least three words and 20 characters), or is a bare
  number, or is a reference-list entry ("^ ..."). A running header that the document also writes inside
  a longer line of its body ("As explained in Chapter 11: Government decision-making, ...") is not
  counted: from text alone a quote of that prose cannot be told from a leaked header.

    .venv/bin/python bench/realdocs.py [--extra /work/extra-docs] [--questions bench/qa_realdocs.jsonl]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation import QAItem, first_hit_rank, load_question_set  # noqa: E402
from assistant.service import EvidenceAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
_SENTENCE_END = re.compile(r"[.!?…][\"'“”‘’)\]]*(?:\[[^\]\n]{1,20}\])*$")  # citation marks may follow: ."[4]
_AFTER_SENTENCE = re.compile(r"[.!?…:;][\"'”’)\]]*(?:\[[^\]\n]{1,20}\])*$")
_LABEL_MAX = 150
_BULLET_LINE = re.compile(r"[ \t]*\n[ \t]*(?:[•◦▪‣●*\-–]|\d{1,2}[.)])[ \t]")
_FENCE = re.compile(r"(?:^|\n)[ \t]*(?:```|~~~)[^\n]*\n$")  # a Markdown code fence's opening line
_ITEM_START = re.compile(r"[ \t]*(?:[•◦▪‣●*\-–]|\d{1,2}[.)])[ \t]")
_FENCE_CLOSE = re.compile(r"[ \t]*\n[ \t]*(?:```|~~~)")
_BULLET_MARKER = re.compile(r"(?<![^\s])(?:[•◦▪‣●*\-–]|\d{1,2}[.)]|#{1,6})[ \t]*$")


def whole_sentence(text: str, start: int, end: int) -> bool:
    """Does text[start:end] begin at a sentence start and end at a sentence end (see module doc)?"""
    before = text[max(0, start - 80) : start].rstrip(" \t")
    unbulleted = _BULLET_MARKER.sub("", before)
    after_bullet = unbulleted != before and (unbulleted.rstrip(" \t").endswith("\n") or unbulleted.strip() == "")
    opens_block = before.endswith("\n\n") or after_bullet or bool(_FENCE.search(before))
    block_start = (before == "" and start <= 80) or opens_block
    after_punctuation = bool(_AFTER_SENTENCE.search(before.rstrip()))
    starts_well = block_start or (after_punctuation and not text[start : start + 1].islower())
    following = text[end : end + 80]
    at_block_end = (
        following.strip() == ""
        or following.lstrip(" \t").startswith("\n\n")
        or _BULLET_LINE.match(following)
        or _FENCE_CLOSE.match(following)
    )
    # a heading or a list label may end unpunctuated at its block's end; a long unpunctuated quote is a fragment
    last_block = text[start:end].rsplit("\n\n", 1)[-1]
    ends_an_item = after_bullet or ("\n\n" in text[start:end] and bool(_ITEM_START.match(last_block)))
    ends_a_row = block_start and " | " in last_block  # a table row quoted to its end: a row has no full stop
    ends_well = bool(_SENTENCE_END.search(text[start:end])) or (
        bool(at_block_end) and (end - start <= _LABEL_MAX or ends_an_item or ends_a_row)
    )
    return starts_well and ends_well


def _fold(line: str) -> str:
    return " ".join(re.sub(r"\d+", "#", line).split()).lower()


def pdf_furniture(data: bytes) -> set[str]:
    """Lines repeated at the top or bottom of ≥ 3 pages of a PDF, digits folded, read with pypdf."""
    from pypdf import PdfReader

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except Exception:
        return set()
    counts: Counter[str] = Counter()
    body: set[str] = set()
    for page in pages:
        lines = [line for line in page.splitlines() if line.strip()]
        counts.update({_fold(line) for line in lines[:2] + lines[-2:]})
        body.update(_fold(line) for line in lines[2:-2])
    # a running header or footer is a phrase, not a table's column label ("Outcome") or "Chapter 3:"
    repeated = {line for line, count in counts.items() if count >= 3 and len(line) >= 20 and len(line.split()) >= 3}
    return {line for line in repeated if not any(line in other and line != other for other in body)}


def from_furniture(quote: str, furniture: set[str]) -> bool:
    folded = _fold(quote)
    if re.fullmatch(r"[#\s]*", folded) or quote.lstrip().startswith("^"):
        return True
    return any(line in folded for line in furniture)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, action="append", default=[], help="another folder of real documents")
    parser.add_argument("--questions", type=Path, default=ROOT / "bench" / "qa_realdocs.jsonl")
    parser.add_argument("--rows", action="store_true", help="print every question's outcome")
    args = parser.parse_args()
    folders = [REALDOCS, *[folder for folder in args.extra if folder.is_dir()]]
    items = load_question_set(args.questions)
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    formats = {raw["id"]: raw.get("format", "?") for raw in (json.loads(line) for line in lines if line.strip())}
    with tempfile.TemporaryDirectory() as home:
        assistant = EvidenceAssistant(Settings(home=Path(home)))
        report = assistant.ingest(folders)
        print(f"ingested {len(report.added)} documents from {', '.join(map(str, folders))} in {report.seconds:.1f} s")
        for failure in report.failed:
            print(f"  failed: {Path(failure['path']).name}: {failure['error']}")
        furniture = {path.name: pdf_furniture(path.read_bytes()) for folder in folders for path in folder.glob("*.pdf")}
        store = assistant.store
        texts = {record.doc_id: store.document_text(record.doc_id) or "" for record in store.documents()}
        assistant.warm_up()
        by_format: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            row = ask(assistant, item, texts, furniture)
            by_format[formats.get(item.id, "?")].append(row)
            by_format["all"].append(row)
            if args.rows:
                print(f"  {item.id} {json.dumps({k: v for k, v in row.items() if k != 'quotes'})}")
    header = ("format", "questions", "hit", "first hit", "unans. abstained", "ans. abstained", "whole sent.",
              "furniture", "median chars")  # fmt: skip
    print(" | ".join(header))
    for name in [*sorted(key for key in by_format if key != "all"), "all"]:
        print(" | ".join(summary(name, by_format[name])))


def ask(
    assistant: EvidenceAssistant, item: QAItem, texts: dict[str, str], furniture: dict[str, set[str]]
) -> dict[str, Any]:
    answer = assistant.ask(item.question)
    cited = [(citation.source, citation.quote) for citation in answer.citations]
    rank = first_hit_rank(item, cited) if item.answerable else None
    quotes = [
        (
            whole_sentence(texts[citation.doc_id], citation.start, citation.end),
            from_furniture(citation.quote, furniture.get(citation.source, set())),
        )
        for citation in answer.citations
    ]
    return {
        "answerable": item.answerable,
        "abstained": answer.abstained,
        "hit": rank is not None,
        "first": rank == 1,
        "quotes": quotes,
        "chars": sum(len(citation.quote) for citation in answer.citations),
        "bad_quotes": [c.quote[:80] for c, (whole, furn) in zip(answer.citations, quotes) if not whole or furn],
    }


def summary(name: str, rows: list[dict[str, Any]]) -> list[str]:
    answerable = [row for row in rows if row["answerable"]]
    unanswerable = [row for row in rows if not row["answerable"]]
    quotes = [quote for row in rows for quote in row["quotes"]]

    def share(values: list[bool]) -> str:
        return f"{sum(values) / len(values):.3f}" if values else "n/a"

    chars = [row["chars"] for row in rows if not row["abstained"]]
    return [
        name,
        f"{len(answerable)}+{len(unanswerable)}",
        share([row["hit"] for row in answerable]),
        share([row["first"] for row in answerable]),
        share([row["abstained"] for row in unanswerable]),
        str(sum(row["abstained"] for row in answerable)),
        share([whole for whole, _ in quotes]),
        share([furn for _, furn in quotes]),
        f"{statistics.median(chars):.0f}" if chars else "n/a",
    ]


if __name__ == "__main__":
    main()
