from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answering import (
    answer_type,
    as_sentence,
    asks_how_or_why,
    compose,
    counted_words,
    has_answer_type,
    is_question,
    is_title,
    list_after,
    list_sentence,
    mentions,
    mentions_numbers,
    order_points,
    question_entities,
    quotable_passages,
    select_evidence,
    supporting,
    table_row,
    with_context,
)
from assistant.citations import invariant_problems, marker_numbers
from assistant.lexical import tokenize
from assistant.service import extractive_answer

from .fakes import Evidence, evidence


def test_select_keeps_best_and_drops_weak_sentences() -> None:
    items = [
        evidence("Ambulance services employed pharmacists in call centres.", 0.8),
        evidence("Pharmacists in call centres helped people avoid A&E.", 0.7, start=100),
        evidence("Care homes struggled to reach GPs during the first wave.", 0.3, start=200),
    ]
    points = select_evidence(items)
    texts = [point[0].text for point in points]
    assert texts == [items[0].text, items[1].text]


def test_close_scores_give_at_most_six_points() -> None:
    findings = [
        "Ambulance services employed pharmacists in call centres.",
        "Care homes struggled to reach GPs during the first wave.",
        "Hospices expanded end of life care at home.",
        "Dentists set up urgent dental care clusters.",
        "Volunteers delivered food parcels to shielding people.",
        "Councils found hotel rooms for homeless people.",
        "Leaders met daily on system-wide calls.",
        "Shared records let staff see test results.",
    ]
    items = [evidence(text, 0.8 - n / 100, start=100 * n) for n, text in enumerate(findings)]
    assert [point[0] for point in select_evidence(items)] == items[:6]


def test_near_duplicate_from_another_document_is_cited_together() -> None:
    first = evidence("Local systems accelerated collaborative working across health and social care.", 0.8)
    twin = evidence(
        "Local systems accelerated collaborative working across health and social care services.", 0.78, "doc-b"
    )
    same_doc_twin = evidence(
        "Local systems accelerated collaborative working across health and social care!", 0.77, start=300
    )
    points = select_evidence([first, twin, same_doc_twin])
    assert len(points) == 1
    assert [item.passage.chunk.doc_id for item in points[0]] == ["doc-a", "doc-b"]
    text, citations = compose([(points[0][0].text, points[0])])
    assert text.endswith("[1][2]")
    assert [citation.doc_id for citation in citations] == ["doc-a", "doc-b"]


def test_points_are_grouped_by_document_best_first_then_in_document_order() -> None:
    a_middle = evidence("Second finding of document A, in the middle of the text.", 0.9, "doc-a", start=500)
    b_only = evidence("The only finding taken from document B here.", 0.85, "doc-b", start=10)
    a_early = evidence("First finding of document A, earlier in the text.", 0.8, "doc-a", start=20)
    a_late = evidence("Third finding of document A, late in the text.", 0.82, "doc-a", start=900)
    ordered = order_points([[a_middle], [b_only], [a_late], [a_early]])
    assert [point[0].start for point in ordered] == [500, 20, 900, 10]
    text, citations = compose([(point[0].text, point) for point in ordered])
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].count("[") == 3 and paragraphs[1].endswith("[4]")
    assert [citation.n for citation in citations] == [1, 2, 3, 4]


def test_every_marker_has_a_citation_and_quotes_are_verbatim() -> None:
    document = "Intro. Ambulance services employed pharmacists in call centres. Outro."
    start = document.index("Ambulance")
    item = evidence("Ambulance services employed pharmacists in call centres.", 0.9, start=start)
    text, citations = compose([(item.text, [item])])
    answer = {"answer": text, "abstained": False, "citations": [c.as_dict() for c in citations]}
    assert marker_numbers(text) == [1]
    assert invariant_problems(answer, lambda doc_id: document) == []
    broken = {**answer, "answer": text + " More [2]."}
    assert invariant_problems(broken, lambda doc_id: document) == ["marker [2] has no citation"]


def test_markers_inside_document_text_cannot_fake_citations() -> None:
    assert as_sentence("See the annex [4] for details.") == "See the annex (4) for details."
    assert as_sentence("Already ends well.") == "Already ends well."


