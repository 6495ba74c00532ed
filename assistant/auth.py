"""Web UI users: the JSON auth file and Gradio's `auth=` check. Pure apart from reading the file.

The HTTP gate that enforces sign-in and admin rights on every route is `assistant/access.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path


class AuthFileError(ValueError):
    """The users file is missing or malformed: one line for the person starting the server."""


@dataclass(frozen=True)
class User:
    username: str
    admin: bool
    password_sha256: str | None = None
    password: str | None = None

    def check(self, password: str) -> bool:
        if self.password_sha256 is not None:
            digest = hashlib.sha256(password.encode("utf-8")).hexdigest()
            return hmac.compare_digest(digest, self.password_sha256)
        return hmac.compare_digest(password.encode("utf-8"), (self.password or "").encode("utf-8"))


def load_users(path: Path) -> dict[str, User]:
    """Users from the JSON auth file (format in README, "Using the web UI")."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuthFileError(f"auth file {path} does not exist (EVIDENCE_AUTH_FILE)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AuthFileError(f"cannot read auth file {path}: {type(error).__name__}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise AuthFileError(f"auth file {path} is not valid JSON (line {error.lineno}: {error.msg})") from None
    entries = data.get("users") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise AuthFileError(f'auth file {path} must look like {{"users": [{{"username": ..., ...}}]}}')
    users: dict[str, User] = {}
    for position, entry in enumerate(entries, start=1):
        where = f"auth file {path}, user {position}"
        if not isinstance(entry, dict):
            raise AuthFileError(f"{where}: each user must be an object")
        username = entry.get("username")
        if not isinstance(username, str) or not username.strip():
            raise AuthFileError(f"{where}: 'username' must be a non-empty string")
        if username in users:
            raise AuthFileError(f"{where}: username '{username}' appears twice")
        hashed, plain, admin = entry.get("password_sha256"), entry.get("password"), entry.get("admin", False)
        if (hashed is None) == (plain is None):
            raise AuthFileError(f"{where}: give exactly one of 'password_sha256' or 'password'")
        if hashed is not None and (not isinstance(hashed, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", hashed)):
            raise AuthFileError(f"{where}: 'password_sha256' must be 64 hex characters")
        if plain is not None and (not isinstance(plain, str) or not plain):
            raise AuthFileError(f"{where}: 'password' must be a non-empty string")
        if not isinstance(admin, bool):
            raise AuthFileError(f"{where}: 'admin' must be true or false")
        users[username] = User(username, admin, hashed.lower() if hashed else None, plain)
    return users


def authenticator(users: Mapping[str, User]) -> Callable[[str, str], bool]:
    """Gradio's `auth=` callable: constant-time comparison, and no shortcut for unknown users."""
    decoy = User("", False, password_sha256="0" * 64)

    def check(username: str, password: str) -> bool:
        user = users.get(username)
        valid = (user or decoy).check(password or "")
        return bool(user is not None and valid)

    return check
