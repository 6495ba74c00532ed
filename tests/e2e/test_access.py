"""Who may reach what over HTTP when login is on: plain requests (httpx) against a real `evidence serve`.

Anonymous requests must be refused on every route but the login page and the static front-end build;
signed-in readers must not reach the admin handlers by any route; an uploaded file, a session and a
queued event belong to the user who made them. docs/security.md describes the model these check.
"""

from __future__ import annotations

import json
import re
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio.routes import App
from gradio_client import Client

from assistant.access import same_origin
from tests.e2e.servers import Server
from tests.e2e.ui import ADMIN, READER

QUESTION = "Which NHS ambulance service employed pharmacists?"
# Words from the stored documents and their answers: none may appear in a refusal or on the login page.
DOCUMENT_WORDS = ("Collaborating for better care", "cqc-collaborating", "cqc-state-of-care", "pharmacist", "Ambulance")
# What an anonymous visitor may fetch: the login page, the login form's POST, the public front-end build
# and Gradio's startup ping (launch() itself calls it, with no cookie).
PUBLIC_PATHS = {
    "/",
    "/login",
    "/login/",
    "/logout",
    "/favicon.ico",
    "/theme.css",
    "/gradio_api/theme.css",
    "/robots.txt",
    "/manifest.json",
    "/pwa_icon",
    "/pwa_icon/{size}",
    "/gradio_api/startup-events",
    "/assets/{path:path}",
    "/static/{path:path}",
    "/svelte/{path:path}",
}
TIMEOUT = httpx.Timeout(120.0, connect=10.0)


# --- helpers ---------------------------------------------------------------------------------------------
def client(server: Server, user: tuple[str, str] | None = None) -> httpx.Client:
    """A cookie-keeping client; signed in as `user` through the login form when given."""
    http = httpx.Client(base_url=server.url.rstrip("/"), timeout=TIMEOUT, trust_env=False)
    if user is not None:
        response = http.post("/login", data={"username": user[0], "password": user[1]})
        assert response.status_code == 200, response.text
    return http


@pytest.fixture
def anonymous(auth_server: Server) -> Iterator[httpx.Client]:
    http = client(auth_server)
    yield http
    http.close()


@pytest.fixture
def admin(auth_server: Server) -> Iterator[httpx.Client]:
    http = client(auth_server, ADMIN)
    yield http
    http.close()


@pytest.fixture
def reader(auth_server: Server) -> Iterator[httpx.Client]:
    http = client(auth_server, READER)
    yield http
    http.close()


def status_of(http: httpx.Client, method: str, url: str, **kwargs: Any) -> tuple[int, str]:
    """Status and the first bytes of the body, without waiting for a stream (heartbeat, queue) to end."""
    with http.stream(method, url, **kwargs) as response:
        head = b""
        for chunk in response.iter_bytes():
            head += chunk
            if len(head) >= 2000 or b"\n\n" in head:
                break
        return response.status_code, head.decode("utf-8", errors="replace")


def gradio_routes() -> list[tuple[str, str]]:
    """(method, path) of every HTTP route Gradio's server app declares, as installed (not a hand-made list)."""
    app = App.create_app(gr.Blocks())
    found: set[tuple[str, str]] = set()

    def walk(routes: Any) -> None:
        for route in routes:
            methods = getattr(route, "methods", None)
            if methods and isinstance(getattr(route, "path", None), str):
                found.update((method, route.path) for method in methods)
            for nested in (
                getattr(route, "routes", None),
                getattr(getattr(route, "original_router", None), "routes", None),
            ):
                if nested:
                    walk(nested)

    walk(app.routes)
    assert ("POST", "/gradio_api/upload") in found and ("GET", "/gradio_api/file={path_or_url:path}") in found
    return sorted(found)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def api_ids(http: httpx.Client) -> dict[str, int]:
    """api_name -> fn_index, from the signed-in page config."""
    config = http.get("/config").json()
    return {dep["api_name"]: dep["id"] for dep in config["dependencies"] if dep.get("api_name")}