def test_answer_sentences_show_prose_and_add_nothing() -> None:
    assert as_sentence("A bullet the document did not end") == "A bullet the document did not end"
    assert as_sentence("A well-\nled service, open  to\nall.") == "A well-led service, open to all."
    assert as_sentence("Better manage-\nment of beds.") == "Better management of beds."


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much did the NHS spend on PPE in 2021?", "money"),
        ("How much money did NHS England allocate to it?", "money"),
        ("What was the budget of the Sussex ICS?", "money"),
        ("What is the population of Birmingham?", "quantity"),
        ("How many care homes were reviewed?", "quantity"),
        ("When was the Sussex ICS formed?", "time"),
        ("What target date was set for integrating social care?", "time"),
        ("Name of the hospice that worked with the council", "name"),
        ("In which area did local businesses donate PPE?", "name"),
        ("Which areas set up sector cells?", None),
        ("Which NHS ambulance service employed pharmacists?", None),
        ("How did local businesses help community pharmacies?", None),
        ("How long did patients wait for a first assessment?", "duration"),
        ("How long did reviewers spend checking themes for a response?", "duration"),
        ("How long is the river?", "quantity"),
        ("How much of their time did analysts spend flowing data?", "quantity"),
        ("In what year did France lay siege to Montpellier?", "time"),
        ("By what percentage did cancer referrals fall?", "share"),
        ("What proportion of patients had chemotherapy at home?", "share"),
        ("What share of prescriptions went through EPS?", "share"),
        ("What annual fee does the council charge for the licence?", "money"),
        ("What would it cost to extend the scheme to every carer?", "money"),
        ("What response rate did the staff survey achieve?", "quantity"),
        ("What F1 score did the classifier reach?", "quantity"),
        ("What charges were brought against the provider?", None),
    ],
)
def test_answer_type(question: str, kind: str | None) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        ("quantity", "Across the 11 local areas we reviewed, plans differed.", True),
        ("quantity", "Across the Black Country and West Birmingham STP, a risk matrix was adopted.", False),
        ("quantity", "COVID-19 in 2020/21 changed services from 8am-8pm.", False),
        ("money", "The programme cost £4.2m over two years.", True),
        ("money", "The NHS 2021/22 priorities document set out plans.", False),
        ("time", "The Sussex ICS was newly formed in April 2020.", True),
        ("time", "A care home manager was called at 10:30pm one night.", True),
        ("quantity", "In one local system, expectant mothers were supported.", False),
        ("time", "The siege of Montpellier ended in 1622.", True),
        ("duration", "The outcome of each division is known in seconds.", True),
        ("duration", "Patients waited 14 weeks.", True),
        ("duration", "Patients waited for a long time.", False),
        ("quantity", "The outcome of each division is known in seconds.", False),
        ("share", "Referrals fell by 34% in April.", True),
        ("share", "One in five respondents said they would go to A&E.", True),
        ("share", "Half of the staff had been vaccinated by March.", True),
        ("share", "24 of their residents had tested positive.", False),
        ("share", "The service saw 120 patients in the first week.", False),
        (None, "Anything at all.", True),
    ],
)
def test_has_answer_type(kind: str | None, sentence: str, expected: bool) -> None:
    assert has_answer_type(kind, sentence) is expected


def test_a_number_the_question_names_is_not_its_answer() -> None:
    sentence = "North West Ambulance Service employed pharmacists in their NHS 111 call centres."
    assert not has_answer_type("quantity", sentence, "How many pharmacists worked in NHS 111 call centres?")
    assert has_answer_type("quantity", "Across the 11 local areas we reviewed.", "How many of the 111 areas?")


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many pages long is the standard?", ("page", "long")),
        ("How many of the 111 care homes closed?", ("care", "home")),
        ("How many of the annual surveys has it run?", ("annual", "survey")),
        ("How many Dexcom sensors should be prescribed?", ("dexcom", "sensor")),
        ("How many mental health beds were closed?", ("mental", "bed")),
        ("How many Hertfordshire respondents could not book online?", ("hertfordshir", "respond")),
        ("How many Huguenots lived there?", ("huguenot", "live")),
        ("How many times did the cell meet?", ()),
        ("What is the population of Birmingham?", ()),
    ],
)
def test_counted_words(question: str, counted: tuple[str, ...]) -> None:
    assert counted_words(question) == counted


