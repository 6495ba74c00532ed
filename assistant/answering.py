"""Answer composition from scored evidence sentences: pure, so every rule tests in microseconds."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from assistant.abstention import should_abstain
from assistant.citations import Citation
from assistant.lexical import jaccard, normalise, tokenize
from assistant.retrieval import Passage
from assistant.vocabulary import abbreviates
from ingest.sentences import as_prose
from vectorstore.store import ChunkRecord

ABSTAIN_TEXT = "No supporting evidence was found in the ingested documents for this question."
_POINTS_BACK = re.compile(
    r"^(?:this|that|these|those|they|it|its|their|such|however|but|similarly|also|therefore|as a result|"
    r"in addition|in turn|for example|for instance|"
    r"(?:the|some|many|all|each|most|one|none|both|several|few)\s+(?:\w+\s+){0,2}?of\s+(?:this|these|those|them|it)"
    r")\b",
    re.IGNORECASE,
)

COMPLETED_QUOTE_CHARS = 400  # a best point takes the next sentence for a word the question asks, within this
LIST_SENTENCE_CHARS = 700  # a list quoted whole, lead-in to last item, at most this long
_FRAGMENT_START = re.compile(r"^[\W_]*[a-z]")  # "whether ...", "• to support ...": carries on a lead-in
_LIST_ITEM = re.compile(r"(?:[•◦▪‣●*\-–]|\d{1,2}[.)]|\([a-z0-9]{1,3}\))\s")  # "• ", "- ", "2. ", "(b) "
_PARAGRAPH = re.compile(r"\S[^\n]*(?:\n(?!\s*\n)[^\n]*)*")  # text between blank lines
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*(?:\[\d+\])?\s*$")

_HOW_OR_WHY = re.compile(r"^\W*(?:how (?:did|do|does|was|were|is|are|has|have|can|could)|why)\b", re.IGNORECASE)

# A sentence that only says what the reviewers looked at; the finding is in the sentence after it.
_SETS_UP = re.compile(
    r"^(?:[^.]{0,60}\b)?(?:we (?:looked at|wanted to (?:know|find out|understand|see)|asked|examined|set out to)|"
    r"(?:were|was) asked)\b",
    re.IGNORECASE,
)

_AUXILIARY = r"(?:does|did|do|is|was|were|are|has|have|had|will|would)\b"  # "what annual fee does ..."
_MONEY_QUESTION = re.compile(
    r"\bhow much (?:money|funding|cash)\b|"
    r"\bhow much (?!of\b|time\b)(?:\w+ )?(?:did|does|do|was|is|were|are|will|has|have)?\b.*"
    r"\b(?:spen[dt]|cost|pa(?:y|id)|fund|budget|invest|worth|price)|"
    r"\b(?:cost|budget|funding|price|spend(?:ing)?|salary|revenue)\b.*\b(?:of|for|on)\b|"
    rf"\bwhat (?:\w+ ){{0,2}}(?:fees?|allocation|budget|price|salary) {_AUXILIARY}|"
    r"\bwhat would it cost\b"
)
_DURATION_QUESTION = re.compile(r"\bhow long\b(?! (?:is|was|are|were) (?:the|a|an|its|their) )")
_HOW_MANY = re.compile(r"\bhow many ((?:\w+\W+){1,5})", re.IGNORECASE)  # the words after it: what is counted
_QUANTITY_QUESTION = re.compile(
    r"\bhow (?:many|much|long|far|old)\b|"
    r"\bwhat (?:(?:is|was|were|are) the )?(?:population|number|percentage|proportion|share|rate|size|total|amount)\b|"
    rf"\bwhat (?:\w+ ){{0,2}}(?:rate|score|total) {_AUXILIARY}"
)
_SHARE_QUESTION = re.compile(r"\b(?:percentage|per ?cent|proportion|what share|what fraction)\b")
_COUNT = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred)"
_SHARE = re.compile(
    r"%|\b(?:percent|per cent|percentage|proportion|half|halves|thirds?|quarters?|fifths?|tenths?|majority|minority)\b|"
    rf"\b{_COUNT} (?:in|out of) (?:a |every )?{_COUNT}\b",
    re.I,
)  # a share is said as a percentage, a fraction or "one in five"; a bare count does not say it
_TIME_QUESTION = re.compile(
    r"^\s*when\b|\bby when\b|\bwhat (?:\w+ )?(?:year|date|deadline|month|time)s?\b|\bin which (?:year|month)\b"
)
_NAME_QUESTION = re.compile(
    r"\bwhat (?:is|was|are|were) (?:the )?names? of\b|\bwhat (?:is|was|are|were) .{1,60} called\b|^\s*names? of\b|"
    r"\bwhich (?:local |nhs )?(?:area|region|county|city|town|ics|stp|ccg|trust|hospital|hospice|care home|hotel|"
    r"council|company|charity|organisation)\b(?!s)"
)  # one particular place or body: a review that says "in one area" has not named it
_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|millions?|billions?|dozens?|half|third|quarter|percent|per cent|majority|minority"
)
_MONEY = re.compile(r"[£$€]\s?\d|\d\s?(?:bn|m|k)\b|\b(?:million|billion|thousand) (?:pounds|dollars|euros)\b", re.I)
_QUANTITY = re.compile(rf"\d|%|\b(?:{_NUMBER_WORDS})\b", re.I)
_DURATION = re.compile(r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|century|centuries)\b", re.I)
_YEARS_AND_NAMES = re.compile(
    r"\b(?:19|20)\d\d(?:/\d\d)?\b|\b[A-Za-z]+-\d+\b|\b\d+-[A-Za-z]+\b|\b\d{1,2}(?::\d\d)?(?:am|pm)\b", re.I
)  # years, names like COVID-19, and adjectives like 24-hour are not amounts
_WORD = re.compile(r"[\w&][\w&'-]*(?<!['-])")
_YEAR = re.compile(r"\b((?:1\d|20)\d\d)(?:/\d\d)?\b")  # 1000 to 2099: reviews are recent, histories are not
_NAMED_NUMBER = re.compile(r"(?<![\w.,/:-])(\d+(?:[.,]\d+)*)(?:st|nd|rd|th)?(?![\w-]|[.,/:]\d)")  # not COVID-19
_CARDINALS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
).split()
_ORDINALS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
_SMALL_NUMBERS = {str(n): {cardinal, ordinal} for n, (cardinal, ordinal) in enumerate(zip(_CARDINALS, _ORDINALS))}
_SMALL_NUMBERS["1"].add("once")
_SMALL_NUMBERS["2"].add("twice")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$", re.IGNORECASE)
_SENTENCE_OPENING = re.compile(r"(?:^|[.?!:;]\s+)[\s\"'“‘(]*")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+(?:of\s+|and\s+)?[A-Z][\w&'’-]*)*")
_NOT_NAMES = frozenset(
    "what which who whom whose how when where why did do does is are was were can could should would will has "
    "have had in on at for during after before the a an and of to tell list give describe according".split()
)
_PERSON_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Professor|Prof|Sir|Dame|Lord|Lady|Baroness|Baron)\.?"
_UBIQUITOUS = frozenset("nhs cqc covid covid-19 gp gps uk a&e i".split())
_TIME = re.compile(
    r"\b(?:1\d|20)\d\d\b|\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b|"
    r"\b(?:morning|afternoon|evening|night|midnight|noon|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|spring|summer|autumn|winter|week|month|year|day|start|beginning|end|"
    r"early|late|since|until|before|after|during|when|first|wave)\b",
    re.I,
)


_FORMAT_NAMES = {
    ".pdf": "PDF",
    ".docx": "Word DOCX document",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".html": "HTML web page",
    ".htm": "HTML web page",
}


@dataclass(frozen=True)
class Evidence:
    """A candidate sentence from a retrieved passage, with document offsets and its score."""

    passage: Passage
    start: int
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0  # the score's parts: cosine to the question ...
    coverage: float = 0.0  # ... and share of the question's IDF-weighted words


@dataclass
class Answer:
    """The design's answer object."""

    question: str
    mode: str
    abstained: bool
    answer: str
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)  # what retrieval returned; not part of the JSON
    standalone_question: str = ""  # the question resolved against the conversation; not part of the JSON

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "mode": self.mode,
            "abstained": self.abstained,
            "answer": self.answer,
            "citations": [citation.as_dict() for citation in self.citations],
            "timings_ms": self.timings_ms,
        }