def upload(http: httpx.Client, name: str, text: str) -> httpx.Response:
    return http.post("/gradio_api/upload", files={"files": (name, text.encode("utf-8"), "text/markdown")})


def file_data(path: str, name: str) -> dict[str, Any]:
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def stored_ids(admin: httpx.Client, session: str) -> list[str]:
    """Document ids in the live store, as the Documents tab lists them (refreshed in `session`)."""
    response = admin.post("/gradio_api/run/on_load", json={"data": [], "session_hash": session})
    assert response.status_code == 200, response.text
    return [row[1] for row in response.json()["data"][0]["value"]["data"]]


def events(http: httpx.Client, url: str, *last: str) -> list[str]:
    """Server-sent event lines of `url` up to the first one containing any of `last` (bounded by TIMEOUT)."""
    lines: list[str] = []
    with http.stream("GET", url) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line:
                lines.append(line)
            if any(marker in line for marker in last):
                break
    return lines


# --- anonymous -------------------------------------------------------------------------------------------
def test_every_route_refuses_anonymous_requests(auth_server: Server, anonymous: httpx.Client) -> None:
    routes = gradio_routes()
    leaks = []
    for method, path in routes:
        if path in PUBLIC_PATHS or method not in {"GET", "HEAD", "POST"}:
            continue
        kwargs: dict[str, Any] = {"json": {"data": [QUESTION], "session_hash": "anon"}} if method == "POST" else {}
        status, body = status_of(anonymous, method, concrete(path), **kwargs)
        if status != 401 or any(word.lower() in body.lower() for word in DOCUMENT_WORDS):
            leaks.append(f"{method} {path} -> {status} {body[:80]!r}")
    assert not leaks, f"{len(leaks)} of {len(routes)} routes answer anonymous requests:\n" + "\n".join(leaks)


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "/config", None),
        ("GET", "/gradio_api/info", None),
        ("POST", "/gradio_api/call/ask", {"data": [QUESTION]}),
        ("POST", "/gradio_api/run/ask", {"data": [QUESTION]}),
        ("POST", "/gradio_api/queue/join", {"data": [QUESTION], "fn_index": 0, "session_hash": "anon-1"}),
        ("GET", "/gradio_api/queue/data?session_hash=anon-1", None),
        ("GET", "/gradio_api/heartbeat/anon-1", None),
        ("POST", "/gradio_api/run/remove_document", {"data": ["cqc-collaborating-for-better-care"]}),
        ("GET", "/gradio_api/file=/etc/hostname", None),
    ],
)
def test_data_routes_refuse_anonymous_requests_with_real_payloads(
    anonymous: httpx.Client, method: str, path: str, payload: dict[str, Any] | None
) -> None:
    status, body = status_of(anonymous, method, path, **({"json": payload} if payload else {}))
    assert status == 401, body
    assert not any(word.lower() in body.lower() for word in DOCUMENT_WORDS)


def test_login_page_carries_no_api_description_or_document_data(anonymous: httpx.Client) -> None:
    page = anonymous.get("/")
    assert page.status_code == 200
    config = json.loads(re.search(r"window\.gradio_config = (.*?);</script>", page.text, re.S).group(1))  # type: ignore[union-attr]
    assert config["auth_required"] is True and config["components"] == [] and config["dependencies"] == []
    api_info = json.loads(re.search(r"window\.gradio_api_info = (.*?);</script>", page.text, re.S).group(1))  # type: ignore[union-attr]
    assert api_info.get("named_endpoints") == {} and not api_info.get("unnamed_endpoints")
    assert not any(word.lower() in page.text.lower() for word in DOCUMENT_WORDS)