def test_a_how_many_question_wants_a_count_of_what_it_asks_about() -> None:
    question = "How many residents died at the care home?"
    assert has_answer_type("quantity", "Two residents died in the first week.", question)
    assert not has_answer_type("quantity", "24 people tested positive and staff were isolated.", question)


def test_a_possessive_name_matches_the_plain_name() -> None:
    passage = evidence("In Lincolnshire, cells were created for palliative care.", 0.6).passage
    assert mentions(passage, "Lincolnshire's")
    assert mentions(passage, "Lincolnshire’s")
    assert not mentions(passage, "Sussex's")


def test_names_match_whatever_their_accents_and_hyphenated_prefixes() -> None:
    passage = evidence("Kusala died four days after a banquet with Tugh Temür.", 0.6).passage
    assert mentions(passage, "Tugh Temur")
    passage = evidence("Funds went through the al-Haramain Foundation.", 0.6).passage
    assert mentions(passage, "Haramain Foundation")
    assert not mentions(passage, "Rabita Foundation")


def test_a_name_word_inflected_otherwise_is_still_mentioned() -> None:
    passage = evidence("In 1995 Bill Clinton signed the National Highway Designation Act.", 0.6).passage
    assert mentions(passage, "National Highway Designated Act")
    assert mentions(evidence("The French colonies grew.", 0.6).passage, "French Colony")
    assert not mentions(passage, "National Highway Safety Act")


def test_a_person_is_mentioned_by_title_and_surname() -> None:
    passage = evidence("Mr Johnson confirmed that he did not consider any assessments.", 0.6).passage
    assert mentions(passage, "Boris Johnson") and mentions(passage, "Boris Johnson's")
    assert not mentions(passage, "Boris Becker")
    assert not mentions(evidence("Johnson Street was closed.", 0.6).passage, "Boris Johnson")
    assert mentions(evidence("Professor Vallance noted a gap.", 0.6).passage, "Patrick Vallance")


def test_a_document_is_mentioned_by_its_format() -> None:
    docx = replace(evidence("Page 3 is blank.", 0.6).passage.chunk, source="sample.docx")
    passage = replace(evidence("Page 3 is blank.", 0.6).passage, chunk=docx)
    assert mentions(passage, "Word") and not mentions(passage, "PDF")
    pdf = replace(passage, chunk=replace(docx, source="Report.PDF"))
    assert mentions(pdf, "PDF") and not mentions(pdf, "Markdown")


def test_the_cover_page_names_the_document_but_does_not_date_its_findings() -> None:
    cover = "Online GP services. A report by Healthwatch Hertfordshire, February 2023."
    passage = replace(evidence("A third of respondents could not book online.", 0.6).passage, about=cover)
    assert mentions(passage, "Hertfordshire") and not mentions(passage, "Essex")
    assert not mentions_numbers(passage, "How many could not book online in 2023?")


def test_a_year_or_number_in_the_document_s_name_names_the_document() -> None:
    """ "In the Q2 2024 patient experience report, ..." names the report by its file name or title, which a
    finding inside it does not repeat."""
    finding = evidence("A third of respondents could not book online.", 0.6, doc_id="tower-hamlets-q2-2024")
    assert mentions_numbers(finding.passage, "In the Q2 2024 Tower Hamlets report, how many could not book online?")
    assert not mentions_numbers(finding.passage, "In the Q3 2025 report, how many could not book online?")


def test_a_number_the_question_names_must_be_stated_in_figures_or_words() -> None:
    passage = evidence("In 2020 the third wave hit 24 care homes; those aged 45-54 knew of PDF 2.0.", 0.6).passage
    assert mentions_numbers(passage, "How many of the 24 care homes closed in 2020?")
    assert mentions_numbers(passage, "What happened in the 3rd wave?")  # "third"
    assert mentions_numbers(passage, "What did people in the 45 to 54 age group know?")  # a range states both
    assert mentions_numbers(passage, "When did COVID-19 reach the homes?")  # a name's number is not asked for
    assert mentions_numbers(passage, "What is new in PDF 2.0?")
    assert not mentions_numbers(passage, "What was the name of the care home where 25 residents tested positive?")
    assert not mentions_numbers(passage, "When was PDF 2.1 published?")
    assert not mentions_numbers(passage, "Who was Genghis's 4th son?")