def answer_type(question: str) -> str | None:
    """What kind of fact a question asks for, when the kind is checkable: money, duration, share (a percentage or
    fraction), quantity, time or name."""
    lowered = question.lower()
    if _NAME_QUESTION.search(lowered):
        return "name"
    if _DURATION_QUESTION.search(lowered):  # "How long did reviewers spend on a response?" asks for time, not money
        return "duration"
    if _MONEY_QUESTION.search(lowered):
        return "money"
    if _SHARE_QUESTION.search(lowered):
        return "share"
    if _QUANTITY_QUESTION.search(lowered):
        return "quantity"
    if _TIME_QUESTION.search(lowered):
        return "time"
    return None


def has_answer_type(kind: str | None, sentence: str, question: str = "") -> bool:
    """Whether a sentence could state the kind of fact asked for (a number for "how many", ...).

    Numbers the question itself names ("NHS 111") are not answers to it.
    """
    if kind is None:
        return True
    asked = set(_DIGITS.findall(question))
    sentence = _DIGITS.sub(lambda number: " " if number.group() in asked else number.group(), sentence)
    if kind == "money":
        return bool(_MONEY.search(sentence))
    if kind == "share":
        return bool(_SHARE.search(sentence))
    if kind == "quantity" and (counted := counted_words(question)) and not set(counted) & set(tokenize(sentence)):
        return False  # "How many pages ...?" is not answered by a sentence that counts something else
    if kind in ("quantity", "duration"):
        amount = bool(_QUANTITY.search(_YEARS_AND_NAMES.sub(" ", sentence)))
        return amount or (kind == "duration" and bool(_DURATION.search(sentence)))
    if kind == "name":
        return bool(_new_names(sentence, question))
    return bool(_TIME.search(sentence))