# --- other web sites -------------------------------------------------------------------------------------
def test_pages_of_other_sites_cannot_use_a_signed_in_browser(reader: httpx.Client, anonymous: httpx.Client) -> None:
    """Behind a proxy (Host is a real name) Gradio's CORS lets any origin send credentialed requests and
    read the answers, and its login cookie is SameSite=None: the gate refuses foreign Origins itself."""
    site = "evidence.example.org"
    own = {"Host": site, "Origin": f"https://{site}"}
    foreign = {"Host": site, "Origin": "https://evil.example"}
    ask = {"data": [QUESTION]}
    assert reader.post("/gradio_api/run/ask", json=ask, headers=own).status_code == 200
    for headers in (foreign, {**foreign, "X-Forwarded-Host": "evil.example"}, {"Host": site, "Origin": "null"}):
        response = reader.post("/gradio_api/run/ask", json=ask, headers=headers)
        assert response.status_code == 403 and "pharmacist" not in response.text.lower(), (headers, response.text)
        assert reader.get("/config", headers=headers).status_code == 403
    login = anonymous.post("/login", data={"username": READER[0], "password": READER[1]}, headers=foreign)
    assert login.status_code == 403 and "set-cookie" not in login.headers


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        (None, "evidence.example.org", True),  # same-origin GET, gradio_client, curl
        ("http://127.0.0.1:7860", "127.0.0.1:7860", True),
        ("https://evidence.example.org", "evidence.example.org", True),
        ("https://evidence.example.org", "evidence.example.org:443", True),
        ("https://Evidence.Example.org:8443", "evidence.example.org:8443", True),
        ("https://evil.example", "evidence.example.org", False),
        ("https://evidence.example.org:8443", "evidence.example.org", False),  # a proxy that drops the port
        ("http://evidence.example.org", "evidence.example.org:443", False),
        ("null", "evidence.example.org", False),
        ("https://evidence.example.org", "evidence.example.org:99999", False),
    ],
)
def test_same_origin(origin: str | None, host: str, same: bool) -> None:
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    assert same_origin({"type": "http", "headers": headers}) is same


# --- uploads ---------------------------------------------------------------------------------------------
def test_an_upload_is_served_only_to_its_uploader(
    anonymous: httpx.Client, admin: httpx.Client, reader: httpx.Client
) -> None:
    text = f"# Draft review {uuid.uuid4().hex}\n\nAn unpublished finding about one trust.\n"
    response = upload(admin, "draft-review.md", text)
    assert response.status_code == 200, response.text
    path = response.json()[0]
    folder = Path(path).parents[1]

    assert admin.get(f"/gradio_api/file={path}").text == text
    respelled = f"{folder}/./{Path(path).parent.name}//{Path(path).name}"
    for url in (f"/gradio_api/file={path}", f"/gradio_api/file={respelled}", f"/gradio_api/file/{path}"):
        refused = reader.get(url)
        assert refused.status_code == 403 and "unpublished" not in refused.text, (url, refused.text)
        assert anonymous.get(url).status_code == 401

    assert not Path(path).is_relative_to("/tmp/gradio"), "uploads must not land in the machine-wide Gradio cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700, f"{folder} is readable by other local accounts"


def test_a_reader_cannot_upload(reader: httpx.Client) -> None:
    response = upload(reader, "reader-note.md", "# Note\n\nA reader's file.\n")
    assert response.status_code == 403, response.text
    assert "Only administrators" in response.json()["detail"]


