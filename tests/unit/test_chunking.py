"""Finding-aware chunking, on both CQC documents and on small made-up documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunking import MAX_CHARS, Chunk, chunk_document, chunk_sentences
from ingest.cleaning import boilerplate_blocks
from ingest.loaders import load_document
from ingest.pipeline import chunk_ids
from ingest.sentences import sentence_spans
from ingest.structure import Block, LoadedDocument, segment_markdown, segment_plain_text
from tests.conftest import COLLABORATING, GOVERNANCE

CQC = [COLLABORATING, GOVERNANCE]
NAVIGATION_STARTS = ("Next page", "Previous page", "Page last updated", "Categories", "Contents", "Go to the latest")


def load(path: Path) -> tuple[LoadedDocument, set[int], list[Chunk]]:
    document = load_document(path, path.read_bytes())
    furniture = boilerplate_blocks(document.text, document.blocks)
    return document, furniture, chunk_document(document, furniture)


def markdown(text: str, title: str = "T") -> LoadedDocument:
    return LoadedDocument(text, title, tuple(segment_markdown(text)))


@pytest.fixture(scope="module", params=CQC, ids=lambda path: path.stem)
def cqc(request: pytest.FixtureRequest) -> tuple[LoadedDocument, set[int], list[Chunk]]:
    return load(request.param)


# --- the CQC documents --------------------------------------------------------------------


def test_chunks_are_verbatim_ordered_and_disjoint(cqc) -> None:
    document, _, chunks = cqc
    assert len(chunks) >= 10
    previous_end = 0
    for chunk in chunks:
        assert chunk.text == document.text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip()
        assert previous_end <= chunk.start < chunk.end
        assert chunk.page is None  # plain text has no pages
        previous_end = chunk.end


def test_chunks_are_bounded(cqc) -> None:
    _, _, chunks = cqc
    assert max(len(chunk.text) for chunk in chunks) <= MAX_CHARS
    assert min(len(chunk.text) for chunk in chunks) >= 100  # no stray labels or fragments


def test_no_chunk_is_navigation_or_contents(cqc) -> None:
    _, _, chunks = cqc
    for chunk in chunks:
        for line in chunk.text.splitlines():
            assert not line.strip().startswith(NAVIGATION_STARTS), line
        assert chunk.text not in {"Public", "Tackling health inequalities"}


def test_no_chunk_overlaps_furniture(cqc) -> None:
    document, furniture, chunks = cqc
    assert furniture
    for index in furniture:
        block = document.blocks[index]
        for chunk in chunks:
            assert block.end <= chunk.start or block.start >= chunk.end, document.text[block.start : block.end]


@pytest.mark.parametrize(
    "phrase",
    [
        "Tackling health inequalities",
        "Deprivation of Liberty Safeguards",
        "Quality overall before the pandemic",
        "Care that is harder to plan for was of poorer quality",
        "The impact of COVID-19 on DoLS",
        "How did care providers collaborate to keep people safe?",
        "The impact of digital solutions and technology",
        "Ensuring sufficient health and care skills where they were needed",
        "This is the 2019/20 edition",
        "Page last updated",
    ],
)
def test_trailing_contents_and_links_are_in_no_chunk(phrase: str) -> None:
    for path in CQC:
        _, _, chunks = load(path)
        assert not any(phrase in chunk.text for chunk in chunks), (path.name, phrase)


def test_every_finding_is_in_some_chunk(cqc) -> None:
    document, furniture, chunks = cqc
    covered = [False] * len(document.text)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    for index, block in enumerate(document.blocks):
        if index not in furniture and block.kind != "heading":
            assert all(covered[block.start : block.end]), document.text[block.start : block.end][:60]


def test_sections_follow_the_headings(cqc) -> None:
    document, furniture, chunks = cqc
    headings = [
        block
        for index, block in enumerate(document.blocks)
        if block.kind == "heading"
        and index not in furniture
        and document.text[block.start : block.end] != document.title
    ]
    assert headings
    for chunk in chunks:
        before = [block for block in headings if block.start <= chunk.start]
        if before:
            assert chunk.section == document.text[before[-1].start : before[-1].end]
        else:
            assert chunk.section is None
    assert sum(chunk.section is not None for chunk in chunks) >= len(chunks) - 3


@pytest.mark.parametrize(
    ("path", "section"),
    [
        (COLLABORATING, "Navigating disruption to services"),
        (COLLABORATING, "Redesigning pathways"),
        (COLLABORATING, "Collaboration makes a difference"),
        (GOVERNANCE, "Shared decision-making"),
        (GOVERNANCE, "Clear escalation routes"),
        (GOVERNANCE, "Making sure medicines were available"),
    ],
)
def test_known_sections(path: Path, section: str) -> None:
    _, _, chunks = load(path)
    assert section in {chunk.section for chunk in chunks}


def test_title_is_not_a_section() -> None:
    document, _, chunks = load(COLLABORATING)
    assert document.title == "Collaborating for better care"
    assert all(document.title not in (chunk.section or "") for chunk in chunks)


@pytest.mark.parametrize(
    ("path", "finding"),
    [
        (COLLABORATING, "North West Ambulance Service employed pharmacists"),
        (COLLABORATING, "When we reviewed cancer services in several regions"),
        (COLLABORATING, "established 24-hour mental health crisis lines"),
        (COLLABORATING, "expectant mothers with a learning disability"),
        (GOVERNANCE, "Some dentists also told us that they felt excluded"),
        (GOVERNANCE, "In Lincolnshire there were strong views that LRF cells"),
        (GOVERNANCE, "Across the Black Country and West Birmingham STP, a risk matrix"),
        (GOVERNANCE, "Brent Care Homes Forum held weekly meetings"),
    ],
)
def test_known_findings_are_whole_under_their_own_heading(path: Path, finding: str) -> None:
    """The finding is whole in exactly one chunk, and no heading comes between it and the chunk's start."""
    document, _, chunks = load(path)
    block = next(block for block in document.blocks if finding in document.text[block.start : block.end])
    holding = [chunk for chunk in chunks if finding in chunk.text]
    assert len(holding) == 1
    chunk = holding[0]
    assert chunk.start <= block.start and block.end <= chunk.end
    inner_headings = [
        other for other in document.blocks if other.kind == "heading" and chunk.start < other.start < block.start
    ]
    assert not inner_headings, [document.text[b.start : b.end] for b in inner_headings]


