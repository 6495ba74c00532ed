"""Real `evidence serve` processes for browser and API tests: ingest once, copy the store, serve, stop.

Shared by tests/e2e (via conftest.py) and tests/integration/test_gradio_client.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import free_port, log_tail, serving

ROOT = Path(__file__).resolve().parents[2]
REVIEWS = ROOT / "data" / "reviews"
EVIDENCE = Path(sys.executable).with_name("evidence")
STARTUP_TIMEOUT = 120.0
INGEST_TIMEOUT = 600.0

_template: Path | None = None


@dataclass(frozen=True)
class Server:
    url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log, lines)


def server_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without any EVIDENCE_* setting, pointed at `home`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("EVIDENCE_")}
    env.update(
        EVIDENCE_HOME=str(home),
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def evidence_command() -> Path:
    if not EVIDENCE.exists():
        pytest.fail(f"the `evidence` script is not installed next to {sys.executable}; run `make` first")
    return EVIDENCE


def sample_template(factory: pytest.TempPathFactory) -> Path:
    """A store holding data/reviews, made once per test session with `evidence ingest`; copy it, never serve it."""
    global _template
    if _template is None:
        home = factory.mktemp("evidence-template") / "home"
        result = subprocess.run(
            [str(evidence_command()), "ingest", str(REVIEWS)],
            env=server_env(home),
            capture_output=True,
            text=True,
            timeout=INGEST_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"`evidence ingest {REVIEWS}` failed ({result.returncode}): {result.stderr[-2000:]}")
        _template = home
    return _template


def copy_of_sample(factory: pytest.TempPathFactory, name: str) -> Path:
    """A private copy of the sample store, so each server owns its Chroma folder."""
    home = factory.mktemp(name) / "home"
    shutil.copytree(sample_template(factory), home)
    return home


@contextmanager
def running_server(
    home: Path, *, env: Mapping[str, str] | None = None, timeout: float = STARTUP_TIMEOUT
) -> Iterator[Server]:
    """`evidence serve --port P` on a free loopback port; waits (bounded) for HTTP, stops it afterwards."""
    port = free_port()
    log = home.parent / f"serve-{port}.log"
    url = f"http://127.0.0.1:{port}/"
    command = [str(evidence_command()), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, url, log, env=server_env(home, env), cwd=home.parent, timeout=timeout) as process:
        yield Server(url, home, log, process)
