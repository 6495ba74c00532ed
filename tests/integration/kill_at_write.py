"""Run the `evidence` CLI and SIGKILL it just before its Nth write to Chroma (add, upsert, update or
delete), as a power cut or an OOM kill would: `python kill_at_write.py N ingest PATH...`.

With N = 0 nothing is killed and the number of writes made is printed last, for choosing kill points.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from chromadb.api.models.Collection import Collection


def count_writes(kill_at: int) -> Callable[[], int]:
    writes = 0

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def write(self: Collection, *args: Any, **kwargs: Any) -> Any:
            nonlocal writes
            writes += 1
            if writes == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(self, *args, **kwargs)

        return write

    for name in ("add", "upsert", "update", "delete"):
        setattr(Collection, name, wrap(getattr(Collection, name)))
    return lambda: writes


if __name__ == "__main__":
    from assistant.cli import main

    written = count_writes(int(sys.argv[1]))
    status = main(sys.argv[2:])
    print(f"writes: {written()}")
    sys.exit(status)