def test_north_west_ambulance_example_stays_in_its_section() -> None:
    _, _, chunks = load(COLLABORATING)
    chunk = next(chunk for chunk in chunks if "North West Ambulance Service employed pharmacists" in chunk.text)
    assert "specific medication was made available to ambulance crews" in chunk.text
    assert chunk.section == "Navigating disruption to services"


def test_lead_in_keeps_its_first_bullet() -> None:
    _, _, chunks = load(COLLABORATING)
    chunk = next(chunk for chunk in chunks if "Systems tried to ensure access in different ways" in chunk.text)
    assert "A general practice worked with the voluntary sector" in chunk.text


@pytest.mark.parametrize("max_chars", [300, 500, 800, MAX_CHARS])
@pytest.mark.parametrize("path", CQC, ids=lambda path: path.stem)
def test_max_chars_is_respected(path: Path, max_chars: int) -> None:
    document = load_document(path, path.read_bytes())
    chunks = chunk_document(document, boilerplate_blocks(document.text, document.blocks), max_chars=max_chars)
    assert chunks
    for chunk in chunks:
        assert len(chunk.text) <= max_chars
        assert chunk.text == document.text[chunk.start : chunk.end]


# --- made-up documents --------------------------------------------------------------------


def test_section_path_follows_markdown_levels() -> None:
    text = (
        "# Annual review\n\n"
        "## Safe\n\n### Medicines\n\n"
        "Medicines were stored securely and checked every single day by trained staff.\n\n"
        "### Staffing\n\n"
        "Night shifts were often short of one nurse, according to the rotas we saw.\n\n"
        "## Well led\n\n"
        "Leaders were visible and staff said they felt listened to and supported.\n"
    )
    document = markdown(text, title="Annual review")
    chunks = chunk_document(document)
    by_phrase = {
        phrase: next(c for c in chunks if phrase in c.text) for phrase in ("Medicines were", "Night", "Leaders")
    }
    assert by_phrase["Medicines were"].section == "Safe > Medicines"
    assert by_phrase["Night"].section == "Safe > Staffing"
    assert by_phrase["Leaders"].section == "Well led"
    assert len({id(chunk) for chunk in by_phrase.values()}) == 3