def test_supporting_filters_by_threshold_and_kind() -> None:
    strong = evidence("Across the Black Country STP, a risk matrix was adopted.", 0.6)
    weak = evidence("Some unrelated sentence about dentists and access.", 0.1)
    assert supporting("What did the Black Country adopt?", [strong, weak]) == [strong]
    assert supporting("What is the population of the Black Country?", [strong, weak]) == []


def test_sentence_pointing_back_is_quoted_with_its_antecedent() -> None:
    chunk_text = "GPs were not visiting care homes. This was because of access issues within care homes."
    first = evidence(chunk_text, 0.0)  # one passage holding both sentences
    split = chunk_text.index("This")
    lead = Evidence(first.passage, 0, split - 1, chunk_text[: split - 1], 0.5)
    pointing = Evidence(first.passage, split, len(chunk_text), chunk_text[split:], 0.8)
    points = with_context([[pointing], [lead]], [lead, pointing])
    assert len(points) == 1
    assert points[0][0].text == chunk_text and points[0][0].start == 0 and points[0][0].end == len(chunk_text)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How did community pharmacies get PPE when supplies were short?", True),
        ("Why was old oil withdrawn from the market?", True),
        ("How many care homes were reviewed?", False),
        ("What did CQC find about dentists?", False),
    ],
)
def test_asks_how_or_why(question: str, expected: bool) -> None:
    assert asks_how_or_why(question) is expected


def test_a_how_question_s_best_point_takes_the_next_sentence_of_its_paragraph() -> None:
    text = (
        "Some pharmacies had difficulty getting PPE. Local businesses donated PPE to them.\n\nA new paragraph follows."
    )
    parts = _split(
        text,
        [
            "Some pharmacies had difficulty getting PPE.",
            "Local businesses donated PPE to them.",
            "A new paragraph follows.",
        ],
        {"Some pharmacies had difficulty getting PPE.": 0.8, "Local businesses donated PPE to them.": 0.3},
    )
    assert with_context([[parts[0]]], parts)[0][0].text == parts[0].text
    widened = with_context([[parts[0]]], parts, explain=True)[0][0]
    assert widened.text == "Some pharmacies had difficulty getting PPE. Local businesses donated PPE to them."
    second = with_context([[parts[1]]], parts, explain=True)[0][0]
    assert second.text == parts[1].text  # the paragraph ends there


def test_the_best_point_takes_the_next_sentence_when_that_says_what_the_question_asks() -> None:
    """ "What did the service change after its survey ...?": the sentence most like the question restates the
    survey; the next one, which has the asked word ("change"), says what changed."""
    first = "Its survey showed lower satisfaction among referred customers."
    following = "The service changed its referral procedure in January."
    parts = _split(
        f"{first} {following}\n\nA new paragraph follows.", [first, following, "A new paragraph follows."], {}
    )
    asked = frozenset(tokenize("What did the service change after its survey showed lower satisfaction?"))
    assert with_context([[parts[0]]], parts, asked=asked)[0][0].text == f"{first} {following}"
    unrelated = frozenset(tokenize("What did the survey show about satisfaction?"))
    assert with_context([[parts[0]]], parts, asked=unrelated)[0][0].text == first
    assert with_context([[parts[1]]], parts, asked=asked)[0][0].text == following  # its paragraph ends there


def test_a_list_item_opening_with_their_does_not_point_back() -> None:
    text = "Probe:\n\n• their view of the triggers\n\n• their understanding that the triggers come from HMRC"
    parts = _split(text, ["their view of the triggers", "their understanding that the triggers come from HMRC"], {})
    scored = [replace(parts[0], score=0.8), replace(parts[1], score=0.2)]
    points = with_context([[scored[0]]], scored)
    assert points[0][0].text == "their view of the triggers"


