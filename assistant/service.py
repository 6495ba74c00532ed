"""The assistant: retrieve, score evidence sentences, answer or abstain. Used by the CLI and the web UI."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.abstention import should_abstain
from assistant.answering import (
    ABSTAIN_TEXT,
    Answer,
    Evidence,
    document_name,
    is_question,
    is_title,
    passing_rules,
    quotable_passages,
    quoted_answer,
)
from assistant.conversation import ResolvedQuestion, resolve, standalone_questions
from assistant.lexical import tokenize
from assistant.ranking import load_ranker
from assistant.retrieval import HybridRetriever, Passage
from assistant.settings import Settings
from ingest.pipeline import Ingester, IngestReport, Progress
from vectorstore.store import DocumentRecord

MODES = ("extractive", "llm")
_TERMINAL_CODE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # colour and cursor codes, as in `\x1b[31m`
WARM_UP_QUESTION = "What did the reviews find?"


class QuestionError(ValueError):
    """A question that cannot be asked (empty, too long, bad options): one line for the user."""


class EvidenceAssistant:
    """Owns the store and the retriever (with its in-memory index); one per process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = settings.store()
        self.retriever = HybridRetriever(
            store=self.store,
            lexical=settings.lexical_index(),
            k=settings.k,
            candidates=settings.candidates,
            mmr_lambda=settings.mmr_lambda,
            check_seconds=settings.check_seconds,
            glossary=settings.glossary(),
        )
        self.ranker = load_ranker()

    # --- documents ------------------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        progress: Progress | None = None,
        display_names: dict[Path, str] | None = None,
    ) -> IngestReport:
        ingester = Ingester(
            self.store,
            max_bytes=int(self.settings.max_file_mb * 1024 * 1024),
            max_chars=self.settings.max_text_chars,
            writer_lock=self.settings.writer_lock,
        )
        report = ingester.ingest(paths, prune=prune, progress=progress, display_names=display_names)
        self.retriever.refresh()  # bring BM25 in step now, not on the next question
        return report

    def remove(self, doc_id: str) -> DocumentRecord | None:
        """Remove a document and its chunks; the removed record, or None when there was none."""
        with self.settings.writer_lock():
            record = self.store.remove_document(doc_id)
        if record is None:
            return None
        self.retriever.refresh()
        return record

    def warm_up(self) -> None:
        """Load the embedding model and build the index now, so a user's first question is as fast as later ones."""
        self.ask(WARM_UP_QUESTION)

    # --- questions ------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        *,
        k: int | None = None,
        mode: str = "extractive",
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        """Answer a question (with earlier (question, answer) turns for follow-ups)."""
        question = validate_question(question)
        if mode not in MODES:
            raise QuestionError(f"unknown mode '{mode}' (use {' or '.join(MODES)})")
        if mode == "llm" and not self.settings.llm_available():
            raise QuestionError("LLM mode needs a model: set EVIDENCE_LLM (see README)")
        started = time.perf_counter()
        resolved = resolve(question, standalone_questions(history))
        vector = self._query_vector(resolved)
        k = k or self.settings.k
        pool = self.passages(resolved, vector, k=max(k, self.settings.pool), doc_ids=doc_ids)
        retrieved = time.perf_counter()
        scored = self.score_evidence(resolved, vector, pool)
        passages = quotable_passages(pool, scored, k)
        evidence = _of(passages, scored)
        answer = extractive_answer(question, _of(pool[:k], scored), evidence)
        if mode == "llm":
            from assistant.llm_answering import answer_with_llm

            model = self.settings.chat_model()
            answer = answer_with_llm(model, question, resolved, passages, evidence, fallback=answer)
        answer.passages = passages
        answer.standalone_question = resolved.standalone
        finished = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round((retrieved - started) * 1000, 2),
            "answer": round((finished - retrieved) * 1000, 2),
            "total": round((finished - started) * 1000, 2),
        }
        return answer

    def passages(
        self,
        resolved: ResolvedQuestion,
        vector: np.ndarray,
        *,
        k: int | None = None,
        doc_ids: Sequence[str] | None = None,
    ) -> list[Passage]:
        """The retrieved passages, each with its document's opening: a question may name the document."""
        found = self.retriever.search(resolved.search_text, k=k, doc_ids=doc_ids, query_vector=vector)
        openings = self.store.document_openings([passage.chunk.doc_id for passage in found])
        return [replace(passage, about=openings.get(passage.chunk.doc_id, "")) for passage in found]

    def _query_vector(self, resolved: ResolvedQuestion) -> np.ndarray:
        """The question's vector, blended with the earlier question's for a follow-up (one encode call)."""
        if resolved.context is None:
            return self.retriever.embed_query(resolved.question)
        own, context = self.retriever.embed_queries([resolved.question, resolved.context])
        vector = resolved.weight * own + (1 - resolved.weight) * context
        return (vector / np.linalg.norm(vector)).astype(np.float32)

    def score_evidence(
        self, resolved: ResolvedQuestion, vector: np.ndarray, passages: Sequence[Passage]
    ) -> list[Evidence]:
        """Score each sentence of the passages with the fitted ranker (assistant/ranking.py): by meaning (cosine),
        by how much of the question it covers, by its passage's relevance and by the kind of fact it states."""
        weights = self._term_weights(resolved)
        passage_of = {passage.chunk.chunk_id: passage for passage in passages}
        labels = {
            passage.chunk.chunk_id: set(tokenize(f"{document_name(passage)} {passage.chunk.section or ''}"))
            for passage in passages
        }  # a sentence is also about its document's name and its section
        scored: list[Evidence] = []
        for sentence, similarity in self.retriever.sentences(passages, vector):
            passage = passage_of[sentence.chunk_id]
            if is_title(sentence.text, passage.chunk.section) or is_question(sentence.text):
                continue  # headings and the review's own questions name topics; the findings are the evidence
            covered = coverage(weights, set(tokenize(sentence.text)) | labels[passage.chunk.chunk_id])
            scored.append(Evidence(passage, sentence.start, sentence.end, sentence.text, 0.0, similarity, covered))
        scores = self.ranker.scores(resolved.question, scored)
        return [replace(item, score=float(score)) for item, score in zip(scored, scores)]

    def _term_weights(self, resolved: ResolvedQuestion) -> dict[str, float]:
        """IDF weight of each question word; words of the earlier question count less."""
        weights: dict[str, float] = {}
        for token in tokenize(resolved.question):
            weights[token] = self.retriever.idf(token)
        if resolved.context is not None:
            for token in tokenize(resolved.context):
                weights.setdefault(token, self.retriever.idf(token) * (1 - resolved.weight))
        return weights