def test_headings_only_make_no_chunks() -> None:
    document = markdown("# One\n\n## Two\n\n### Three\n")
    assert chunk_document(document) == []
    assert chunk_document(LoadedDocument("", "T", ())) == []


def test_boilerplate_blocks_are_left_out_and_split_findings() -> None:
    text = "First finding about staffing.\n\nNext page\n\nSecond finding about medicines."
    document = LoadedDocument(text, "T", tuple(segment_plain_text(text)))
    chunks = chunk_document(document, boilerplate=[1])
    assert [chunk.text for chunk in chunks] == ["First finding about staffing.", "Second finding about medicines."]


def test_short_findings_merge_and_long_ones_stand_alone() -> None:
    long_a = "Staff described long waits for assessment and some people waited months for a care package. " * 9
    long_b = "Leaders held daily calls with partners and escalated risks through a shared system dashboard. " * 9
    text = f"Short one.\n\nShort two.\n\n{long_a.strip()}\n\n{long_b.strip()}"
    document = LoadedDocument(text, "T", tuple(segment_plain_text(text)))
    chunks = chunk_document(document)
    assert [chunk.text for chunk in chunks] == [f"Short one.\n\nShort two.\n\n{long_a.strip()}", long_b.strip()]


def test_long_paragraph_is_split_at_sentences() -> None:
    sentences = [f"Finding number {index} says that the service improved in area {index}." for index in range(60)]
    text = " ".join(sentences)
    document = LoadedDocument(text, "T", (Block("paragraph", 0, len(text)),))
    chunks = chunk_document(document, max_chars=400)
    assert len(chunks) > 5
    for chunk in chunks:
        assert len(chunk.text) <= 400
        assert chunk.text.endswith(".") and chunk.text[0].isupper()
    assert " ".join(chunk.text for chunk in chunks) == text


def test_run_on_text_is_hard_wrapped_at_spaces() -> None:
    text = " ".join(f"word{index}" for index in range(800))  # one 'sentence' with no full stop
    document = LoadedDocument(text, "T", (Block("paragraph", 0, len(text)),))
    chunks = chunk_document(document, max_chars=300)
    assert all(len(chunk.text) <= 300 for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks) == text  # no word cut or lost


def test_unbroken_text_is_still_bounded() -> None:
    text = "x" * 2500
    document = LoadedDocument(text, "T", (Block("paragraph", 0, len(text)),))
    chunks = chunk_document(document, max_chars=1000)
    assert [len(chunk.text) for chunk in chunks] == [1000, 1000, 500]
    assert "".join(chunk.text for chunk in chunks) == text


def test_chunk_page_is_the_page_where_it_starts() -> None:
    page_one = "Background paragraph that is long enough to stand alone as a finding in the document. " * 4
    page_two = "The kitchen had no working fridge thermometer for three weeks."
    text = f"{page_one.strip()}\n\n{page_two}\n\n"
    document = LoadedDocument(text, "T", tuple(segment_plain_text(text)), page_starts=(0, len(page_one.strip()) + 2))
    chunks = chunk_document(document, min_chars=200)
    assert [(chunk.page, chunk.text) for chunk in chunks] == [(1, page_one.strip()), (2, page_two)]


# --- chunk ids and embedding text ---------------------------------------------------------


def test_chunk_ids_are_stable_and_unique() -> None:
    _, _, chunks = load(COLLABORATING)
    ids = chunk_ids("doc", chunks, 1)
    assert ids == chunk_ids("doc", chunks, 1)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"doc:v1:[0-9a-f]{16}", chunk_id) for chunk_id in ids)


