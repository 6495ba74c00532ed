"""Page helpers for the browser tests: every wait is bounded."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

VIEWPORT = {"width": 1400, "height": 900}
ANSWER_TIMEOUT_MS = 90_000  # the first question also loads the embedding model
UI_TIMEOUT_MS = 20_000

ADMIN = ("alice", "alice-secret")
READER = ("bob", "bob-secret")


def open_app(page: Page, url: str) -> None:
    page.goto(url, timeout=60_000)
    expect(page.locator("#question textarea")).to_be_visible(timeout=60_000)


def bot_messages(page: Page) -> Locator:
    return page.locator('#chat [data-testid="bot"]')


def ask(page: Page, question: str) -> Locator:
    """Type a question, wait for its answer and its evidence; return the answer's chat message."""
    answers = bot_messages(page)
    before = answers.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#evidence .ev-question")).to_contain_text(question, timeout=UI_TIMEOUT_MS)
    return answers.nth(before)


def open_citation(page: Page, n: int = 1) -> Locator:
    """Click "View in source" on card n; return the highlighted passage in the source viewer."""
    page.locator(f'#evidence button.ev-open[data-cite="{n}"]').click()
    mark = page.locator(f'#source-viewer mark.current[data-cite="{n}"]')
    expect(mark).to_be_visible(timeout=UI_TIMEOUT_MS)
    return mark


def upload(page: Page, *paths: Path) -> Locator:
    """Add files on the Documents tab and ingest them; return the ingest report."""
    page.get_by_role("tab", name="Documents").click()
    page.locator("#upload-files input[type=file]").set_input_files([str(path) for path in paths])
    uploaded = page.locator('#upload-files a[href*="/gradio_api/file="]')  # one link per file, once uploaded
    expect(uploaded).to_have_count(len(paths), timeout=UI_TIMEOUT_MS)
    page.locator("#ingest-button").click()
    report = page.locator("#ingest-report")
    expect(report.locator("li")).to_have_count(len(paths), timeout=ANSWER_TIMEOUT_MS)
    page.get_by_role("tab", name="Ask").click()
    return report


def login(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url, timeout=60_000)
    page.get_by_label("username").fill(username)
    page.get_by_label("password").fill(password)
    page.get_by_role("button", name="Login").click()