@lru_cache(maxsize=256)
def counted_words(question: str) -> tuple[str, ...]:
    """What a "how many" question counts, as stemmed words a sentence must hold one of: the counted phrase's
    first word and its last, its head noun ("How many of the annual surveys has ..." -> ("annual", "survey");
    "How many Hertfordshire respondents could ..." -> ("hertfordshir", "respond")), so a sentence may name
    the thing by its noun or its modifier. "How many times" counts occasions ("twice", "weekly"): no word
    to require."""
    match = _HOW_MANY.search(question)
    counted: list[str] = []
    for word in match.group(1).split() if match else []:
        tokens = [token for token in tokenize(word) if token.isalpha()]
        if not tokens and counted:
            break  # "were", "could", "in": the counted phrase ended
        counted += tokens
    if not counted or counted[0] == "time":
        return ()
    return tuple(dict.fromkeys((counted[0], counted[-1])))


def _new_names(sentence: str, question: str) -> list[str]:
    """Capitalised words after a sentence's first word that the question does not already say;
    acronyms ("ICS") are kinds of body, not names."""
    asked = {_without_possessive(word).lower() for word in re.findall(r"[\w'’-]+", question)}
    return [
        word
        for word in re.findall(r"(?<=\s)[A-Z][a-z][\w'’-]*", sentence)
        if _without_possessive(word).lower() not in asked
    ]


def question_entities(question: str) -> list[str]:
    """Names in a question ("Frimley Park Hospital", "Scotland"): runs of capitalised words, minus
    each sentence's opening word (capitalised as any first word is: "Summarise", "Name a couple")
    and the domain's ubiquitous acronyms."""
    entities = []
    openings = {match.end() for match in _SENTENCE_OPENING.finditer(question)}
    for match in _CAPITALISED_RUN.finditer(question):
        words = match.group().split()
        if match.start() in openings:
            words.pop(0)
        while words and (words[0].lower() in _NOT_NAMES):
            words.pop(0)
        if words and not (len(words) == 1 and _without_possessive(words[0]).lower() in _UBIQUITOUS):
            entities.append(" ".join(words))
    return entities


def _without_possessive(word: str) -> str:
    return _POSSESSIVE.sub("", word)


def _labelled_text(passage: Passage) -> str:
    """The passage with its document title and section: where a name or year may be given."""
    chunk = passage.chunk
    return f"{chunk.title} {chunk.section or ''} {chunk.text}"


def document_name(passage: Passage) -> str:
    """The passage's document as its file name and title call it ("healthwatch herts online gp services",
    "Online GP Services: Patient Views"): what every finding in it is about, whether or not it says so."""
    chunk = passage.chunk
    return f"{PurePath(chunk.source).stem.replace('_', ' ').replace('-', ' ')} {chunk.title}"


