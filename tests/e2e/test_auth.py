"""Login and admin rights: a real server with EVIDENCE_AUTH_FILE, plus the handlers' own checks."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest
from playwright.sync_api import Page, expect

from app import EvidenceUI
from assistant.auth import AuthFileError, User, authenticator, load_users
from assistant.settings import Settings
from tests.e2e.servers import Server, evidence_command, server_env
from tests.e2e.ui import ADMIN, READER, UI_TIMEOUT_MS, ask, login


# --- in the browser ------------------------------------------------------------------------------------
def test_anonymous_visitor_sees_only_the_login_form(new_page: Page, auth_server: Server) -> None:
    new_page.goto(auth_server.url, timeout=60_000)
    expect(new_page.get_by_role("button", name="Login")).to_be_visible(timeout=60_000)
    expect(new_page.get_by_label("password")).to_be_visible()
    expect(new_page.locator("#question")).to_have_count(0)
    expect(new_page.locator("#chat")).to_have_count(0)


def test_wrong_password_is_refused(new_page: Page, auth_server: Server) -> None:
    login(new_page, auth_server.url, ADMIN[0], "not-the-password")
    expect(new_page.get_by_text("Incorrect Credentials")).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(new_page.locator("#question")).to_have_count(0)


def test_reader_can_ask_but_cannot_upload_or_remove(new_page: Page, auth_server: Server) -> None:
    login(new_page, auth_server.url, *READER)
    expect(new_page.locator("#question textarea")).to_be_visible(timeout=60_000)
    expect(new_page.locator("#header")).to_contain_text("bob · reader")
    expect(ask(new_page, "Which NHS ambulance service employed pharmacists?")).to_contain_text("[1]")
    new_page.get_by_role("tab", name="Documents").click()
    expect(new_page.locator("#admin-notice")).to_contain_text("Only administrators can add or remove documents.")
    expect(new_page.locator("#documents-table")).to_contain_text("cqc-collaborating-for-better-care.txt")
    expect(new_page.locator("#upload-files")).to_be_hidden()
    expect(new_page.locator("#ingest-button")).to_be_hidden()
    expect(new_page.locator("#remove-button")).to_be_hidden()


def test_admin_can_log_in_and_sees_the_upload_controls(new_page: Page, auth_server: Server) -> None:
    login(new_page, auth_server.url, *ADMIN)
    expect(new_page.locator("#question textarea")).to_be_visible(timeout=60_000)
    expect(new_page.locator("#header")).to_contain_text("alice · admin")
    new_page.get_by_role("tab", name="Documents").click()
    expect(new_page.locator("#upload-files")).to_be_visible()
    expect(new_page.locator("#ingest-button")).to_be_visible()
    expect(new_page.locator("#remove-button")).to_be_visible()
    expect(new_page.locator("#admin-notice")).to_have_text("")


# --- the handlers refuse non-admins even when called directly -----------------------------------------
class _Store:
    def documents(self) -> list[Any]:
        return []


class _Assistant:
    """Records ingest/remove calls; the checks must refuse before any of them happen."""

    def __init__(self) -> None:
        self.store = _Store()
        self.calls: list[str] = []

    def ingest(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("ingest")
        raise AssertionError("ingest must not run for a non-admin")


USERS = {"alice": User("alice", True, password="a"), "bob": User("bob", False, password="b")}


def ui(users: dict[str, User] | None = USERS) -> tuple[EvidenceUI, _Assistant]:
    assistant = _Assistant()
    return EvidenceUI(Settings(), assistant, users), assistant  # type: ignore[arg-type]


@pytest.mark.parametrize("username", ["bob", None, "mallory"])
def test_upload_and_remove_refuse_non_admins(username: str | None, tmp_path: Path) -> None:
    handlers, assistant = ui()
    request = SimpleNamespace(username=username)
    with pytest.raises(gr.Error, match="Only administrators"):
        handlers.upload([str(tmp_path / "x.md")], request)  # type: ignore[arg-type]
    with pytest.raises(gr.Error, match="Only administrators"):
        handlers.remove("cqc-collaborating-for-better-care", request)  # type: ignore[arg-type]
    assert assistant.calls == []


def test_admin_rights() -> None:
    handlers, _ = ui()
    assert handlers.is_admin(SimpleNamespace(username="alice"))  # type: ignore[arg-type]
    assert not handlers.is_admin(SimpleNamespace(username="bob"))  # type: ignore[arg-type]
    assert not handlers.is_admin(None)
    open_install, _ = ui(users=None)
    assert open_install.is_admin(None)  # no auth file: local single-user use


# --- the auth file --------------------------------------------------------------------------------------
def write_users(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "users.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def test_auth_file_with_hashed_and_plain_passwords(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"s3cret").hexdigest().upper()
    path = write_users(
        tmp_path,
        {
            "users": [
                {"username": "alice", "password_sha256": digest, "admin": True},
                {"username": "bob", "password": "plain-for-dev"},
            ]
        },
    )
    users = load_users(path)
    assert users["alice"].admin and not users["bob"].admin
    check = authenticator(users)
    assert check("alice", "s3cret") and check("bob", "plain-for-dev")
    assert not check("alice", "S3cret") and not check("bob", "") and not check("carol", "s3cret")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ({"people": []}, "must look like"),
        ({"users": [{"username": "a"}]}, "exactly one of"),
        ({"users": [{"username": "a", "password": "x", "password_sha256": "0" * 64}]}, "exactly one of"),
        ({"users": [{"username": "a", "password_sha256": "abc"}]}, "64 hex"),
        ({"users": [{"username": "", "password": "x"}]}, "non-empty"),
        ({"users": [{"username": "a", "password": "x", "admin": "yes"}]}, "true or false"),
        ({"users": [{"username": "a", "password": "x"}, {"username": "a", "password": "y"}]}, "twice"),
    ],
)
def test_invalid_auth_file_is_one_clear_error(tmp_path: Path, content: object, message: str) -> None:
    with pytest.raises(AuthFileError, match=message) as raised:
        load_users(write_users(tmp_path, content))
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("problem", ["missing", "invalid"])
def test_serve_with_a_bad_auth_file_exits_with_one_line(tmp_path: Path, problem: str) -> None:
    path = tmp_path / "users.json"
    if problem == "invalid":
        path.write_text('{"users": [', encoding="utf-8")
    env = server_env(tmp_path / "home", {"EVIDENCE_AUTH_FILE": str(path)})
    result = subprocess.run(
        [str(evidence_command()), "serve", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: auth file") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
