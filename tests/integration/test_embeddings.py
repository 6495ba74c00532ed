"""The ONNX Runtime engine against sentence-transformers, on the sample reviews' real sentences."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REVIEWS, ROOT
from vectorstore.embeddings import (
    LocalEmbeddings,
    OnnxEncoder,
    TorchEncoder,
    bundled_model_path,
    export_onnx,
    mean_pooling_length,
    onnx_file,
)


def review_texts() -> list[str]:
    """Every paragraph and line of the sample reviews: one word to several hundred tokens (truncated)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(REVIEWS.glob("*.txt")))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [*lines, " ".join(lines[:60])]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh export of the bundled model into a cache of the module's own."""
    cache = tmp_path_factory.mktemp("model-cache")
    target = onnx_file(str(bundled_model_path()), cache)
    export_onnx(str(bundled_model_path()), target)
    return target


def test_onnx_vectors_equal_sentence_transformers_on_real_text(exported: Path) -> None:
    texts = review_texts()
    model_path = str(bundled_model_path())
    onnx = OnnxEncoder(exported, model_path, 256).encode(texts, batch_size=7)
    torch = TorchEncoder(model_path).encode(texts, batch_size=32)
    assert onnx.shape == torch.shape == (len(texts), 384)
    assert float(np.abs(onnx - torch).max()) < 1e-5
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    assert OnnxEncoder(exported, model_path, 256).encode([], batch_size=7).shape[0] == 0


def test_export_is_made_once_and_reused(exported: Path) -> None:
    made = exported.stat().st_mtime_ns
    export_onnx(str(bundled_model_path()), exported)
    assert exported.stat().st_mtime_ns == made
    assert not list(exported.parent.glob("*.partial"))
    embeddings = LocalEmbeddings(onnx_cache=exported.parent.parent)
    assert isinstance(embeddings.encoder, OnnxEncoder)
    assert len(embeddings.embed_query("Which services shared staff?")) == 384


def test_only_models_onnx_reproduces_take_that_path(tmp_path: Path) -> None:
    bundled = bundled_model_path()
    assert mean_pooling_length(str(bundled)) == 256
    copy = tmp_path / "cls-pooling"
    shutil.copytree(bundled, copy, ignore=shutil.ignore_patterns("*.safetensors"))
    config = copy / "1_Pooling" / "config.json"
    pooling = json.loads(config.read_text()) | {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}
    config.write_text(json.dumps(pooling))
    assert mean_pooling_length(str(copy)) is None
    assert mean_pooling_length(str(tmp_path / "no-such-model")) is None


def test_an_unusable_cache_falls_back_to_sentence_transformers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        embeddings = LocalEmbeddings(onnx_cache=blocker / "cache")
        assert isinstance(embeddings.encoder, TorchEncoder)
    assert "using sentence-transformers" in caplog.text
    assert len(embeddings.embed_query("Which services shared staff?")) == 384


def test_asking_never_imports_torch(sample_home: Path) -> None:
    """A question costs the ONNX engine only: torch and sentence-transformers are 3.5 s of imports."""
    script = (
        "import sys\n"
        "from assistant.service import EvidenceAssistant\n"
        "from assistant.settings import Settings\n"
        f"answer = EvidenceAssistant(Settings(home={str(sample_home)!r})).ask('Which services shared staff?')\n"
        "assert answer.citations, answer\n"
        "print(sorted(name for name in ('torch', 'sentence_transformers', 'transformers') if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_damaged_export_falls_back_and_says_which_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    target = onnx_file(str(bundled_model_path()), tmp_path / "cache")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not an ONNX model")
    with caplog.at_level(logging.WARNING):
        assert isinstance(LocalEmbeddings(onnx_cache=tmp_path / "cache").encoder, TorchEncoder)
    assert str(target.parent) in caplog.text
