"""Browser fixtures: a real `evidence serve` over the sample corpus and headless Chromium (Playwright, sync)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.servers import Server, copy_of_sample, running_server
from tests.e2e.ui import ADMIN, READER, UI_TIMEOUT_MS, VIEWPORT, open_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`evidence serve` without login, over its own copy of the sample store (tests may add documents)."""
    with running_server(copy_of_sample(tmp_path_factory, "e2e-open")) as running:
        yield running


@pytest.fixture(scope="session")
def auth_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("auth") / "users.json"
    users = [
        {"username": ADMIN[0], "password_sha256": hashlib.sha256(ADMIN[1].encode()).hexdigest(), "admin": True},
        {"username": READER[0], "password": READER[1], "admin": False},
    ]
    path.write_text(json.dumps({"users": users}), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def auth_server(tmp_path_factory: pytest.TempPathFactory, auth_file: Path) -> Iterator[Server]:
    """A second server that requires login (EVIDENCE_AUTH_FILE)."""
    home = copy_of_sample(tmp_path_factory, "e2e-auth")
    with running_server(home, env={"EVIDENCE_AUTH_FILE": str(auth_file)}) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM}: `make test` installs it (or apt install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page; errors on the page fail no test but are kept for asserts."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(new_page: Page, server: Server) -> Page:
    """The open app, loaded and ready for a question."""
    open_app(new_page, server.url)
    return new_page
