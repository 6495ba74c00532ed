"""Retrieval side by side on a question set: the LangChain tutorial default vs BM25, dense and our hybrid.

    .venv/bin/python bench/retrieval_compare.py [QA.jsonl ...]

Default question sets: ../shared/eval/qa_dev.jsonl and bench/qa_heldout*.jsonl, over data/reviews/.

(a) RecursiveCharacterTextSplitter(1000, 200) + Chroma similarity search, k=4, same MiniLM model;
(b) BM25 only, (c) dense only, (d) hybrid (RRF + MMR), all three on our finding-aware chunks and with
the question's glossary variants (assistant/glossary.txt); the hybrid also runs without the glossary,
to show what the glossary adds.
Prints recall@1, recall@5 (the tutorial default returns 4), MRR and per-query latency.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import chromadb
from langchain_chroma import Chroma
from langchain_text_splitters import RecursiveCharacterTextSplitter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation import QAItem, first_hit_rank, load_question_set, recall_at  # noqa: E402
from assistant.retrieval import HybridRetriever  # noqa: E402
from assistant.service import EvidenceAssistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.loaders import load_document  # noqa: E402

Retrieve = Callable[[str], list[tuple[str, str]]]


def tutorial_default(corpus: Path, settings: Settings) -> Retrieve:
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts, metadatas = [], []
    for path in sorted(corpus.glob("*.txt")):
        document = load_document(path, path.read_bytes())
        for piece in splitter.split_text(document.text):
            texts.append(piece)
            metadatas.append({"source": path.name})
    store = Chroma.from_texts(
        texts, settings.embeddings(), metadatas=metadatas, client=chromadb.EphemeralClient(), collection_name="tutorial"
    )
    return lambda question: [
        (str(doc.metadata["source"]), doc.page_content) for doc in store.similarity_search(question, k=4)
    ]


def measure(name: str, retrieve: Retrieve, items: list[QAItem]) -> dict[str, float | str]:
    answerable = [item for item in items if item.answerable]
    retrieve(answerable[0].question)  # warm-up
    latencies, recall1, recall5, reciprocal = [], [], [], []
    for item in answerable:
        started = time.perf_counter()
        results = retrieve(item.question)
        latencies.append((time.perf_counter() - started) * 1000)
        recall1.append(recall_at(item, results, 1))
        recall5.append(recall_at(item, results, 5))
        rank = first_hit_rank(item, results[:5])
        reciprocal.append(1 / rank if rank else 0.0)
    return {
        "retriever": name,
        "recall@1": statistics.mean(recall1),
        "recall@5": statistics.mean(recall5),
        "MRR": statistics.mean(reciprocal),
        "p50 ms": statistics.median(latencies),
    }


def main() -> None:
    shared_dev = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"
    default_sets = [shared_dev, *sorted((ROOT / "bench").glob("qa_heldout*.jsonl"))]
    question_sets = [Path(arg) for arg in sys.argv[1:]] or [path for path in default_sets if path.exists()]
    corpus = ROOT / "data" / "reviews"
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        assistant = EvidenceAssistant(settings)
        assistant.ingest([corpus])
        retriever = assistant.retriever
        retriever.refresh()
        by_id = {record.chunk_id: record for record in assistant.store.all_chunks()[0]}

        def pairs(records: list) -> list[tuple[str, str]]:
            return [(record.source, record.text) for record in records]

        def bm25_only(question: str) -> list[tuple[str, str]]:
            return pairs(
                [by_id[chunk_id] for chunk_id in retriever.lexical.search(retriever.query_tokens(question), 5)]
            )

        def dense_only(question: str) -> list[tuple[str, str]]:
            return pairs(
                [record for record, _ in assistant.store.nearest_chunks(retriever.embed_query(question).tolist(), 5)]
            )

        def hybrid(question: str) -> list[tuple[str, str]]:
            return pairs([passage.chunk for passage in retriever.search(question, k=5)])

        without_glossary = HybridRetriever(store=assistant.store)

        def hybrid_without_glossary(question: str) -> list[tuple[str, str]]:
            return pairs([passage.chunk for passage in without_glossary.search(question, k=5)])

        retrievers = [
            ("(a) LangChain default: 1000/200 splitter + Chroma k=4", tutorial_default(corpus, settings)),
            ("(b) BM25 only, finding chunks", bm25_only),
            ("(c) dense only, finding chunks", dense_only),
            ("(d-) hybrid without the glossary (ablation)", hybrid_without_glossary),
            ("(d) hybrid: dense + sentence + BM25, RRF, MMR", hybrid),
        ]
        question_lists = [(path.name, load_question_set(path)) for path in question_sets]
        if len(question_lists) > 1:  # every answerable question once: the widest and steadiest comparison
            question_lists.append(("all sets pooled", [item for _, items in question_lists for item in items]))
        for label, items in question_lists:
            rows = [measure(name, retrieve, items) for name, retrieve in retrievers]
            print(f"\n{label}: {sum(item.answerable for item in items)} answerable questions over {corpus.name}/")
            print(f"| {'retriever':<55} | recall@1 | recall@5 |   MRR | p50 ms |")
            print(f"|{'-' * 57}|---------:|---------:|------:|-------:|")
            for row in rows:
                print(
                    f"| {row['retriever']:<55} | {row['recall@1']:8.3f} | {row['recall@5']:8.3f} "
                    f"| {row['MRR']:5.3f} | {row['p50 ms']:6.1f} |"
                )
            baseline, ours = rows[0], rows[-1]
            recall_gain = float(ours["recall@5"]) - float(baseline["recall@5"])
            mrr_gain = float(ours["MRR"]) - float(baseline["MRR"])
            print(f"hybrid vs LangChain default: recall@5 {recall_gain:+.3f}, MRR {mrr_gain:+.3f}")


if __name__ == "__main__":
    main()