def test_chunk_ids_change_only_for_edited_chunks() -> None:
    _, _, chunks = load(COLLABORATING)
    edited = [
        Chunk(chunk.text.replace("pharmacists", "librarians"), chunk.start, chunk.end, chunk.section, chunk.page)
        for chunk in chunks
    ]
    before, after = chunk_ids("doc", chunks, 1), chunk_ids("doc", edited, 1)
    changed = [index for index, (old, new) in enumerate(zip(before, after)) if old != new]
    assert changed == [index for index, chunk in enumerate(chunks) if "pharmacists" in chunk.text]
    assert len(changed) == 1


def test_duplicate_chunks_get_distinct_ids() -> None:
    chunk = Chunk("Same text.", 0, 10, "S", None)
    assert chunk_ids("d", [chunk, chunk, chunk], 1) == [
        chunk_ids("d", [chunk], 1)[0],
        chunk_ids("d", [chunk], 1)[0] + "-2",
        chunk_ids("d", [chunk], 1)[0] + "-3",
    ]


# --- sentences ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two is here.", ["One.", "Two is here."]),
        (
            "Care improved, e.g. in dental services. Then it fell.",
            ["Care improved, e.g. in dental services.", "Then it fell."],
        ),
        ("It cost £5 million. £2 million was saved.", ["It cost £5 million.", "£2 million was saved."]),
        ("  • A bullet finding. Another sentence.", ["A bullet finding.", "Another sentence."]),
        ("They said ‘it worked.’ Then it stopped.", ["They said ‘it worked.’", "Then it stopped."]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("version 2.5 of the plan", ["version 2.5 of the plan"]),
        ("", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert [text[start:end] for start, end in sentence_spans(text)] == expected


def test_sentence_spans_are_document_offsets() -> None:
    document, _, chunks = load(COLLABORATING)
    for chunk in chunks:
        for start, end in sentence_spans(document.text, chunk.start, chunk.end):
            assert chunk.start <= start < end <= chunk.end
            piece = document.text[start:end]
            assert piece == piece.strip() and not piece.startswith("•")


@pytest.mark.parametrize(
    ("paragraph", "quotable"),
    [
        (
            "Yes. Staff said the new rota had made night\nshifts much safer.",
            ["Staff said the new rota had made night\nshifts much safer."],
        ),
        ("Yes. No.", ["Yes.", "No."]),  # nothing longer: the fragments are all the chunk has
    ],
)
def test_chunk_sentences_drop_fragments_unless_nothing_else(paragraph: str, quotable: list[str]) -> None:
    document = LoadedDocument(paragraph, "t", (Block("paragraph", 0, len(paragraph)),))
    chunk = Chunk(paragraph, 0, len(paragraph), None, None)
    assert [paragraph[start:end] for start, end in chunk_sentences(document, chunk)] == quotable


def test_each_distinct_text_is_embedded_once_and_every_text_gets_its_vector() -> None:
    from ingest.pipeline import embed_once

    calls: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return [[float(len(text)), float(index)] for index, text in enumerate(texts)]

    told: list[tuple[int, int]] = []
    texts = ["Back to top", "A finding.", "Back to top", "Another finding here."]
    vectors = embed_once(embed, texts, lambda done, total: told.append((done, total)), slice_size=2)
    assert calls == [["A finding.", "Back to top"], ["Another finding here."]]  # by length, no repeats
    assert vectors == [[11.0, 1.0], [10.0, 0.0], [11.0, 1.0], [21.0, 0.0]]
    assert told == [(2, 3), (3, 3)]


def test_a_chunk_vector_is_the_mean_of_its_heading_and_sentences() -> None:
    from ingest.pipeline import _Prepared

    prepared = _Prepared(Path("a.txt"), "a.txt", "a", "sha", None)
    heading, first, second = prepared.add_text("Heading"), prepared.add_text("One."), prepared.add_text("Two.")
    prepared.chunk_parts, prepared.sentence_slots = [[heading, first, second], [second]], [first, second]
    chunks, sentences = prepared.vectors([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert chunks[0] == pytest.approx([1 / 5**0.5, 2 / 5**0.5])  # (1, 2) / 3, normalised
    assert chunks[1] == pytest.approx([0.0, 1.0])
    assert sentences == [[0.0, 1.0], [0.0, 1.0]]