@pytest.mark.parametrize(
    ("question", "entities"),
    [
        ("What CQC rating did Frimley Park Hospital get?", ["Frimley Park Hospital"]),
        ("How did provider collaboration work in Scotland?", ["Scotland"]),
        ("What powers did NHS England take on?", ["NHS England"]),
        ("According to the King's Fund, what did collaboration allow?", ["King's Fund"]),
        ("Which NHS ambulance service employed pharmacists?", []),
        ("What did CQC find about dentists?", []),
        ("Summarise CQC's findings on medicines supply.", []),
        ("Origin of the Black Country risk matrix?", ["Black Country"]),
        ("Who set up Lincolnshire's palliative care cell?", ["Lincolnshire's"]),
        ("Which providers felt left out? Name a couple.", []),
    ],
)
def test_question_entities(question: str, entities: list[str]) -> None:
    assert question_entities(question) == entities


def test_named_place_missing_from_the_passage_means_no_support() -> None:
    item = evidence("The Sussex integrated care system, or ICS, was newly formed in April 2020.", 0.8)
    assert supporting("When was the Sussex ICS formed?", [item]) == [item]
    assert supporting("When was the Kent ICS formed?", [item]) == []


@pytest.mark.parametrize(
    "question",
    ["Why did NWAS employ pharmacists?", "Which NW ambulance service employed pharmacists?", "What did NHSE do?"],
)
def test_an_abbreviated_name_matches_its_full_form(question: str) -> None:
    item = evidence("North West Ambulance Service employed pharmacists; NHS England took on powers.", 0.8)
    assert supporting(question, [item]) == [item]
    assert supporting(question.replace("N", "S", 1), [item]) == []


def test_a_year_missing_from_the_passage_means_no_support() -> None:
    item = evidence("The Sussex integrated care system (ICS) was newly formed in April 2020.", 0.8)
    assert supporting("What happened to the Sussex ICS in 2020?", [item]) == [item]
    assert supporting("What did the 2022/23 review say about the Sussex ICS?", [item]) == []


def test_a_name_question_needs_a_name_the_question_does_not_already_give() -> None:
    question = "What was the name of the dentist who led the Luton urgent dental care clusters?"
    assert answer_type(question) == "name"
    assert not has_answer_type("name", "Luton ICS dentists quickly set up urgent dental care clusters.", question)
    assert has_answer_type("name", "The Luton clusters were led by Dr Asha Patel.", question)


@pytest.mark.parametrize(
    ("lead_text", "next_text"),
    [
        (  # a sentence that only sets up the finding after it
            "We looked at the way medicines were managed for people at the end of life.",
            "It involved community pharmacies, CCGs and GP surgeries working together.",
        ),
        (  # the same, as a survey report puts it
            "Respondents were asked which devices they used to contact their practice online.",
            "Most used a mobile phone (69%) and a quarter a laptop.",
        ),
        (  # the next sentence refers back to this one
            "New command and control structures were created in response to the pandemic.",
            "The importance of these has been highlighted to us by ICS leads and commissioners.",
        ),
    ],
)
def test_lead_sentence_is_quoted_with_the_sentence_after_it(lead_text: str, next_text: str) -> None:
    chunk_text = f"{lead_text} {next_text}"
    whole = evidence(chunk_text, 0.0)
    split = len(lead_text) + 1
    lead = Evidence(whole.passage, 0, len(lead_text), lead_text, 0.7)
    after = Evidence(whole.passage, split, len(chunk_text), next_text, 0.3)
    points = with_context([[lead]], [lead, after])
    assert points[0][0].text == chunk_text


def test_a_set_up_sentence_does_not_take_the_heading_after_it() -> None:
    lead_text = "We asked participants about how they currently use GP services."
    chunk_text = f"{lead_text}\n\nPreferred appointment types"
    whole = evidence(chunk_text, 0.0)
    lead = Evidence(whole.passage, 0, len(lead_text), lead_text, 0.7)
    heading = Evidence(whole.passage, len(lead_text) + 2, len(chunk_text), "Preferred appointment types", 0.3)
    assert with_context([[lead]], [lead, heading])[0][0].text == lead_text


@pytest.mark.parametrize(
    ("text", "section", "title"),
    [
        ("Collaboration makes a difference", "Collaboration makes a difference", True),
        ("Clear escalation routes", "Governance > Clear escalation routes", True),
        (
            "Pre-existing structures and relationships enabled more effective collaboration",
            "Pre-existing structures and relationships enabled more effective collaboration",
            False,
        ),
        ("Collaboration makes a difference", None, False),
    ],
)
def test_short_headings_are_topics_not_findings(text: str, section: str | None, title: bool) -> None:
    assert is_title(text, section) is title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How have leaders collaborated across local systems during the pandemic?", True),
        ("Why did it matter?”", True),
        ("Leaders asked how they could collaborate.", False),
    ],
)
def test_is_question(text: str, expected: bool) -> None:
    assert is_question(text) is expected