def _document_names(passage: Passage) -> str:
    """What else names the passage's document: its file name, title, format and opening. A question may name
    the document rather than the finding: by publisher or place ("the Healthwatch Hertfordshire report", "the
    Stockton papers") or by format ("the Word document"). Not where a year is given: a cover's date is when
    the report came out, not when its findings happened."""
    kind = _FORMAT_NAMES.get(PurePath(passage.chunk.source).suffix.lower(), "")
    return f"{document_name(passage)} {kind} {passage.about}"


def mentions(passage: Passage, entity: str) -> bool:
    """Every word of the name appears in the passage (so "Sussex ICS" matches "the ICS in Sussex"),
    in full or abbreviated ("NWAS" for "North West Ambulance Service", "Lincs" for "Lincolnshire").
    A person named in full is also mentioned by title and surname ("Boris Johnson" as "Mr Johnson"),
    as reports name people after their first mention. A word may be inflected otherwise ("the National
    Highway Designated Act" for "Designation Act", "Colonies" for "colony"): the same stem mentions it."""
    text = f"{_document_names(passage)} {_labelled_text(passage)}"
    names = entity.split()
    if len(names) > 1 and re.search(rf"\b{_PERSON_TITLE} {re.escape(_without_possessive(names[-1]))}\b", text):
        return True
    words = {part for word in _WORD.findall(normalise(text)) for part in (word, *word.split("-"))}
    cased_words: list[str] | None = None
    stems: set[str] | None = None
    for word in _WORD.findall(entity.replace("’", "'")):
        bare = _without_possessive(word)
        if normalise(word) in words or normalise(bare) in words:
            continue
        stems = stems if stems is not None else set(tokenize(text))
        if (word_stems := set(tokenize(bare))) and word_stems <= stems:
            continue
        cased_words = cased_words if cased_words is not None else _WORD.findall(text)
        if not abbreviates(bare, cased_words):
            return False
    return True


def mentions_numbers(passage: Passage, question: str) -> bool:
    """Every year the question names ("2022/23") appears in the passage, its section or its document's title
    or file name, and so does every other number it names ("24 residents", "the 3rd son", "PDF 2.0"), in
    figures or in words. A question often names its report by a year or quarter ("the Q2 2024 report") that
    no finding inside repeats; a date on the cover alone still does not date the findings."""
    where = f"{document_name(passage)} {_labelled_text(passage)}"
    if not all(year in where for year in _YEAR.findall(question)):
        return False
    numbers = {number.replace(",", "") for number in _NAMED_NUMBER.findall(_YEAR.sub(" ", question))}
    if not numbers:
        return True
    stated = {number.replace(",", "") for number in _DIGITS.findall(where)}  # "45-54" states 45 and 54
    words = set(_WORD.findall(where.lower()))
    return all(number in stated or bool(_SMALL_NUMBERS.get(number, set()) & words) for number in numbers)


def is_title(text: str, section: str | None) -> bool:
    """A short heading line ("Collaboration makes a difference"), as opposed to a headline finding."""
    return section is not None and section.endswith(text) and len(text.split()) < 8


def is_question(text: str) -> bool:
    """A question the review asks itself ("How have leaders collaborated ...?"): its topic, not a finding."""
    return text.rstrip(' "”’)').endswith("?")


def passing_rules(question: str, evidence: Sequence[Evidence]) -> list[Evidence]:
    """Evidence of the asked-for kind, from a passage that names every name and year the question names."""
    kind = answer_type(question)
    entities = question_entities(question)
    naming_everything = {
        passage
        for passage in {item.passage for item in evidence}
        if all(mentions(passage, entity) for entity in entities) and mentions_numbers(passage, question)
    }  # checked once per passage, not once per sentence
    return [
        item for item in evidence if item.passage in naming_everything and has_answer_type(kind, item.text, question)
    ]