# --- admin handlers --------------------------------------------------------------------------------------
def test_a_reader_cannot_ingest_or_remove_by_any_route(admin: httpx.Client, reader: httpx.Client) -> None:
    admin_session = f"alice-{uuid.uuid4().hex}"
    name = f"access-probe-{uuid.uuid4().hex[:8]}.md"
    text = "# Access probe\n\nThe probe clinic employed seven practice nurses.\n"
    path = upload(admin, name, text).json()[0]
    added = admin.post("/gradio_api/run/ingest", json={"data": [[file_data(path, name)]]})
    assert added.status_code == 200 and "Added" in added.text, added.text
    doc_id = name.removesuffix(".md")
    before = stored_ids(admin, admin_session)
    assert doc_id in before and "cqc-collaborating-for-better-care" in before

    other = upload(admin, "second-probe.md", "# Second probe\n\nAnother finding.\n").json()[0]
    ids = api_ids(reader)
    bob_session = f"bob-{uuid.uuid4().hex}"
    remove = {"data": [doc_id]}
    ingest = {"data": [[file_data(other, "second-probe.md")]]}
    attempts = [
        ("/gradio_api/run/remove_document", remove),
        ("/gradio_api/api/remove_document", remove),
        ("/gradio_api/call/remove_document", remove),
        ("/gradio_api/call/v2/remove_document", {"remove_choice": doc_id}),
        ("/gradio_api/queue/join", {**remove, "fn_index": ids["remove_document"], "session_hash": bob_session}),
        ("/gradio_api/run/ask", {**remove, "fn_index": ids["remove_document"]}),  # a name, and another index
        ("/gradio_api/run/ingest", ingest),
        ("/gradio_api/call/ingest", ingest),
        ("/gradio_api/queue/join", {**ingest, "fn_index": ids["ingest"], "session_hash": bob_session}),
    ]
    for url, payload in attempts:
        response = reader.post(url, json=payload)
        assert response.status_code == 403, (url, response.status_code, response.text)
        assert "Only administrators" in response.json()["detail"], (url, response.text)

    assert stored_ids(admin, admin_session) == before
    removed = admin.post("/gradio_api/run/remove_document", json={**remove, "session_hash": admin_session})
    assert removed.status_code == 200 and "Removed" in removed.text, removed.text
    assert doc_id not in stored_ids(admin, admin_session)


# --- sessions and events -----------------------------------------------------------------------------------
def test_a_session_and_its_events_belong_to_their_user(admin: httpx.Client, reader: httpx.Client) -> None:
    ask = api_ids(reader)["ask"]
    session = f"bob-{uuid.uuid4().hex}"
    joined = reader.post("/gradio_api/queue/join", json={"data": [QUESTION], "fn_index": ask, "session_hash": session})
    assert joined.status_code == 200, joined.text
    event = joined.json()["event_id"]

    for url in (
        f"/gradio_api/queue/data?session_hash={session}",
        f"/gradio_api/heartbeat/{session}",
        f"/gradio_api/deep_link?session_hash={session}",
    ):
        status, body = status_of(admin, "GET", url)
        assert status == 403 and "pharmacist" not in body.lower(), (url, status, body)
    cancel = admin.post("/gradio_api/cancel", json={"session_hash": session, "fn_index": ask, "event_id": event})
    assert cancel.status_code == 403, cancel.text

    lines = events(reader, f"/gradio_api/queue/data?session_hash={session}", "process_completed", "unexpected_error")
    completed = json.loads(lines[-1].removeprefix("data: "))
    assert completed["success"] and completed["output"]["data"][0]["citations"], completed

    called = reader.post("/gradio_api/call/ask", json={"data": [QUESTION]})
    assert called.status_code == 200, called.text
    call_event = called.json()["event_id"]
    status, _ = status_of(admin, "GET", f"/gradio_api/call/ask/{call_event}")
    assert status == 403
    streamed = events(reader, f"/gradio_api/call/ask/{call_event}", "event: complete", "event: error")
    assert streamed[-1] == "event: complete", streamed


# --- the Python client -------------------------------------------------------------------------------------
def test_gradio_client_needs_a_login_and_works_with_one(auth_server: Server) -> None:
    with pytest.raises(Exception, match=r"(?i)credentials|login|401"):
        Client(auth_server.url, verbose=False)
    result = Client(auth_server.url, auth=READER, verbose=False).predict(QUESTION, api_name="/ask")
    answer = json.loads(result) if isinstance(result, str) else dict(result)
    assert answer["citations"] and not answer["abstained"]
