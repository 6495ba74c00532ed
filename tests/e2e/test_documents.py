"""Documents through the browser: upload, answer at once, hostile content stays text, removal."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.ui import UI_TIMEOUT_MS, ask, open_citation, upload

ZEBRA = """# Zebra Valley community navigator pilot

## Findings

The Zebra Valley pilot trained 42 volunteer navigators to help older people find community services.

Navigators met residents in libraries and GP surgeries every week during the pilot.
"""

# Markdown keeps raw HTML verbatim in the stored text, so this is what an unescaped UI would execute.
HOSTILE_MARKDOWN = """# Quokka Harbour <img src=x onerror="window.__pwned=1"> review

## Findings <script>window.__pwned=1</script>

The Quokka Harbour hospice opened a bereavement cafe for families of patients. <script>window.__pwned=1</script>

Staff at the Quokka Harbour hospice said <img src=x onerror="window.__pwned=1"> the cafe reduced isolation for carers.

Quokka Harbour volunteers kept a [harbour log](javascript:window.__pwned=1) and
<a href="javascript:window.__pwned=1">click</a> notes.
"""

HOSTILE_HTML = """<html><head><title>Marmot ward visit</title></head>
<body><h1>Marmot ward visit</h1>
<script>window.__pwned=1</script>
<p>The Marmot ward team introduced hourly hydration rounds for frail patients.</p>
<p><img src=x onerror="window.__pwned=1">Inspectors saw the Marmot ward hydration rounds recorded on charts.</p>
<p><a href="javascript:window.__pwned=1">click</a> to read the Marmot ward action plan.</p>
</body></html>
"""


def pwned(page: Page) -> object:
    return page.evaluate("window.__pwned")


def test_uploaded_document_is_answerable_at_once(page: Page, tmp_path: Path) -> None:
    document = tmp_path / "zebra-valley-pilot.md"
    document.write_text(ZEBRA, encoding="utf-8")
    report = upload(page, document)
    expect(report).to_contain_text("Added")
    expect(report).to_contain_text("Zebra Valley community navigator pilot")

    answer = ask(page, "How many volunteer navigators did the Zebra Valley pilot train?")
    expect(answer).to_contain_text("42 volunteer navigators")
    expect(answer).to_contain_text("[1]")
    card = page.locator("#evidence article.ev-card").first
    expect(card).to_contain_text("Zebra Valley community navigator pilot")
    expect(card).to_contain_text("zebra-valley-pilot.md")
    expect(open_citation(page, 1)).to_contain_text("The Zebra Valley pilot trained 42 volunteer navigators")

    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents-table")).to_contain_text("zebra-valley-pilot.md")


def test_hostile_documents_render_as_text_and_run_nothing(page: Page, tmp_path: Path) -> None:
    markdown = tmp_path / "quokka-harbour-notes.md"
    markdown.write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    html_page = tmp_path / "marmot-ward.html"
    html_page.write_text(HOSTILE_HTML, encoding="utf-8")
    report = upload(page, markdown, html_page)
    expect(report).to_contain_text('<img src=x onerror="window.__pwned=1">')  # the title, shown as text
    assert pwned(page) is None

    answer = ask(page, "What did the Quokka Harbour hospice open?")
    expect(answer).to_contain_text("bereavement cafe")
    expect(answer).to_contain_text("<script>window.__pwned=1</script>")  # shown, not run
    assert answer.locator("script, img, a[href^='javascript']").count() == 0
    card = page.locator("#evidence article.ev-card").first
    expect(card).to_contain_text('Quokka Harbour <img src=x onerror="window.__pwned=1"> review')
    mark = open_citation(page, 1)
    expect(mark).to_contain_text("<script>window.__pwned=1</script>")
    viewer = page.locator("#source-viewer")
    expect(viewer).to_contain_text('<a href="javascript:window.__pwned=1">click</a>')
    expect(viewer).to_contain_text("[harbour log](javascript:window.__pwned=1)")
    for area in ("#evidence", "#source-viewer", "#chat"):
        injected = page.locator(f"{area} script, {area} img[src='x'], {area} a[href^='javascript']")
        assert injected.count() == 0
    assert pwned(page) is None

    ask(page, "What did the Marmot ward team introduce?")
    expect(page.locator("#evidence article.ev-card").first).to_contain_text("Marmot ward")
    open_citation(page, 1)
    expect(page.locator("#source-viewer")).to_contain_text("hydration rounds")

    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents-table")).to_contain_text("quokka-harbour-notes.md")
    page.locator("#remove-doc").click()  # the document list (titles) opens as plain text
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert pwned(page) is None


def test_remove_document(page: Page, tmp_path: Path) -> None:
    document = tmp_path / "wombat-ward-review.txt"
    document.write_text(
        "Wombat ward review\n\nThe Wombat ward installed ceiling hoists in every bay during the review year.\n",
        encoding="utf-8",
    )
    upload(page, document)
    expect(ask(page, "What did the Wombat ward install?")).to_contain_text("ceiling hoists")

    page.get_by_role("tab", name="Documents").click()
    choice = page.locator("#remove-doc input")
    choice.click()
    choice.fill("wombat")
    page.get_by_role("option", name="Wombat ward review (wombat-ward-review)").click()
    page.locator("#remove-button").click()
    expect(page.locator("#remove-result")).to_contain_text("Removed", timeout=UI_TIMEOUT_MS)
    expect(page.locator("#documents-table")).not_to_contain_text("wombat-ward-review.txt")

    page.get_by_role("tab", name="Ask").click()
    expect(ask(page, "What did the Wombat ward install?")).not_to_contain_text("ceiling hoists")