def quotable_passages(passages: Sequence[Passage], evidence: Sequence[Evidence], k: int) -> list[Passage]:
    """The k passages to quote from, out of a wider retrieved pool: those whose best sentence scores highest
    (ties in the retrieval's order). Retrieval ranks whole passages; the ranker judges the sentence that would
    be quoted, and finds the finding that fusion ranked sixth or twelfth."""
    best: dict[str, float] = {}
    for item in evidence:
        chunk_id = item.passage.chunk.chunk_id
        best[chunk_id] = max(best.get(chunk_id, -math.inf), item.score)
    return sorted(passages, key=lambda passage: -best.get(passage.chunk.chunk_id, -math.inf))[:k]


def supporting(question: str, evidence: Sequence[Evidence]) -> list[Evidence]:
    """Evidence that can answer the question: what passes the hand rules, when the learned abstention
    model (assistant/abstention.py) finds the best of it strong enough. Empty means abstain.

    The model replaced a hand-set threshold (0.35 on the best score); bench/fit_abstention.py fits it
    and compares the two.
    """
    candidates = passing_rules(question, evidence)
    return [] if should_abstain(question, candidates, evidence) else candidates


def select_evidence(
    scored: Sequence[Evidence], *, max_sentences: int = 6, keep_ratio: float = 0.82, duplicate_jaccard: float = 0.6
) -> list[list[Evidence]]:
    """The best sentences, near-duplicates merged: each entry is one point and the sentences backing it.

    Every sentence within `keep_ratio` of the best score is a point, up to `max_sentences`: many close
    scores mean a broad question or an unsure ranking, and either way the answer is among them."""
    ranked = sorted(scored, key=lambda evidence: -evidence.score)
    if not ranked:
        return []
    floor = ranked[0].score * keep_ratio
    points: list[list[Evidence]] = []
    token_sets: list[set[str]] = []
    for evidence in ranked:
        if evidence.score < floor:
            break
        tokens = set(tokenize(evidence.text))
        twin = next((i for i, other in enumerate(token_sets) if jaccard(tokens, other) >= duplicate_jaccard), None)
        if twin is not None:
            if all(item.passage.chunk.doc_id != evidence.passage.chunk.doc_id for item in points[twin]):
                points[twin].append(evidence)  # the same point made by another document: cite both
            continue
        if len(points) < max_sentences:
            points.append([evidence])
            token_sets.append(tokens)
    return points


def with_context(
    points: list[list[Evidence]],
    scored: Sequence[Evidence],
    *,
    explain: bool = False,
    asked: frozenset[str] = frozenset(),
) -> list[list[Evidence]]:
    """Widen each lead quote to the neighbouring sentences it depends on, so it stands on its own.

    A sentence that opens by pointing back ("This was because...") takes the sentence before it;
    one followed by a sentence pointing back at it ("They were given..."), one ending in a colon
    and one that only sets up a finding ("We looked at...", when a sentence and not a heading
    follows) take the sentence after it. With `explain` (the question asks how or why) the best
    point also takes the next sentence of its paragraph: the sentence most like the question often
    restates what happened, and the one after it says how or why. So does a short best point when the next
    sentence of its paragraph has a word of the question that it lacks ("What did the service change after
    its survey ...?": the survey, then "The service changed ..."). Quotes stay verbatim: the widened span is
    one stretch of text.
    """
    widened: list[list[Evidence]] = []
    for point in points:
        lead = point[0]
        siblings = sorted(
            (item for item in scored if item.passage.chunk.chunk_id == lead.passage.chunk.chunk_id),
            key=lambda item: item.start,
        )
        before = [item for item in siblings if item.end <= lead.start]
        after = [item for item in siblings if item.start >= lead.end]
        start, end = list_sentence(lead)
        if (start, end) == (lead.start, lead.end):
            start, end = table_row(lead)
        if (start, end) == (lead.start, lead.end) and lead.text.rstrip().endswith(":"):
            end = list_after(lead)
        if (start, end) == (lead.start, lead.end):
            if before and points_back(lead.text):
                start = before[-1].start
            finding_after = bool(after) and _ENDS_SENTENCE.search(after[0].text) is not None  # not a heading
            if after and (
                points_back(after[0].text)
                or lead.text.rstrip().endswith(":")
                or (finding_after and _SETS_UP.match(lead.text))
                or (explain and point is points[0] and _same_paragraph(lead, after[0]))
                or (
                    point is points[0]
                    and finding_after
                    and _same_paragraph(lead, after[0])
                    and after[0].end - start <= COMPLETED_QUOTE_CHARS
                    and bool((set(tokenize(after[0].text)) - set(tokenize(lead.text))) & asked)
                )
            ):
                end = after[0].end if not after[0].text.rstrip().endswith(":") else list_after(after[0])
        chunk = lead.passage.chunk
        text = chunk.text[start - chunk.start : end - chunk.start]
        widened.append([replace(lead, start=start, end=end, text=text), *point[1:]])
    kept: list[list[Evidence]] = []
    for point in widened:  # a point now inside another point's quote is said already
        lead = point[0]
        if not any(
            other is not point
            and _contains(other[0], lead)
            and (other[0].start, other[0].end) != (lead.start, lead.end)
            for other in widened
        ) and all(_key(other[0]) != _key(lead) for other in kept):
            kept.append(point)
    return kept


