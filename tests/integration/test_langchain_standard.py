"""LangChain's own peer suites, run against the real retriever (real Chroma + MiniLM) and embeddings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests

from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from vectorstore.embeddings import LocalEmbeddings


class TestHybridRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _sample(self, sample_home: Path) -> None:
        self._home = sample_home

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"store": Settings(home=self._home).store()}

    @property
    def retriever_query_example(self) -> str:
        return "Which NHS ambulance service employed pharmacists?"


class TestLocalEmbeddings(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[LocalEmbeddings]:
        return LocalEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {}


class TestLocalEmbeddingsOnnx(TestLocalEmbeddings):
    """The product's configuration: the same model through ONNX Runtime."""

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"onnx_cache": Settings().model_cache}
