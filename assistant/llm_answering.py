"""LLM answer mode: the model drafts from numbered passages; every sentence is then checked.

A sentence survives only if a passage supports it; wrong or missing markers are repaired to the
supporting passage, and each citation quotes that passage's best-matching sentence verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel

from assistant.answering import ABSTAIN_TEXT, Answer, Evidence, compose, supporting
from assistant.citations import MARKER
from assistant.conversation import ResolvedQuestion
from assistant.lexical import tokenize
from assistant.prompts import CANNOT_ANSWER, load_prompt
from assistant.retrieval import Passage
from ingest.sentences import sentence_spans

MIN_SUPPORT = 0.6  # share of a claim's content words that its cited sentences (and section) must contain
_TRAILING_MARKERS = re.compile(r"([.!?])\s*((?:\[\d{1,3}\]\s*)+)")


class LLMError(RuntimeError):
    """The chat model could not be reached or failed; one line for the user."""


def format_passages(passages: Sequence[Passage]) -> str:
    """Numbered passages, fenced so the prompt can tell the model they are data."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        where = " — ".join(part for part in (passage.chunk.title, passage.chunk.section) if part)
        text = passage.chunk.text.replace("</passage>", "</ passage>")
        blocks.append(f'<passage n="{number}" from="{where}">\n{text}\n</passage>')
    return "\n\n".join(blocks)


def draft_sentences(draft: str) -> list[tuple[str, list[int]]]:
    """Split a draft into (sentence without markers, marker numbers); `claim. [1]` counts as `claim [1].`"""
    normalised = _TRAILING_MARKERS.sub(lambda match: f" {match.group(2).strip()}{match.group(1)} ", draft)
    sentences = []
    for start, end in sentence_spans(normalised):
        raw = normalised[start:end]
        claim = " ".join(MARKER.sub("", raw).split()).replace(" .", ".")
        if claim:
            sentences.append((claim, [int(number) for number in MARKER.findall(raw)]))
    return sentences


def covering_sentences(claim: str, passage: Passage, evidence: Sequence[Evidence]) -> tuple[float, list[Evidence]]:
    """The passage sentences that together cover most of the claim's content words, and that share.

    Greedy: take the sentence adding the most uncovered words, at most two, so a claim stitched from
    two statements cites both and the reader can see each.
    """
    words = set(tokenize(claim))
    if not words:
        return 0.0, []
    uncovered = words - set(tokenize(passage.chunk.section or ""))
    candidates = [item for item in evidence if item.passage.chunk.chunk_id == passage.chunk.chunk_id]
    chosen: list[Evidence] = []
    while candidates and len(chosen) < 2:
        best = max(candidates, key=lambda item: (len(uncovered & set(tokenize(item.text))), item.score))
        gained = uncovered & set(tokenize(best.text))
        if not gained:
            break
        chosen.append(best)
        candidates.remove(best)
        uncovered -= gained
    return 1 - len(uncovered) / len(words), sorted(chosen, key=lambda item: item.start)


def verify_draft(
    draft: str, passages: Sequence[Passage], evidence: Sequence[Evidence]
) -> list[tuple[str, list[Evidence]]]:
    """Keep the draft's supported sentences, each with the verbatim sentence(s) that back it."""
    kept: list[tuple[str, list[Evidence]]] = []
    for claim, numbers in draft_sentences(draft):
        if CANNOT_ANSWER.lower().rstrip(".") in claim.lower() or len(tokenize(claim)) < 2:
            continue
        cited = [passages[number - 1] for number in numbers if 1 <= number <= len(passages)]
        backing = _best_cover(claim, cited, evidence)
        if not backing:  # repair: a passage that does support the claim replaces wrong or missing markers
            backing = _best_cover(claim, passages, evidence)
        if backing:
            kept.append((claim, backing))
    return kept


def _best_cover(claim: str, passages: Sequence[Passage], evidence: Sequence[Evidence]) -> list[Evidence]:
    covers = [covering_sentences(claim, passage, evidence) for passage in passages]
    share, sentences = max(covers, key=lambda cover: cover[0], default=(0.0, []))
    return sentences if share >= MIN_SUPPORT else []


def answer_with_llm(
    model: BaseChatModel,
    question: str,
    resolved: ResolvedQuestion,
    passages: Sequence[Passage],
    evidence: Sequence[Evidence],
    fallback: Answer,
) -> Answer:
    """Draft with the model and keep only what the passages support; abstain or fall back otherwise."""
    if not supporting(question, evidence):
        return Answer(question, "llm", True, ABSTAIN_TEXT, [])
    prompt = load_prompt("answer").format(
        question=resolved.question, context=resolved.context or "none", passages=format_passages(passages)
    )
    try:
        draft = str(model.invoke(prompt).content)
    except Exception as error:  # network, timeout and server errors all reach the user as one line
        raise LLMError(f"the LLM failed: {' '.join(str(error).split())[:200]}") from None
    points = verify_draft(draft, passages, evidence)
    if not points:  # nothing the model wrote survived checking: give the verified extractive answer
        return Answer(question, "llm", fallback.abstained, fallback.answer, fallback.citations)
    text, citations = compose(points)
    return Answer(question, "llm", False, text, citations)
