"""The chat in a real browser: cited answers, evidence cards, the source viewer, follow-ups, briefings."""

from __future__ import annotations

from pathlib import Path

import docx
from playwright.sync_api import Page, expect

from tests.e2e.servers import ROOT
from tests.e2e.ui import ANSWER_TIMEOUT_MS, UI_TIMEOUT_MS, ask, bot_messages, open_citation

PHARMACISTS = "Which NHS ambulance service employed pharmacists?"
SCREENSHOT = ROOT / "docs" / "screenshot.png"


def test_first_load_offers_example_questions_and_empty_states(page: Page) -> None:
    chat = page.locator("#chat")
    expect(chat).to_contain_text("Which NHS ambulance service employed pharmacists?")
    expect(chat).to_contain_text("What did dentists say about system-level collaboration?")
    expect(page.locator("#evidence")).to_contain_text("Citations appear here")
    expect(page.locator("#source-viewer")).to_contain_text("View in source")


def test_question_gets_a_cited_answer_with_evidence_cards(page: Page) -> None:
    answer = ask(page, PHARMACISTS)
    expect(answer).to_contain_text("North West Ambulance Service")
    expect(answer).to_contain_text("[1]")
    card = page.locator("#evidence article.ev-card").first
    expect(card).to_contain_text("North West Ambulance Service")
    expect(card).to_contain_text("Collaborating for better care")
    expect(card.locator("mark")).to_contain_text("North West Ambulance Service employed pharmacists")
    expect(card.locator("button.ev-open")).to_have_text("View in source ›")


def test_view_in_source_highlights_the_quoted_passage_in_the_document(page: Page) -> None:
    ask(page, PHARMACISTS)
    quote = page.locator("#evidence article.ev-card").first.locator("mark").inner_text()
    mark = open_citation(page, 1)
    expect(mark).to_have_text(quote)
    assert "North West Ambulance Service employed pharmacists" in quote
    viewer = page.locator("#source-viewer")
    expect(viewer.locator(".ev-title")).to_have_text("Collaborating for better care")
    expect(viewer.locator(".src-body")).to_contain_text("The pandemic has magnified issues")  # the whole document
    mark_box, body_box = mark.bounding_box(), viewer.locator(".src-body").bounding_box()
    assert mark_box is not None and body_box is not None
    assert body_box["y"] <= mark_box["y"] <= body_box["y"] + body_box["height"]  # scrolled into view


BROAD = "What helped providers collaborate?"  # answered with several findings


def test_clicking_a_card_opens_its_citation_too(page: Page) -> None:
    ask(page, BROAD)
    cards = page.locator("#evidence article.ev-card")
    expect(cards.nth(1)).to_be_visible()
    cards.nth(1).locator(".ev-meta").click()
    expect(page.locator('#source-viewer mark.current[data-cite="2"]')).to_be_visible()


def test_follow_up_question_uses_the_conversation(page: Page) -> None:
    first = ask(page, "Did adult social care providers feel excluded from system-level collaboration?")
    expect(first).to_contain_text("[1]")
    follow_up = ask(page, "What about dentists?")
    expect(follow_up).to_contain_text("dentists")
    expect(follow_up).to_contain_text("[1]")
    expect(page.locator("#evidence article.ev-card", has_text="dentists").first).to_be_visible()
    page.locator("#briefing-panel").get_by_text("Copy for briefing").click()
    expect(page.locator("#briefing")).to_contain_text(
        "**Question:** What about dentists? (following: Did adult social care providers feel excluded"
    )


def test_example_question_can_be_clicked(page: Page) -> None:
    page.locator("#chat").get_by_text("What did dentists say about system-level collaboration?").click()
    expect(bot_messages(page)).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(bot_messages(page).first).to_contain_text("dentists")
    expect(page.locator("#evidence article.ev-card").first).to_be_visible()


def test_off_topic_question_shows_no_supporting_evidence(page: Page) -> None:
    answer = ask(page, "What is the capital of France?")
    expect(answer).to_contain_text("No supporting evidence found")
    expect(page.locator("#evidence #no-evidence")).to_contain_text("No supporting evidence found")
    expect(page.locator("#evidence article.ev-card")).to_have_count(0)


def test_selecting_an_earlier_answer_shows_its_evidence(page: Page) -> None:
    ask(page, PHARMACISTS)
    ask(page, "What did dentists say about system-level collaboration?")
    bot_messages(page).first.click()
    expect(page.locator("#evidence .ev-question")).to_contain_text(PHARMACISTS)
    expect(page.locator("#evidence article.ev-card").first).to_contain_text("North West Ambulance Service")


def test_briefing_snippet_copy_and_downloads(page: Page, tmp_path: Path) -> None:
    ask(page, PHARMACISTS)
    page.locator("#briefing-panel").get_by_text("Copy for briefing").click()
    code = page.locator("#briefing")
    expect(code).to_contain_text("**Question:** Which NHS ambulance service employed pharmacists?")
    expect(code).to_contain_text("[1] Collaborating for better care")
    expect(code).to_contain_text("Source: cqc-collaborating-for-better-care.txt, version 1, ingested")
    expect(code.get_by_role("button", name="Copy")).to_be_visible()

    with page.expect_download(timeout=UI_TIMEOUT_MS) as markdown_download:
        page.locator("#briefing-md").click()
    markdown_path = tmp_path / markdown_download.value.suggested_filename
    markdown_download.value.save_as(markdown_path)
    assert markdown_path.suffix == ".md"
    markdown = markdown_path.read_text(encoding="utf-8")
    assert markdown.startswith("**Question:** Which NHS ambulance service employed pharmacists?")
    assert "> North West Ambulance Service employed pharmacists" in markdown

    with page.expect_download(timeout=UI_TIMEOUT_MS) as docx_download:
        page.locator("#briefing-docx").click()
    docx_path = tmp_path / docx_download.value.suggested_filename
    docx_download.value.save_as(docx_path)
    text = "\n".join(paragraph.text for paragraph in docx.Document(str(docx_path)).paragraphs)
    assert "North West Ambulance Service employed pharmacists" in text and "[1] Collaborating for better care" in text


def test_readme_screenshot(page: Page) -> None:
    """docs/screenshot.png: a cited answer with its evidence and one citation open in its source."""
    ask(page, BROAD)
    expect(page.locator("#evidence article.ev-card").nth(1)).to_be_visible()
    page.locator('#evidence button.ev-open[data-cite="1"]').dispatch_event("click")  # as a user would: no scrolling
    expect(page.locator('#source-viewer mark.current[data-cite="1"]')).to_be_visible()
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)  # let the scroll to the highlighted passage settle before the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000


def test_filter_to_selected_documents(page: Page) -> None:
    page.locator("#options").get_by_text("Answer options").click()
    choice = page.locator("#doc-filter input")
    choice.click()
    choice.fill("governance")
    page.get_by_role("option", name="(cqc-state-of-care-2019-20-system-wide-governance)").click()
    page.keyboard.press("Escape")
    ask(page, "How did collaboration between health and social care change during COVID-19?")
    metas = page.locator("#evidence article.ev-card .ev-meta")
    expect(metas.first).to_be_visible()
    for meta in metas.all():
        expect(meta).to_contain_text("cqc-state-of-care-2019-20-system-wide-governance.txt")