def asks_how_or_why(question: str) -> bool:
    """ "How did pharmacies get PPE?", "Why was oil withdrawn?": an answer wants the means or the reason."""
    return bool(_HOW_OR_WHY.match(question))


def _same_paragraph(first: Evidence, following: Evidence) -> bool:
    chunk = first.passage.chunk
    return "\n\n" not in chunk.text[first.end - chunk.start : following.start - chunk.start]


def points_back(sentence: str) -> bool:
    """A sentence that leans on the one before it ("This was because ..."); a list item that happens to open
    with such a word ("• their understanding of ...") starts in lower case and leans on nothing."""
    return bool(_POINTS_BACK.match(sentence)) and not _FRAGMENT_START.match(sentence)


def list_sentence(item: Evidence, budget: int = LIST_SENTENCE_CHARS) -> tuple[int, int]:
    """The whole sentence a list item belongs to: from the lead-in ("The research explored:") through the
    item that ends the sentence, when the item is a fragment of it (starts in lower case, or does not end
    a sentence), some item closes the sentence and the whole fits in `budget` characters; else the item
    itself (a list whose items carry no punctuation is quoted item by item). Read from the passage's
    text, paragraph by paragraph, so a lead-in too short to be evidence ("Probe:") still counts."""
    span = (item.start, item.end)
    fragment = bool(_FRAGMENT_START.match(item.text))
    if not fragment and _ENDS_SENTENCE.search(item.text):
        return span
    chunk = item.passage.chunk
    paragraphs = _paragraphs(chunk)
    own = _paragraph_of(item, paragraphs)
    if own is None or any(char.isalnum() for char in chunk.text[own[0] - chunk.start : item.start - chunk.start]):
        return span  # a sentence inside a paragraph is no list item
    start, end = span
    if fragment:
        for p_start, _, text in reversed([p for p in paragraphs if p[1] <= item.start]):
            if text.endswith(":"):
                start = p_start
                break
            if not _FRAGMENT_START.match(text):
                return span  # no lead-in: not a list
        else:
            return span
    if not _ENDS_SENTENCE.search(item.text):
        for _, p_end, text in (p for p in paragraphs if p[0] >= item.end):
            if not _FRAGMENT_START.match(text):
                return span  # the list never closes its sentence: each item stands alone
            if _ENDS_SENTENCE.search(text):
                end = p_end
                break
        else:
            return span
    return (start, end) if end - start <= budget else span


def table_row(item: Evidence, budget: int = LIST_SENTENCE_CHARS) -> tuple[int, int]:
    """The whole table row a sentence is part of ("Synchronicity | Do the data sets refer to the same time?
    And are ...? | If datasets span ..."): a cell's sentence means little without the row's other cells. A
    row longer than `budget` leaves the sentence alone."""
    own = _paragraph_of(item, _paragraphs(item.passage.chunk))
    if own is not None and item.end <= own[1] and " | " in own[2] and own[1] - own[0] <= budget:
        return own[0], own[1]
    return item.start, item.end


def _paragraph_of(item: Evidence, paragraphs: Sequence[tuple[int, int, str]]) -> tuple[int, int, str] | None:
    """The paragraph an item starts in."""
    return next((p for p in paragraphs if p[0] <= item.start < p[1]), None)


def _paragraphs(chunk: ChunkRecord) -> list[tuple[int, int, str]]:
    """(start, end, stripped text) of each blank-line-separated paragraph of a chunk, in document offsets."""
    return [
        (m.start() + chunk.start, m.end() + chunk.start, m.group().strip()) for m in _PARAGRAPH.finditer(chunk.text)
    ]


