"""Gradio web UI: `build_app(settings)` returns the Blocks; logic lives in `assistant/`."""

from __future__ import annotations

import gradio as gr

from assistant.service import EvidenceAssistant
from assistant.settings import Settings


def build_app(settings: Settings, assistant: EvidenceAssistant | None = None) -> gr.Blocks:
    assistant = assistant or EvidenceAssistant(settings)

    def documents_table() -> list[list[object]]:
        return [[r.title, r.source, r.version, r.chunks, r.ingested_at] for r in assistant.store.documents()]

    def ask(question: str) -> dict[str, object]:
        return assistant.ask(question).as_dict()

    with gr.Blocks(title="Evidence Assistant") as app:
        gr.Markdown("# Evidence Assistant")
        table = gr.Dataframe(headers=["Title", "Source", "Version", "Chunks", "Ingested at"], value=documents_table)
        question = gr.Textbox(label="Question")
        answer = gr.JSON(label="Answer")
        question.submit(ask, question, answer, api_name="ask")
        app.load(documents_table, None, table)
    return app


def launch(settings: Settings) -> None:
    build_app(settings).launch(server_name=settings.host, server_port=settings.port)
