"""Fit the abstention model (assistant/abstention.py) on every public labelled question set, and compare it.

For each question the real pipeline runs up to the evidence (resolve -> passages ->
score_evidence, as EvidenceAssistant.ask does); the model's features come from the shipped
`assistant.abstention.features`. Logistic regression (L2, standardised features, Newton's method) is
evaluated leave-one-corpus-out (fit on two corpora, test on the third) and by pooled 5-fold
cross-validation (repeated); each fold's decision threshold is the highest that keeps the training
folds' answerable questions abstained within the budget (5 %), counting the questions the hand rules
already leave without evidence. Rows: the old hand-set rule (hand rules + 0.35), the model alone, the
model with each hand rule kept, alternative labels. Columns: unanswerable abstained / answerable
abstained / citation hit rate, per corpus and pooled.

    .venv/bin/python bench/fit_abstention.py [--home realdocs=/tmp/rd_home] [--extra /work/extra-docs]
        [--cache /tmp/abstention.pkl] [--write]

`--home NAME=PATH` uses an already-ingested store (a copy of it: the original is never opened);
other corpora are ingested into temporary stores. `--write` refits on everything and writes
assistant/abstention.json.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from answer_sets import corpora  # noqa: E402

from assistant.abstention import FEATURES, MODEL_FILE, AbstentionModel, features  # noqa: E402
from assistant.answering import (  # noqa: E402
    Evidence,
    answer_type,
    has_answer_type,
    mentions,
    mentions_numbers,
    question_entities,
    quoted_answer,
)
from assistant.conversation import resolve  # noqa: E402
from assistant.evaluation import QAItem, first_hit_rank, load_question_set  # noqa: E402
from assistant.retrieval import Passage  # noqa: E402
from assistant.service import EvidenceAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402

CORPORA = ("cqc", "squad", "realdocs")
SHIPPED_RULES = ("kind", "names", "numbers")
SHIPPED_FEATURES = ("best",)
OLD_THRESHOLD = 0.35
BUDGET = 0.05  # answerable questions abstained, as a share of answerable questions
L2 = 3.0
CV_FOLDS, CV_REPEATS = 5, 5


@dataclass
class Record:
    corpus: str
    set: str
    item: QAItem
    passages: list[Passage]
    evidence: list[Evidence]

    @property
    def gold_retrieved(self) -> bool:
        retrieved = [(p.chunk.source, p.chunk.text) for p in self.passages]
        return self.item.answerable and first_hit_rank(self.item, retrieved) is not None


# --- collecting -----------------------------------------------------------------------------
def collect(homes: dict[str, Path], extra: list[Path]) -> list[Record]:
    """Each question's evidence from the retrieval's own top k passages: what the product judges whether
    to answer on (it then quotes from the k best of a wider pool, which this fit does not see)."""
    records: list[Record] = []
    for name, folders, sets in corpora(extra):
        if not sets or (name not in homes and not folders):
            continue
        with tempfile.TemporaryDirectory() as scratch:
            home = Path(scratch) / "home"
            if name in homes:
                shutil.copytree(homes[name], home)  # never open the original: Chroma writes on open
            assistant = EvidenceAssistant(Settings(home=home))
            if name not in homes:
                assistant.ingest(folders)
            assistant.warm_up()
            for path in sets:
                for item in load_question_set(path):
                    resolved = resolve(item.question, [])
                    vector = assistant._query_vector(resolved)
                    passages = assistant.passages(resolved, vector)
                    evidence = assistant.score_evidence(resolved, vector, passages)
                    records.append(Record(name, path.stem, item, passages, evidence))
            print(f"{name}: {sum(r.corpus == name for r in records)} questions", file=sys.stderr)
    return records


# --- the hand rules, each separately -----------------------------------------------------------
def passing(record: Record, rules: Sequence[str]) -> list[Evidence]:
    """The sentences that pass the given hand rules (as answering.passing_rules does with all three)."""
    question, evidence = record.item.question, record.evidence
    if "kind" in rules:
        kind = answer_type(question)
        evidence = [item for item in evidence if has_answer_type(kind, item.text, question)]
    entities = question_entities(question) if "names" in rules else []
    numbers = "numbers" in rules
    naming = {
        passage
        for passage in {item.passage for item in evidence}
        if all(mentions(passage, entity) for entity in entities)
        and (not numbers or mentions_numbers(passage, question))
    }
    return [item for item in evidence if item.passage in naming]


def cited_right(record: Record, support: Sequence[Evidence]) -> bool:
    """Whether the answer built from `support` (as service.extractive_answer builds it) cites a gold passage."""
    if not support or not record.item.answerable:
        return False
    _, citations = quoted_answer(record.item.question, support, record.evidence)
    return first_hit_rank(record.item, [(c.source, c.quote) for c in citations]) is not None


@dataclass
class Variant:
    """What one policy sees: per question, the features, whether no sentence is left, and the citation hit."""

    X: np.ndarray
    empty: np.ndarray
    hits: np.ndarray


def variant(records: list[Record], rules: Sequence[str], names: Sequence[str], floor: float = 0.0) -> Variant:
    rows, empty, hits = [], [], []
    for record in records:
        found = [item for item in passing(record, rules) if item.score >= floor]
        values = features(record.item.question, found, record.evidence)
        rows.append([values[name] for name in names])
        empty.append(not found)
        hits.append(cited_right(record, found))
    return Variant(np.array(rows, dtype=float), np.array(empty), np.array(hits))


# --- logistic regression ------------------------------------------------------------------------
def fit(X: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, scale, weights with the intercept first): L2-penalised logistic regression by Newton's method."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    Z = np.hstack([np.ones((len(X), 1)), (X - mean) / scale])
    penalty = np.eye(Z.shape[1]) * l2
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    w = np.zeros(Z.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-Z @ w))
        gradient = Z.T @ (p - y) + penalty @ w
        hessian = Z.T @ (Z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return mean, scale, w


def probability(model: tuple[np.ndarray, np.ndarray, np.ndarray], X: np.ndarray) -> np.ndarray:
    mean, scale, w = model
    return 1.0 / (1.0 + np.exp(-(w[0] + ((X - mean) / scale) @ w[1:])))


def threshold_for(p: np.ndarray, answerable: np.ndarray, empty: np.ndarray, budget: float = BUDGET) -> float:
    """The highest threshold that abstains on at most `budget` of the answerable questions, counting
    those already left without evidence; 0 when those use up the budget."""
    allowed = math.floor(budget * answerable.sum() + 1e-9) - int((answerable & empty).sum())
    scores = np.sort(p[answerable & ~empty])
    if allowed <= 0 or not len(scores):
        return 0.0
    if allowed >= len(scores):
        return float(scores[-1]) + 1e-9
    return float(scores[allowed - 1] + scores[allowed]) / 2


def folds(corpus: np.ndarray, y: np.ndarray, scheme: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if scheme == "loco":
        return [(corpus != name, corpus == name) for name in CORPORA]
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(y), dtype=int)
    for name in CORPORA:
        for label in (0, 1):
            members = np.flatnonzero((corpus == name) & (y == label))
            rng.shuffle(members)
            fold[members] = np.arange(len(members)) % CV_FOLDS
    return [(fold != k, fold == k) for k in range(CV_FOLDS)]


def abstentions(v: Variant, y: np.ndarray, label: np.ndarray, corpus: np.ndarray, scheme: str, seed: int = 0):
    """Out-of-fold abstain decisions."""
    abstain = np.zeros(len(y), dtype=bool)
    for train, test in folds(corpus, y, scheme, seed):
        usable = train & ~v.empty
        model = fit(v.X[usable], label[usable])
        threshold = threshold_for(probability(model, v.X[train]), y[train] == 1, v.empty[train])
        abstain[test] = v.empty[test] | (probability(model, v.X[test]) < threshold)
    return abstain


# --- reporting ---------------------------------------------------------------------------------
def figures(abstain: np.ndarray, hits: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
    answerable, unanswerable = mask & (y == 1), mask & (y == 0)
    return (
        (abstain & unanswerable).sum() / max(1, unanswerable.sum()),
        (abstain & answerable).sum() / max(1, answerable.sum()),
        (hits & ~abstain & answerable).sum() / max(1, answerable.sum()),
    )


def row(name: str, results: list[tuple[np.ndarray, np.ndarray]], y: np.ndarray, corpus: np.ndarray) -> str:
    """Mean over `results` (abstain, hits) of the figures per corpus and pooled."""
    cells = []
    for key in (*CORPORA, "pooled"):
        mask = np.ones(len(y), dtype=bool) if key == "pooled" else corpus == key
        values = np.mean([figures(abstain, hits, y, mask) for abstain, hits in results], axis=0)
        cells.append("{:.3f} / {:.3f} / {:.3f}".format(*values))
    return f"| {name} | " + " | ".join(cells) + " |"


def collection_arguments(description: str, written: Path) -> argparse.Namespace:
    """The command line shared by the fitting scripts: where the labelled sets' evidence comes from."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--home", action="append", default=[], help="NAME=PATH of an ingested store (copied)")
    parser.add_argument("--extra", type=Path, action="append", default=[], help="more real documents (realdocs)")
    parser.add_argument("--cache", type=Path, help="pickle of the collected evidence: read if present, else written")
    parser.add_argument("--write", action="store_true", help=f"refit on everything and write {written.name}")
    return parser.parse_args()


