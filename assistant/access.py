"""The HTTP gate in front of every route of the Gradio server when login is on (docs/security.md).

Gradio's own `login_check` guards most but not all of its routes, and knows nothing of admins or of who
uploaded which file: `AccessGate` is ASGI middleware that closes those gaps.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.auth import User

API = "/gradio_api"
# What an anonymous visitor may fetch: the login page itself, the form's POST, and the public front-end
# build (the same files for every Gradio app). Everything else answers 401 before Gradio sees it.
PUBLIC_ROUTES = frozenset(
    {
        ("GET", "/"),
        ("HEAD", "/"),
        ("POST", "/login"),
        ("POST", "/login/"),
        ("GET", "/logout"),
        ("GET", "/favicon.ico"),
        ("GET", "/theme.css"),
        ("GET", f"{API}/theme.css"),
        ("GET", "/robots.txt"),
        ("GET", "/manifest.json"),
        ("GET", "/pwa_icon"),
        ("GET", f"{API}/startup-events"),  # Gradio's own launch() calls it, without a cookie; returns a boolean
    }
)
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon/")
ADMIN_ONLY_ROUTES = frozenset({f"{API}/upload", f"{API}/upload_progress", f"{API}/process_recording"})
# POST routes whose JSON body names a session (`session_hash`) or, for the call routes, an event handler.
_JSON_BODY = re.compile(rf"^{API}/(?:queue/join|cancel|reset|component_server|(?:run|api|call|call/v2)/[^/]+)/?$")
_HANDLER_CALLS = re.compile(rf"^{API}/(?:queue/join|(?:run|api|call|call/v2)/([^/]+))/?$")  # group 1: api_name
_EVENT_STARTS = re.compile(rf"^{API}/(?:queue/join|call/[^/]+|call/v2/[^/]+)/?$")  # answer {"event_id": ...}
_EVENT_READS = re.compile(rf"^{API}/(?:call/[^/]+/|call/v2/[^/]+/|stream/)([^/]+?)(?:/close)?/?$")
_SESSION_IN_PATH = re.compile(rf"^{API}/(?:heartbeat/([^/]+)|stream/([^/]+)/[^/]+/[^/]+/[^/]+)$")
_FILE = re.compile(rf"^{API}/file(?:=|/)(.*)$", re.S)
_API_INFO = re.compile(r"window\.gradio_api_info = .*?;</script>", re.S)
_INT = TypeAdapter(int)
MAX_JSON_BODY = 8 * 1024 * 1024  # the bodies read here are questions and file references, never file contents


class _Owners:
    """Which signed-in users own a key (a session, an event, an uploaded file); bounded, oldest forgotten first."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._owners: OrderedDict[str, set[str]] = OrderedDict()

    def add(self, key: str, user: str) -> None:
        self._owners.setdefault(key, set()).add(user)
        self._owners.move_to_end(key)
        while len(self._owners) > self.limit:
            self._owners.popitem(last=False)

    def allows(self, key: str, user: str) -> bool:
        """True when nobody holds `key` yet or `user` is one of its holders."""
        owners = self._owners.get(key)
        return owners is None or user in owners

    def claim(self, key: str, user: str) -> bool:
        """First use binds `key` to `user`; afterwards only that user may use it."""
        if key not in self._owners:
            self.add(key, user)
            return True
        return self.allows(key, user)


def _real(path: str) -> str:
    return os.path.realpath(path)


