"""Answer quality on every public question set, one table with a pooled row. Prints figures; asserts nothing.

Sets: ../shared/eval/qa_dev.jsonl and the blind held-out sets bench/qa_heldout*.jsonl (over the CQC
corpus), ../shared/eval/squad (its 8 articles), bench/qa_realdocs.jsonl (over ../shared/realdocs
plus any --extra folders of real reports: bench/qa_realdocs_sources.txt says where they come from) and,
given --blind folders, bench/qa_realdocs_blind.jsonl (written blind by a helper over five more reports:
bench/qa_realdocs_blind_sources.txt), given --reports folders, bench/qa_realdocs_reports.jsonl (five
more public-body reports, questions written by a helper: bench/qa_realdocs_reports_sources.txt) and, given
--mixed, --mixed2, --mixed3 and --mixed4 folders, bench/qa_realdocs_mixed*.jsonl (web pages, Word
files and unusual PDFs, questions written by helpers: bench/qa_realdocs_mixed*_sources.txt). Each corpus is
ingested once into a temporary store.

    .venv/bin/python bench/answer_sets.py [--extra /work/extra-docs] [--blind /work/extra-docs2]
        [--reports /work/extra-docs3] [--mixed /work/extra-docs5] [--mixed2 /work/extra-docs6]
        [--mixed3 /work/extra-docs7] [--mixed4 /work/extra-docs8] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation import evaluate, load_question_set  # noqa: E402
from assistant.service import EvidenceAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

SHARED = ROOT.parent / "shared"
COLUMNS = ("questions", "citation_hit_rate", "first_citation_hit_rate", "abstention_accuracy",
           "answerable_abstained", "citation_validity", "quoted_chars_median", "latency_ms_p50")  # fmt: skip


OPTIONAL_SETS = {  # flag -> (question set in bench/, what its folders hold): run only when given folders
    "blind": ("qa_realdocs_blind.jsonl", "documents of the blind set"),
    "reports": ("qa_realdocs_reports.jsonl", "documents of the reports set"),
    "mixed": ("qa_realdocs_mixed.jsonl", "documents of the mixed-format set"),
    "mixed2": ("qa_realdocs_mixed2.jsonl", "documents of the second mixed-format set"),
    "mixed3": ("qa_realdocs_mixed3.jsonl", "documents of the third mixed-format set"),
    "mixed4": ("qa_realdocs_mixed4.jsonl", "documents of the fourth mixed-format set"),
}


def corpora(
    extra: Sequence[Path], optional: Mapping[str, Sequence[Path]] | None = None
) -> list[tuple[str, list[Path], list[Path]]]:
    """(name, document folders, question sets) for every public corpus that is present; `optional` gives the
    folders of OPTIONAL_SETS by name."""
    found = [
        (
            "cqc",
            [SHARED / "corpus"],
            [SHARED / "eval" / "qa_dev.jsonl", *sorted((ROOT / "bench").glob("qa_heldout*.jsonl"))],
        ),
        ("squad", [SHARED / "eval" / "squad" / "docs"], [SHARED / "eval" / "squad" / "qa_squad_public.jsonl"]),
        ("realdocs", [SHARED / "realdocs", *extra], [ROOT / "bench" / "qa_realdocs.jsonl"]),
    ]
    for name, (questions, _) in OPTIONAL_SETS.items():
        folders = (optional or {}).get(name, ())
        found.append((name, [SHARED / "realdocs", *folders] if folders else [], [ROOT / "bench" / questions]))
    return [
        (name, [f for f in folders if f.is_dir()], [s for s in sets if s.is_file()]) for name, folders, sets in found
    ]


def pooled(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Question-weighted means over every set's per-question rows."""
    answerable = [row for row in rows if row["answerable"]]
    unanswerable = [row for row in rows if not row["answerable"]]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    quoted = sorted(row["quoted_chars"] for row in rows if not row["abstained"])
    latencies = sorted(row["ms"] for row in rows)
    return {
        "questions": len(rows),
        "citation_hit_rate": mean([float(row["cited"]) for row in answerable]),
        "first_citation_hit_rate": mean([float(row["first_cited"]) for row in answerable]),
        "abstention_accuracy": mean([float(row["abstained"]) for row in unanswerable]),
        "answerable_abstained": sum(row["abstained"] for row in answerable),
        "citation_validity": None,
        "quoted_chars_median": float(quoted[len(quoted) // 2]) if quoted else 0.0,
        "latency_ms_p50": latencies[len(latencies) // 2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, action="append", default=[], help="more real documents (realdocs set)")
    for name, (_, what) in OPTIONAL_SETS.items():
        parser.add_argument(f"--{name}", type=Path, action="append", default=[], help=what)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    table: list[tuple[str, dict[str, Any]]] = []
    every_row: list[dict[str, Any]] = []
    for name, folders, sets in corpora(args.extra, {name: getattr(args, name) for name in OPTIONAL_SETS}):
        if not folders or not sets:
            continue
        with tempfile.TemporaryDirectory() as home:
            assistant = EvidenceAssistant(Settings(home=Path(home)))
            report = assistant.ingest(folders)
            print(
                f"{name}: {len(report.added)} documents, {report.chunks} chunks, {report.seconds:.1f} s",
                file=sys.stderr,
            )
            assistant.warm_up()
            for path in sets:
                result = evaluate(load_question_set(path), assistant.ask, assistant.store.document_text)
                table.append((path.stem, result["metrics"]))
                every_row.extend(result["rows"])
    table.append(("pooled", pooled(every_row)))
    if args.json:
        print(json.dumps(dict(table)))
        return
    print(" | ".join(("set", *COLUMNS)))
    for name, metrics in table:
        print(" | ".join((name, *(_show(metrics.get(column)) for column in COLUMNS))))


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.0f}"
    return "–" if value is None else str(value)


if __name__ == "__main__":
    main()
