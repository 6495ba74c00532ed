"""Fitted models shipped as JSON beside the code: read once, validated, and a one-line error naming the fix."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

Model = TypeVar("Model")


class ModelFileError(RuntimeError):
    """A model file is missing or is not a model: one line naming the file and the fix."""


def finite_numbers(values: Iterable[Any]) -> bool:
    return all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in values)


def read_model(path: Path, what: str, fix: str, parse: Callable[[dict[str, Any]], Model]) -> Model:
    """`parse` of the JSON object in `path`; its KeyError, TypeError or ValueError becomes a ModelFileError."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{what} {path} is missing: {fix}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{what} {path} is unreadable ({error}): {fix}") from None
    try:
        if not isinstance(raw, dict):
            raise TypeError("not a JSON object")
        return parse(raw)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{what} {path} is not a model ({error!s}): {fix}") from None