def list_after(lead_in: Evidence, budget: int = LIST_SENTENCE_CHARS) -> int:
    """Where the list that a lead-in ("... at an average of:") introduces ends: its items are what it says,
    and items such as "• WIC: 10 percent" are too short to be quoted on their own. Items are the bulleted or
    lower-case paragraphs right after it, as many as fit in `budget` characters with the lead-in; without
    any, the lead-in's own end. A list cut short, by the budget or by the passage's end, ends at its last
    item that ends a sentence, so the quote never stops inside an item that runs on."""
    chunk = lead_in.passage.chunk
    end = safe_end = lead_in.end
    for p_start, p_end, text in (p for p in _paragraphs(chunk) if p[0] >= lead_in.end):
        between = chunk.text[end - chunk.start : p_start - chunk.start]
        if between.strip() or not (_LIST_ITEM.match(text) or _FRAGMENT_START.match(text)):
            return end  # the lead-in's paragraph goes on, or the list has ended: all of it is taken
        if p_end - lead_in.start > budget:
            return safe_end
        end = p_end
        if _ENDS_SENTENCE.search(text):
            safe_end = end
    return safe_end if safe_end > lead_in.end else end  # the passage ends: the list may go on past it


def _contains(outer: Evidence, inner: Evidence) -> bool:
    same_chunk = outer.passage.chunk.chunk_id == inner.passage.chunk.chunk_id
    return same_chunk and outer.start <= inner.start and inner.end <= outer.end


def _key(evidence: Evidence) -> tuple[str, int, int]:
    return (evidence.passage.chunk.chunk_id, evidence.start, evidence.end)


def order_points(points: list[list[Evidence]]) -> list[list[Evidence]]:
    """Group by document (best document first); within a document the best point leads, so the answer
    opens with its most direct statement, and the rest follow the document's own order."""
    best_by_doc: dict[str, list[Evidence]] = {}
    for point in points:
        doc_id = point[0].passage.chunk.doc_id
        if doc_id not in best_by_doc or point[0].score > best_by_doc[doc_id][0].score:
            best_by_doc[doc_id] = point

    def place(point: list[Evidence]) -> tuple[float, bool, int]:
        lead = best_by_doc[point[0].passage.chunk.doc_id]
        return (-lead[0].score, point is not lead, point[0].start)

    return sorted(points, key=place)


def quoted_answer(
    question: str, support: Sequence[Evidence], evidence: Sequence[Evidence]
) -> tuple[str, list[Citation]]:
    """Answer text and citations from the supporting sentences: the best points, each widened to stand on its
    own (with the scored `evidence` of its passage), grouped by document."""
    points = order_points(
        with_context(
            select_evidence(support), evidence, explain=asks_how_or_why(question), asked=frozenset(tokenize(question))
        )
    )
    return compose([(point[0].text, point) for point in points])


def compose(points: Sequence[tuple[str, Sequence[Evidence]]]) -> tuple[str, list[Citation]]:
    """Markdown answer from (sentence, evidence) points: each sentence ends with its citations' markers.

    Consecutive points from the same document share a paragraph; a passage cited twice keeps its number.
    """
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    paragraphs: list[list[str]] = []
    last_doc: str | None = None
    for sentence, backing in points:
        markers = ""
        for evidence in backing:
            key = (evidence.passage.chunk.doc_id, evidence.start, evidence.end)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(citation_for(evidence, numbers[key]))
            markers += f"[{numbers[key]}]"
        doc_id = backing[0].passage.chunk.doc_id
        if doc_id != last_doc:
            paragraphs.append([])
            last_doc = doc_id
        paragraphs[-1].append(f"{as_sentence(sentence)} {markers}")
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs), citations


def citation_for(evidence: Evidence, n: int) -> Citation:
    chunk = evidence.passage.chunk
    return Citation(
        n=n,
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        title=chunk.title,
        source=chunk.source,
        section=chunk.section,
        page=chunk.page,
        quote=evidence.text,
        start=evidence.start,
        end=evidence.end,
        score=round(evidence.score, 4),
    )


def as_sentence(text: str) -> str:
    """One line of answer text: the quote as prose, with stray markers neutralised; nothing is added to it."""
    return re.sub(r"\[(\d{1,3})\]", r"(\1)", as_prose(text))