def _split(chunk_text: str, parts: list[str], score_of: dict[str, float]) -> list[Evidence]:
    """Evidence for each part of one passage, at its offset in the passage."""
    whole = evidence(chunk_text, 0.0)
    items = []
    for part in parts:
        start = chunk_text.index(part)
        items.append(Evidence(whole.passage, start, start + len(part), part, score_of.get(part, 0.1)))
    return items


LIST_TEXT = (
    "The research explored:\n\n"
    "• whether there is variation between software providers;\n\n"
    "• their understanding of the risk triggers; and\n\n"
    "• how agents responded to them."
)
LIST_PARTS = [
    "The research explored:",
    "whether there is variation between software providers;",
    "their understanding of the risk triggers; and",
    "how agents responded to them.",
]


@pytest.mark.parametrize("item", LIST_PARTS[1:])
def test_a_list_item_is_quoted_as_the_whole_sentence_it_belongs_to(item: str) -> None:
    parts = _split(LIST_TEXT, LIST_PARTS, {item: 0.8})
    point = [part for part in parts if part.text == item]
    quoted = with_context([point], parts)[0][0]
    assert quoted.text == LIST_TEXT and (quoted.start, quoted.end) == (0, len(LIST_TEXT))


def test_a_list_too_long_to_quote_whole_leaves_the_item_alone() -> None:
    parts = _split(LIST_TEXT, LIST_PARTS, {LIST_PARTS[2]: 0.8})
    item = next(part for part in parts if part.text == LIST_PARTS[2])
    assert list_sentence(item, budget=60) == (item.start, item.end)


def test_a_list_lead_in_too_short_to_be_evidence_still_opens_the_quote() -> None:
    text = "Probe:\n\n• their understanding of the triggers\n\n• whether providers vary.\n\nWith reference to Part 1"
    parts = _split(
        text, ["their understanding of the triggers", "whether providers vary.", "With reference to Part 1"], {}
    )
    assert list_sentence(parts[0]) == (0, parts[1].end)


def test_items_of_a_list_that_never_closes_its_sentence_are_quoted_alone() -> None:
    """A quote from the lead-in to an item in mid-list would stop mid-sentence."""
    text = "Probe:\n\n• their understanding of the triggers\n\n• whether providers vary\n\nWith reference to Part 1"
    parts = _split(
        text, ["their understanding of the triggers", "whether providers vary", "With reference to Part 1"], {}
    )
    assert [list_sentence(part) for part in parts[:2]] == [(part.start, part.end) for part in parts[:2]]


GAP_TEXT = (
    "At 6 months of age, the rate of infants exclusively breastfed has remained fairly constant at an average of:"
    "\n\n• WIC: 10 percent\n\n• Non-WIC: 22 percent\n\nHowever, solid foods may be provided."
)


def test_a_lead_in_carries_the_short_items_it_introduces() -> None:
    """The items say what the lead-in announces; too short to be evidence, they are no sentence of their own."""
    lead_in = _split(GAP_TEXT, [GAP_TEXT.split("\n")[0]], {})[0]
    assert GAP_TEXT[lead_in.start : list_after(lead_in)].endswith("• Non-WIC: 22 percent")
    assert list_after(lead_in, budget=len(lead_in.text) + 10) == lead_in.end  # not even one item fits
    assert list_after(lead_in, budget=len(lead_in.text) + 22) == lead_in.end  # nor a run-on item, cut short
    long_list = GAP_TEXT.replace("WIC: 10 percent", "WIC: 10 percent, as before.")
    long_lead_in = _split(long_list, [long_list.split("\n")[0]], {})[0]
    cut = list_after(long_lead_in, budget=len(long_lead_in.text) + 40)
    assert long_list[long_lead_in.start : cut].endswith("as before.")  # the last item that ends a sentence
    runs_on = "They suggested:\n\n• Links to other software.\n\n• A tick box acknowledgement"  # the passage ends
    suggested = _split(runs_on, ["They suggested:"], {})[0]
    assert runs_on[: list_after(suggested)].endswith("other software.")
    (point,) = with_context([[lead_in]], [lead_in])
    assert point[0].text.endswith("22 percent") and point[0].text == GAP_TEXT[point[0].start : point[0].end]