def extractive_answer(
    question: str, evidence: Sequence[Evidence], quotable: Sequence[Evidence] | None = None
) -> Answer:
    """Answer with the best evidence sentences verbatim, or abstain when none is good enough.

    Whether to answer is judged on `evidence`, the sentences of the retrieval's own best passages, as the
    abstention model was fitted (what `answering.supporting` does); what to quote comes from `quotable` (the
    passages with the best sentences, see `quotable_passages`) when any of it passes the hand rules. The two
    share passages, so the hand rules run once over both."""
    considered = list(dict.fromkeys([*(quotable or []), *evidence]))  # the two overlap
    passing = set(passing_rules(question, considered))  # the hand rules once for both
    support = [item for item in evidence if item in passing]
    if should_abstain(question, support, evidence):
        return Answer(question, "extractive", True, ABSTAIN_TEXT, [])
    if better := [item for item in quotable or [] if item in passing]:
        support, evidence = better, considered
    text, citations = quoted_answer(question, support, evidence)
    return Answer(question, "extractive", False, text, citations)


def _of(passages: Sequence[Passage], evidence: Sequence[Evidence]) -> list[Evidence]:
    """The evidence sentences of these passages."""
    chunk_ids = {passage.chunk.chunk_id for passage in passages}
    return [item for item in evidence if item.passage.chunk.chunk_id in chunk_ids]


def coverage(weights: dict[str, float], tokens: set[str]) -> float:
    """Share of the question's (IDF-weighted) words that a sentence contains."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(weight for token, weight in weights.items() if token in tokens) / total


def validate_question(question: str, max_chars: int = 2000) -> str:
    """The question on one line, without terminal codes or control characters (NUL, ESC): pasted junk is
    neither searched for nor echoed back. Nothing visible left (only zero-width or direction marks) is empty."""
    text = _TERMINAL_CODE.sub(" ", question or "")
    cleaned = " ".join("".join(" " if unicodedata.category(char) == "Cc" else char for char in text).split())
    if all(unicodedata.category(char) == "Cf" for char in cleaned):
        raise QuestionError("the question is empty")
    if len(cleaned) > max_chars:
        raise QuestionError(f"the question is {len(cleaned)} characters; keep it under {max_chars}")
    return cleaned