def collected(args: argparse.Namespace) -> list[Record]:
    """The evidence for every labelled question: from --cache when it exists, else collected (and cached)."""
    if args.cache and args.cache.exists():
        records: list[Record] = pickle.loads(args.cache.read_bytes())
        return records
    homes = {name: Path(path) for name, path in (pair.split("=", 1) for pair in args.home)}
    records = collect(homes, args.extra)
    if args.cache:
        args.cache.write_bytes(pickle.dumps(records))
    return records


def main() -> None:
    args = collection_arguments(__doc__.splitlines()[0], MODEL_FILE)
    records = collected(args)
    y = np.array([record.item.answerable for record in records], dtype=int)
    gold = np.array([record.gold_retrieved for record in records], dtype=int)
    corpus = np.array([record.corpus for record in records])
    counts = {
        name: (int(((corpus == name) & (y == 1)).sum()), int(((corpus == name) & (y == 0)).sum())) for name in CORPORA
    }
    print(f"questions (answerable, unanswerable): {counts}\n")

    old = variant(records, SHIPPED_RULES, SHIPPED_FEATURES, floor=OLD_THRESHOLD)
    cited = np.array([cited_right(r, passing(r, SHIPPED_RULES)) for r in records], dtype=int)
    policies: list[tuple[str, Sequence[str], Sequence[str], float, np.ndarray]] = [
        ("model alone (best)", (), SHIPPED_FEATURES, 0.0, y),
        ("model alone (all features)", (), FEATURES, 0.0, y),
        ("model + kind rule", ("kind",), SHIPPED_FEATURES, 0.0, y),
        ("model + names rule", ("names",), SHIPPED_FEATURES, 0.0, y),
        ("model + numbers rule", ("numbers",), SHIPPED_FEATURES, 0.0, y),
        ("model + kind + numbers", ("kind", "numbers"), SHIPPED_FEATURES, 0.0, y),
        ("**model (best) + kind + names + numbers: shipped**", SHIPPED_RULES, SHIPPED_FEATURES, 0.0, y),
        ("shipped rules, model on all features", SHIPPED_RULES, FEATURES, 0.0, y),
        ("shipped rules, model on best + second", SHIPPED_RULES, ("best", "second"), 0.0, y),
        ("shipped rules, model on best + second + strong", SHIPPED_RULES, ("best", "second", "strong"), 0.0, y),
        ("shipped + 0.35 sentence floor", SHIPPED_RULES, SHIPPED_FEATURES, OLD_THRESHOLD, y),
        # with one feature every label ranks questions alike: compare labels on all features
        ("shipped rules, all features, label = gold in retrieved passages", SHIPPED_RULES, FEATURES, 0.0, gold),
        ("shipped rules, all features, label = answer cites gold", SHIPPED_RULES, FEATURES, 0.0, cited),
    ]
    header = "| policy | " + " | ".join(CORPORA) + " | pooled |\n|---|" + "---|" * (len(CORPORA) + 1)
    for scheme, title in (("loco", "leave-one-corpus-out"), ("cv", f"pooled {CV_FOLDS}-fold CV x{CV_REPEATS}")):
        print(f"{title}: unanswerable abstained / answerable abstained / citation hit rate\n\n{header}")
        print(row("current: hand rules + 0.35", [(old.empty, old.hits)], y, corpus))
        for name, rules, names, floor, label in policies:
            v = variant(records, rules, names, floor)
            seeds = range(1) if scheme == "loco" else range(CV_REPEATS)
            print(row(name, [(abstentions(v, y, label, corpus, scheme, seed), v.hits) for seed in seeds], y, corpus))
        print()

    shipped = variant(records, SHIPPED_RULES, SHIPPED_FEATURES)
    usable = ~shipped.empty
    mean, scale, w = fit(shipped.X[usable], y[usable])
    p = probability((mean, scale, w), shipped.X)
    threshold = threshold_for(p, y == 1, shipped.empty)
    model = AbstentionModel(
        features=SHIPPED_FEATURES,
        mean=tuple(round(float(x), 6) for x in mean),
        scale=tuple(round(float(x), 6) for x in scale),
        coef=tuple(round(float(x), 6) for x in w[1:]),
        intercept=round(float(w[0]), 6),
        threshold=round(threshold, 6),
    )
    print(f"fitted on all {len(records)} questions: {json.dumps(model.as_dict())}")
    abstain = shipped.empty | (p < threshold)
    sets = list(dict.fromkeys(record.set for record in records))
    set_of = np.array([record.set for record in records])
    print("\nin-sample, per set: citation hit rate, answerable abstained, unanswerable abstained (old -> new)\n")
    print("| set | citation hit rate | answerable abstained | unanswerable abstained |\n|---|---|---|---|")
    for name in sets:
        mask = set_of == name
        before = figures(old.empty, old.hits, y, mask)
        after = figures(abstain, shipped.hits, y, mask)
        n_ans, n_un = int((mask & (y == 1)).sum()), int((mask & (y == 0)).sum())
        print(
            f"| {name} | {before[2]:.3f} -> {after[2]:.3f} | {round(before[1] * n_ans)} -> {round(after[1] * n_ans)}"
            f" of {n_ans} | {round(before[0] * n_un)} -> {round(after[0] * n_un)} of {n_un} |"
        )
    if args.write:
        fitted = {
            "by": "bench/fit_abstention.py",
            "sets": sets,
            "questions": {"answerable": int(y.sum()), "unanswerable": int((y == 0).sum())},
            "rules": list(SHIPPED_RULES),
            "l2": L2,
            "answerable_abstained_budget": BUDGET,
        }
        MODEL_FILE.write_text(json.dumps({**model.as_dict(), "fitted": fitted}, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {MODEL_FILE}")


if __name__ == "__main__":
    main()