def test_a_sentence_widened_to_a_lead_in_takes_its_list() -> None:
    """ "Consult aims to ... It does this in two stages:" ends at the colon unless the stages come too."""
    text = (
        "Consult aims to speed up analysis. It does this using a two stage process:\n\n"
        "1. Theme generation: identify common themes.\n\n2. Theme mapping: classify the responses.\n\nWhy evaluate?"
    )
    lead, lead_in = _split(text, ["Consult aims to speed up analysis.", "It does this using a two stage process:"], {})
    (point,) = with_context([[lead]], [lead, lead_in])
    assert point[0].text.endswith("classify the responses.") and point[0].text == text[point[0].start : point[0].end]


def test_a_sentence_in_a_table_row_is_quoted_with_its_row() -> None:
    """A cell's second sentence ("And are the PIDs ...?") means little without the row's other cells."""
    row = (
        "Synchronicity | Do the data sets refer to the same time frame? And are the PIDs collected at the same "
        "time? | If datasets span different times, we must adjust for these differences."
    )
    text = f"Linkage checks\n\n{row}\n\nSource of data | What categories do the data sets fall into?"
    heading, first, second, reason = _split(
        text,
        [
            "Linkage checks",
            "Synchronicity | Do the data sets refer to the same time frame?",
            "And are the PIDs collected at the same time?",
            "| If datasets span different times, we must adjust for these differences.",
        ],
        {},
    )
    (point,) = with_context([[second]], [heading, first, second, reason])
    assert point[0].text == row and point[0].text == text[point[0].start : point[0].end]
    assert table_row(second, budget=50) == (second.start, second.end)  # a longer row: the sentence alone


def test_a_lead_in_whose_paragraph_goes_on_takes_no_list() -> None:
    text = "Three themes stood out: staffing and funding. They were linked.\n\n• a later list\n\nEnd."
    lead_in = _split(text, ["Three themes stood out: staffing and funding."], {})[0]
    assert list_after(lead_in) == lead_in.end
    before_prose = _split("They cited:\n\nStaffing was short.\n\n• an item", ["They cited:"], {})[0]
    assert list_after(before_prose) == before_prose.end  # what follows is no item: the list is not there


def test_a_lower_case_sentence_without_a_lead_in_is_not_a_list() -> None:
    text = "Figures were provisional. the rest followed; later"
    parts = _split(text, ["Figures were provisional.", "the rest followed; later"], {})
    assert list_sentence(parts[1]) == (parts[1].start, parts[1].end)
    text = "It covered:\n\nTrusts said so. the rest followed; later"  # mid-paragraph, whatever came before
    parts = _split(text, ["Trusts said so.", "the rest followed; later"], {})
    assert list_sentence(parts[1]) == (parts[1].start, parts[1].end)


def test_the_passages_quoted_from_are_those_with_the_best_sentences() -> None:
    intro = evidence("The review looked at how providers worked together.", 0.50, doc_id="intro")
    method = evidence("We spoke to leaders in eleven areas.", 0.30, doc_id="method")
    finding = evidence("Hospices expanded end of life care at home.", 0.70, doc_id="finding")
    passages = [intro.passage, method.passage, finding.passage]
    assert quotable_passages(passages, [intro, method, finding], k=2) == [finding.passage, intro.passage]
    tied = replace(finding, score=0.50)  # a tie goes to the passage retrieval ranked higher
    assert quotable_passages(passages, [intro, method, tied], k=1) == [intro.passage]


def test_whether_to_answer_is_judged_on_the_retrieval_s_own_passages() -> None:
    question = "How did hospices help?"
    weak = evidence("Some areas had few meetings.", 0.05, doc_id="top")
    strong = evidence("Hospices expanded end of life care at home.", 0.8, doc_id="wider")
    assert extractive_answer(question, [weak], [strong]).abstained
    judged = evidence("Hospices worked with GPs.", 0.8, doc_id="top")
    answer = extractive_answer(question, [judged], [strong, judged])
    assert not answer.abstained and answer.citations[0].quote == strong.text