def _is_url(path: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", path))


def same_origin(scope: Scope) -> bool:
    """False for a browser request sent by a page of another site (its Origin is not this server's Host).

    Gradio's CORS middleware lets any origin make credentialed requests once the server is reached by a
    name other than localhost, and its login cookie is SameSite=None: without this check any web page
    a signed-in user visits could call the API as that user. Only `Host` is trusted: a page can set
    X-Forwarded-Host itself, so a reverse proxy must pass the original Host on (docs/security.md).
    """
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    if origin is None:  # not a cross-origin browser request (same-origin GETs, gradio_client, curl)
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False  # "null" (sandboxed frames, file:) and anything stranger
    default = 443 if parts.scheme == "https" else 80
    try:
        wanted = (parts.hostname, parts.port or default)
        host = urlsplit(f"//{headers.get('host', '')}")
        return host.hostname is not None and (host.hostname, host.port or default) == wanted
    except ValueError:  # a malformed port
        return False


class AccessGate:
    """ASGI middleware for a Gradio server with login on (`users` from the auth file).

    - A browser request from a page of another origin is refused (403), signed in or not.
    - Anonymous requests reach only PUBLIC_ROUTES (the login page, without its API description) and the
      static front-end build; every other route answers 401, whatever Gradio itself would do.
    - Only admins may upload files or call `admin_endpoints` (by name or by `fn_index`, on any call route).
    - A file uploaded through `/gradio_api/upload` is served only to the users who uploaded it; a Gradio
      session (`session_hash`) and a queued event are usable only by the user who opened them.
    """

    def __init__(self, app: ASGIApp, users: Mapping[str, User], admin_endpoints: Iterable[str] = ()) -> None:
        self.app = app
        self.users = dict(users)
        self.admin_endpoints = frozenset(admin_endpoints)
        self.uploads = _Owners()
        self.sessions = _Owners()
        self.events = _Owners()

    # --- who is asking ----------------------------------------------------------------------------------
    @staticmethod
    def username(scope: Scope) -> str | None:
        """The signed-in user of this request: Gradio's login cookie looked up in the server's own tokens."""
        server = scope.get("app")
        tokens, cookie_id = getattr(server, "tokens", None), getattr(server, "cookie_id", None)
        if not isinstance(tokens, dict) or not cookie_id:
            return None
        cookies = HTTPConnection(scope).cookies
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            user = tokens.get(cookies.get(name) or "")
            if isinstance(user, str):
                return user
        return None

    def is_admin(self, username: str | None) -> bool:
        user = self.users.get(username or "")
        return bool(user and user.admin)

    @staticmethod
    def api_name_of(scope: Scope, fn_index: int) -> str | None:
        server = scope.get("app")
        try:
            fn = server.get_blocks().fns.get(fn_index)  # type: ignore[union-attr]
        except Exception:
            return None
        name = getattr(fn, "api_name", None)
        return name if isinstance(name, str) else None

    # --- the gate ---------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        method = scope.get("method", "GET") if scope["type"] == "http" else "WEBSOCKET"
        user = self.username(scope)
        if scope["type"] != "http":  # Gradio serves no websocket this app uses
            if user is None or not same_origin(scope):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if not same_origin(scope):
            await _refuse(scope, receive, send, 403, "Cross-origin request refused.")
            return
        if self.is_public(method, path):
            if user is None and method == "GET" and path == "/":
                await self.app(scope, receive, _without_api_info(send))
            else:
                await self.app(scope, receive, send)
            return
        if user is None:
            await _refuse(scope, receive, send, 401, "Not authenticated")
            return
        if path in ADMIN_ONLY_ROUTES and not self.is_admin(user):
            await _refuse(scope, receive, send, 403, "Only administrators can upload files.")
            return
        refusal = self.check_path(scope, path, user)
        if refusal is not None:
            await _refuse(scope, receive, send, *refusal)
            return
        if method == "POST" and _JSON_BODY.match(path):
            body, receive = await _read_body(receive)
            refusal = (413, "Request body too large.") if body is None else self.check_body(scope, path, body, user)
            if refusal is not None:
                await _refuse(scope, receive, send, *refusal)
                return
        if method == "POST" and path == f"{API}/upload":
            send = _on_json_response(send, lambda data: self.remember_uploads(data, user))
        elif method == "POST" and _EVENT_STARTS.match(path):
            send = _on_json_response(send, lambda data: self.remember_event(data, user))
        await self.app(scope, receive, send)

    @staticmethod
    def is_public(method: str, path: str) -> bool:
        get = "GET" if method == "HEAD" else method
        return (get, path) in PUBLIC_ROUTES or (get == "GET" and path.startswith(PUBLIC_PREFIXES))

    def check_path(self, scope: Scope, path: str, user: str) -> tuple[int, str] | None:
        """Refusals decided by the URL alone: files, sessions and events that belong to someone else."""
        file = _FILE.match(path)
        if file:
            target = file.group(1)
            if _is_url(target):
                return 403, "File not allowed."  # the server never fetches URLs on a user's behalf
            if not self.uploads.allows(_real(target), user):
                return 403, "File not allowed."
        in_path = _SESSION_IN_PATH.match(path)
        for session in (*(in_path.groups() if in_path else ()), HTTPConnection(scope).query_params.get("session_hash")):
            if session and not self.sessions.claim(session, user):
                return 403, "This session belongs to another user."
        event = _EVENT_READS.match(path)
        if event and not self.events.allows(event.group(1), user):
            return 403, "This event belongs to another user."
        return None

    def check_body(self, scope: Scope, path: str, body: bytes, user: str) -> tuple[int, str] | None:
        """Refusals decided by a JSON body: another user's session or event, or an admin-only handler."""
        try:
            data = json.loads(body) if body else {}
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            if path.rstrip("/").endswith("component_server"):
                return None  # multipart form: Gradio parses it; no handler of this app is reachable that way
            return 400, "Invalid JSON body."
        session = data.get("session_hash")
        if isinstance(session, str) and session and not self.sessions.claim(session, user):
            return 403, "This session belongs to another user."
        event = data.get("event_id")
        if isinstance(event, str) and event and not self.events.allows(event, user):
            return 403, "This event belongs to another user."
        call = _HANDLER_CALLS.match(path)
        if call is None or not self.admin_endpoints or self.is_admin(user):
            return None
        targets: list[str | None] = [call.group(1)]  # Gradio runs `fn_index` when given, else the named one
        if data.get("fn_index") is not None:
            try:
                targets.append(self.api_name_of(scope, _INT.validate_python(data["fn_index"])))
            except ValidationError:
                return 400, "Invalid fn_index."
        if any(target in self.admin_endpoints for target in targets):
            return 403, "Only administrators can add or remove documents."
        return None

    def remember_uploads(self, data: Any, user: str) -> None:
        if isinstance(data, list):
            for path in data:
                if isinstance(path, str):
                    self.uploads.add(_real(path), user)

    def remember_event(self, data: Any, user: str) -> None:
        event = data.get("event_id") if isinstance(data, dict) else None
        if isinstance(event, str) and event:
            self.events.add(event, user)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
    await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole request body (None past MAX_JSON_BODY), and a `receive` that hands it on unchanged."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_JSON_BODY:
            return None, receive
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _buffered(send: Send, finish: Callable[[Message, bytes], Awaitable[None]]) -> Send:
    """A `send` that holds a whole (small) response, then lets `finish` send it."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body" and start is not None:
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await finish(start, b"".join(chunks))
        else:
            await send(message)

    return wrapped


def _on_json_response(send: Send, remember: Callable[[Any], None]) -> Send:
    """Pass a JSON response on unchanged, after handing its content to `remember` (successful ones only)."""

    async def finish(start: Message, body: bytes) -> None:
        if start.get("status") == 200:
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                remember(json.loads(body))
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return _buffered(send, finish)


def _without_api_info(send: Send) -> Send:
    """The login page for anonymous visitors without the API description Gradio embeds in every page."""

    async def finish(start: Message, body: bytes) -> None:
        headers = list(start.get("headers", []))
        content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
        if start.get("status") == 200 and content_type.startswith(b"text/html"):
            empty = 'window.gradio_api_info = {"named_endpoints":{},"unnamed_endpoints":{}};</script>'
            body = _API_INFO.sub(lambda _: empty, body.decode("utf-8")).encode("utf-8")
            headers = [(name, value) for name, value in headers if name.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode("ascii")))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return _buffered(send, finish)
