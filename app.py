"""Gradio web UI: `build_app(settings)` returns the Blocks; `launch(settings)` serves it (`evidence serve`).

The UI only arranges what `assistant/` produces. Everything that came from a document (titles,
sections, quotes, document text, file names) is HTML-escaped before it reaches gr.HTML or Markdown.
"""

from __future__ import annotations

import html
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.utils import get_upload_folder
from starlette.middleware import Middleware

from assistant.access import AccessGate
from assistant.auth import User, authenticator, load_users
from assistant.briefing import briefing_markdown, build_briefing, export_briefing
from assistant.service import EvidenceAssistant, QuestionError
from assistant.settings import Settings
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.sentences import as_prose
from vectorstore.store import DocumentRecord

EXAMPLE_QUESTIONS = (
    "Which NHS ambulance service employed pharmacists?",
    "How did collaboration between health and social care change during COVID-19?",
    "What did dentists say about system-level collaboration?",
)
DOCUMENT_HEADERS = ["Title", "Document id", "Source", "Version", "Chunks", "Ingested at"]
NO_EVIDENCE = "No supporting evidence found"
MAX_SOURCE_CHARS = 300_000  # a bigger document is shown as a window around the cited passage
CONTEXT_CHARS = 160  # text shown either side of a quote on an evidence card
ADMIN_ENDPOINTS = ("ingest", "remove_document")  # api_names of the handlers that change the store
DELETE_CACHE = (3600, 86400)  # hourly, Gradio deletes its temporary files older than a day (and all at shutdown)

logger = logging.getLogger(__name__)
Turn = dict[str, Any]  # {"question": str, "answer": Answer.as_dict(), "standalone": the resolved question}


# --- rendering (pure; every document-derived string is escaped here) -----------------------------------
_MARKER_SPLIT = re.compile(r"\[(\d{1,3})\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$])")
_LINE_START_LIST = re.compile(r"^(\s*)(\d+)([.)])", re.M)
_LINE_START_MARK = re.compile(r"^(\s*)([-=])", re.M)


def esc(value: object) -> str:
    """HTML-escape anything (quotes included) for gr.HTML."""
    return html.escape("" if value is None else str(value), quote=True)


def escape_markdown(text: str) -> str:
    """Text that Markdown shows literally: HTML escaped, Markdown punctuation backslash-escaped."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    escaped = _LINE_START_LIST.sub(r"\1\2\\\3", escaped)
    return _LINE_START_MARK.sub(r"\1\\\2", escaped)


def answer_markdown(answer_text: str) -> str:
    """The answer for the chat: document text escaped, `[n]` markers kept (and styled)."""
    pieces = _MARKER_SPLIT.split(answer_text)
    out: list[str] = []
    for position, piece in enumerate(pieces):
        if position % 2:
            out.append(f'<sup class="cite-marker">[{int(piece)}]</sup>')
        else:
            out.append(escape_markdown(piece))
    return "".join(out)


def assistant_message(answer: Mapping[str, Any]) -> str:
    if answer.get("abstained"):
        return (
            f"**{NO_EVIDENCE}.**\n\nNothing in the ingested documents supports an answer to this question, "
            "so none is given. Try rephrasing it, widening the document filter, or adding documents."
        )
    count = len(answer.get("citations") or [])
    note = f"\n\n<small>{count} cited passage{'s' if count != 1 else ''}; see Evidence.</small>"
    return answer_markdown(str(answer.get("answer") or "")) + note


def chat_messages(turns: Sequence[Turn], pending: str | None = None) -> list[dict[str, str]]:
    """The Chatbot value: one user and one assistant message per turn."""
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages.append({"role": "user", "content": escape_markdown(turn["question"])})
        messages.append({"role": "assistant", "content": assistant_message(turn["answer"])})
    if pending is not None:
        messages.append({"role": "user", "content": escape_markdown(pending)})
    return messages


def _location(citation: Mapping[str, Any]) -> str:
    parts = [citation.get("section"), f"p. {citation['page']}" if citation.get("page") is not None else None]
    parts.append(citation.get("source"))
    return " · ".join(esc(part) for part in parts if part)


def quote_in_context(text: str | None, start: int, end: int, quote: str, limit: int = CONTEXT_CHARS) -> str:
    """The quote highlighted inside its paragraph (trimmed to `limit` characters either side), escaped."""
    if text is None or text[start:end] != quote:
        return f"<mark>{esc(as_prose(quote))}</mark>"
    para_start = max(text.rfind("\n\n", 0, start) + 2, text.rfind("\n", 0, start) + 1, start - limit, 0)
    found = text.find("\n", end)
    para_end = min(found if found >= 0 else len(text), end + limit)
    before, after = text[para_start:start], text[end:para_end]
    if para_start > 0 and text[para_start - 1] not in "\n":
        before = "…" + before[before.find(" ") + 1 :] if " " in before else "…" + before
    if para_end < len(text) and text[para_end] not in "\n":
        after = (after[: after.rfind(" ")] if " " in after else after) + "…"
    context = '<span class="ev-context">{}</span>'
    before, after = (re.sub(r"\s+", " ", part) for part in (before, after))  # shown as prose, like the quote
    return f"{context.format(esc(before))}<mark>{esc(as_prose(quote))}</mark>{context.format(esc(after))}"


def evidence_html(turn: Turn | None, document_text: Callable[[str], str | None]) -> str:
    """The evidence panel: one card per citation of the selected answer, or an empty state."""
    if turn is None:
        return (
            '<div class="empty-state"><div class="empty-icon">❝</div><p><b>Citations appear here.</b></p>'
            "<p>Ask a question: every sentence of the answer ends with a marker such as [1] that points to the "
            "exact passage it quotes.</p></div>"
        )
    answer = turn["answer"]
    question = f'<div class="ev-question">Evidence for <q>{esc(turn["question"])}</q></div>'
    citations = answer.get("citations") or []
    if answer.get("abstained") or not citations:
        return (
            f'{question}<div class="empty-state no-evidence" id="no-evidence"><div class="empty-icon">∅</div>'
            f"<p><b>{NO_EVIDENCE}</b></p><p>The documents searched hold no passage that answers this question, "
            "so the assistant did not answer it.</p></div>"
        )
    texts: dict[str, str | None] = {}
    cards = [question]
    for citation in citations:
        doc_id = str(citation["doc_id"])
        if doc_id not in texts:
            texts[doc_id] = document_text(doc_id)
        n = int(citation["n"])
        quote = quote_in_context(texts[doc_id], int(citation["start"]), int(citation["end"]), str(citation["quote"]))
        cards.append(
            f'<article class="ev-card" id="ev-card-{n}" data-cite="{n}">'
            f'<header><span class="ev-n">{n}</span><div><div class="ev-title">{esc(citation.get("title"))}</div>'
            f'<div class="ev-meta">{_location(citation)}</div></div></header>'
            f'<blockquote class="ev-quote">{quote}</blockquote>'
            f'<button type="button" class="ev-open" data-cite="{n}">View in source ›</button></article>'
        )
    return "".join(cards)


def source_html(citation: Mapping[str, Any] | None, text: str | None, others: Sequence[Mapping[str, Any]] = ()) -> str:
    """The whole document (escaped) with the cited passage in <mark class="current"> to scroll to."""
    if citation is None:
        return (
            '<div class="empty-state small"><p>Choose <b>View in source</b> on a citation to read the passage '
            "in its document.</p></div>"
        )
    n = int(citation["n"])
    head = (
        f'<div class="src-head"><span class="ev-n">{n}</span><div><div class="ev-title">'
        f'{esc(citation.get("title"))}</div><div class="ev-meta">{_location(citation)}'
        f" · characters {int(citation['start'])}–{int(citation['end'])}</div></div></div>"
    )
    start, end = int(citation["start"]), int(citation["end"])
    if text is None:
        return head + '<div class="src-body"><p class="src-missing">This document is no longer in the store.</p></div>'
    spans = [(start, end, n, "current")]
    for other in others:
        o_start, o_end = int(other["start"]), int(other["end"])
        if all(o_end <= s or o_start >= e for s, e, _, _ in spans) and 0 <= o_start < o_end <= len(text):
            spans.append((o_start, o_end, int(other["n"]), "other"))
    spans.sort()
    window_start, window_end = 0, len(text)
    if len(text) > MAX_SOURCE_CHARS:
        window_start = max(0, start - MAX_SOURCE_CHARS // 2)
        window_end = min(len(text), window_start + MAX_SOURCE_CHARS)
    body: list[str] = []
    if window_start > 0:
        body.append(f'<p class="src-cut">… {window_start:,} characters before this point not shown …</p>')
    cursor = window_start
    for s, e, number, kind in spans:
        if s < cursor or e > window_end:
            continue
        body.append(esc(text[cursor:s]))
        mark_id = ' id="source-mark"' if kind == "current" else ""
        body.append(f'<mark class="{kind}"{mark_id} data-cite="{number}" title="[{number}]">{esc(text[s:e])}</mark>')
        cursor = e
    body.append(esc(text[cursor:window_end]))
    if window_end < len(text):
        body.append(f'<p class="src-cut">… {len(text) - window_end:,} more characters not shown …</p>')
    return head + f'<div class="src-body" tabindex="0">{"".join(body)}</div>'


def ingest_report_html(report: Mapping[str, Any]) -> str:
    rows: list[str] = []
    labels = {"added": "Added", "updated": "Updated", "unchanged": "Unchanged", "removed": "Removed"}
    for key, label in labels.items():
        for entry in report.get(key) or []:
            rows.append(
                f'<li class="rep-{key}"><span class="rep-tag">{label}</span> <b>{esc(entry.get("title"))}</b> '
                f"<code>{esc(entry.get('doc_id'))}</code> · {int(entry.get('chunks') or 0)} chunks · "
                f"v{int(entry.get('version') or 0)}</li>"
            )
    for failure in report.get("failed") or []:
        rows.append(
            f'<li class="rep-failed"><span class="rep-tag">Failed</span> <b>{esc(Path(str(failure.get("path"))).name)}'
            f"</b>: {esc(failure.get('error'))}</li>"
        )
    summary = f"{int(report.get('chunks') or 0):,} chunks in store · {float(report.get('seconds') or 0):.1f} s"
    return f'<div class="report"><ul>{"".join(rows) or "<li>No files.</li>"}</ul><p class="muted">{summary}</p></div>'


def turn_at(turns: Sequence[Turn], index: int | None) -> Turn | None:
    """The turn at `index`, or None when nothing (or a stale index) is selected."""
    return turns[index] if index is not None and 0 <= index < len(turns) else None


def document_rows(documents: Sequence[DocumentRecord]) -> list[list[object]]:
    return [[r.title, r.doc_id, r.source, r.version, r.chunks, r.ingested_at.replace("T", " ")] for r in documents]


def document_choices(documents: Sequence[DocumentRecord]) -> list[tuple[str, str]]:
    return [(f"{r.title} ({r.doc_id})", r.doc_id) for r in documents]


def notice_html(text: str, kind: str = "info") -> str:
    return f'<div class="notice {esc(kind)}">{esc(text)}</div>'


# --- the app ------------------------------------------------------------------------------------------
_CARD_CLICKS = """
element.addEventListener('click', (event) => {
  const target = event.target.closest('button[data-cite], article[data-cite]');
  if (target && element.contains(target)) {
    trigger('click', {n: Number(target.getAttribute('data-cite'))});
  }
});
"""
_SCROLL_TO_MARK = """
const jump = () => {
  const box = element.querySelector('.src-body');
  const mark = element.querySelector('mark.current');
  if (box && mark) {
    box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  }
};
watch('value', () => requestAnimationFrame(jump));
requestAnimationFrame(jump);
"""

CSS = """
.gradio-container { max-width: 1500px !important; }
#app-header { display: flex; align-items: center; justify-content: space-between; gap: 16px; padding: 0 2px 2px; }
#app-header h1 { font-size: 1.35rem; margin: 0; letter-spacing: -0.01em; }
#app-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: 0.9rem; }
#app-header .chips { display: flex; flex: none; gap: 8px; flex-wrap: nowrap; justify-content: flex-end; }
.chip { font-size: 0.8rem; padding: 3px 10px; border-radius: 999px; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); white-space: nowrap; }
.chip.admin { background: var(--color-accent-soft); }
.cite-marker { font-size: 0.72em; font-weight: 600; color: var(--color-accent); margin-left: 1px; }
#evidence, #source-viewer { font-size: 0.93rem; }
#evidence { padding-right: 4px; }
.ev-question { font-size: 0.85rem; color: var(--body-text-color-subdued); margin: 2px 0 8px; }
.ev-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px; margin-bottom: 10px;
  background: var(--background-fill-primary); box-shadow: 0 1px 2px rgba(0,0,0,0.04); cursor: pointer; }
.ev-card:hover { border-color: var(--color-accent); }
.ev-card header, .src-head { display: flex; gap: 10px; align-items: flex-start; }
.ev-n { flex: none; display: inline-flex; align-items: center; justify-content: center; min-width: 24px; height: 24px;
  border-radius: 6px; background: var(--color-accent); color: white; font-weight: 700; font-size: 0.8rem; }
.ev-title { font-weight: 600; line-height: 1.3; }
.ev-meta { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: 2px; display: -webkit-box;
  -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.src-head .ev-meta { -webkit-line-clamp: 1; }
.ev-quote { margin: 8px 0 6px; padding: 6px 10px; border-left: 3px solid var(--color-accent);
  background: var(--background-fill-secondary); border-radius: 0 6px 6px 0; line-height: 1.5; }
.ev-quote mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.src-body mark.current { background: #fcd34d; color: inherit; padding: 1px 0; border-radius: 2px;
  box-shadow: 0 0 0 2px #fcd34d; }
.ev-context { color: var(--body-text-color-subdued); }
.ev-open { font-size: 0.82rem; font-weight: 600; color: var(--color-accent); background: none; border: none;
  padding: 2px 0; cursor: pointer; }
.ev-open:hover { text-decoration: underline; }
.src-head { padding-bottom: 6px; margin-bottom: 2px; }
.src-body { position: relative; max-height: 250px; overflow-y: auto; white-space: pre-wrap; line-height: 1.55;
  font-size: 0.88rem; padding: 6px 10px; background: var(--background-fill-primary);
  border: 1px solid var(--border-color-primary); border-radius: 8px; }
.src-body mark.other { background: #e0e7ff; color: inherit; }
.src-cut, .src-missing, .muted { color: var(--body-text-color-subdued); font-size: 0.8rem; }
.empty-state { text-align: center; color: var(--body-text-color-subdued); padding: 28px 16px;
  border: 1px dashed var(--border-color-primary); border-radius: 10px; }
.empty-state.small { padding: 14px; }
.empty-state .empty-icon { font-size: 2rem; line-height: 1; margin-bottom: 6px; }
.empty-state.no-evidence { border-color: #f59e0b; color: var(--body-text-color); }
.panel-title { font-weight: 700; font-size: 0.95rem; margin: 0 0 6px; }
.notice { padding: 8px 12px; border-radius: 8px; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); font-size: 0.9rem; }
.notice.error { border-color: #ef4444; }
.notice.warn { border-color: #f59e0b; }
.report ul { list-style: none; padding: 0; margin: 0; }
.report li { padding: 4px 0; border-bottom: 1px solid var(--border-color-primary); }
.rep-tag { display: inline-block; min-width: 78px; font-size: 0.75rem; font-weight: 700; text-transform: uppercase; }
.rep-added .rep-tag, .rep-updated .rep-tag { color: #15803d; }
.rep-failed .rep-tag { color: #b91c1c; }
"""


def _theme() -> gr.themes.Base:
    return gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


class EvidenceUI:
    """The handlers behind the Blocks; each is a plain method so it can be tested without a browser."""

    def __init__(
        self, settings: Settings, assistant: EvidenceAssistant | None = None, users: Mapping[str, User] | None = None
    ) -> None:
        self.settings = settings
        self.assistant = assistant or EvidenceAssistant(settings)
        if users is None and settings.auth_file is not None:
            users = load_users(settings.auth_file)
        self.users = dict(users) if users is not None else None
        self._export_dir: Path | None = None

    @property
    def export_dir(self) -> Path:
        """A private temp folder for briefing downloads, made on first use."""
        if self._export_dir is None:
            self._export_dir = Path(tempfile.mkdtemp(prefix="evidence-briefings-"))
        return self._export_dir

    def close(self) -> None:
        """Delete the briefing files written so far (they hold users' questions and answers)."""
        if self._export_dir is not None:
            shutil.rmtree(self._export_dir, ignore_errors=True)
            self._export_dir = None

    # --- access -----------------------------------------------------------------------------------------
    def username(self, request: gr.Request | None) -> str | None:
        return getattr(request, "username", None) if request is not None else None

    def is_admin(self, request: gr.Request | None) -> bool:
        if self.users is None:
            return True  # no auth file: a local, single-user install
        user = self.users.get(self.username(request) or "")
        return bool(user and user.admin)

    # --- documents --------------------------------------------------------------------------------------
    def status_html(self, request: gr.Request | None, documents: Sequence[DocumentRecord]) -> str:
        chips = [f'<span class="chip">{len(documents)} document{"s" if len(documents) != 1 else ""}</span>']
        chips.append(f'<span class="chip">{sum(r.chunks for r in documents):,} passages</span>')
        if self.users is not None:
            role = "admin" if self.is_admin(request) else "reader"
            chips.append(f'<span class="chip {role}">{esc(self.username(request))} · {role}</span>')
        return (
            '<div id="app-header"><div><h1>Evidence Assistant</h1><p>Cited answers from the review documents: '
            "every sentence links to the exact passage it quotes, ready to check and copy into a briefing.</p>"
            f'</div><div class="chips">{"".join(chips)}</div></div>'
        )

    def documents_view(self, request: gr.Request | None, *, reset_filter: bool = False) -> tuple[Any, ...]:
        """Table, filter choices, remove choices and header: everything that lists documents (one manifest read)."""
        documents = self.assistant.store.documents()
        choices = document_choices(documents)
        return (
            gr.Dataframe(value=document_rows(documents) or None, headers=DOCUMENT_HEADERS),
            gr.Dropdown(choices=choices, value=[]) if reset_filter else gr.Dropdown(choices=choices),
            gr.Dropdown(choices=choices, value=None),
            self.status_html(request, documents),
            notice_html("No documents yet: an administrator can add them below.") if not documents else "",
        )

    def on_load(self, request: gr.Request) -> tuple[Any, ...]:
        admin = self.is_admin(request)
        notice = "" if admin else notice_html("Only administrators can add or remove documents.", "warn")
        logout = self.users is not None
        return (*self.documents_view(request), gr.Column(visible=admin), notice, gr.Button(visible=logout))

    def upload(
        self,
        files: list[str] | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        """Ingest uploaded files (admins only); the retriever sees them on the next question."""
        if not self.is_admin(request):
            raise gr.Error("Only administrators can add documents.", print_exception=False)
        if not files:
            raise gr.Error("Choose one or more files to add.", print_exception=False)
        paths = [Path(str(file)) for file in files]
        progress(0, desc="Reading files")

        def report_progress(done: int, total: int, step: str) -> None:
            progress((done, max(total, 1)), desc=step[:1].upper() + step[1:] if done < total else "Indexing")

        try:
            report = self.assistant.ingest(
                paths, progress=report_progress, display_names={path: path.name for path in paths}
            ).as_dict()
        finally:
            discard_uploads(paths)
        return (ingest_report_html(report), None, *self.documents_view(request))

    def remove(self, doc_id: str | None, request: gr.Request) -> tuple[Any, ...]:
        if not self.is_admin(request):
            raise gr.Error("Only administrators can remove documents.", print_exception=False)
        if not doc_id:
            raise gr.Error("Choose a document to remove.", print_exception=False)
        record = self.assistant.remove(doc_id)
        if record is None:
            raise gr.Error(f"No document with id '{doc_id}'.", print_exception=False)
        message = notice_html(f"Removed “{record.title}” ({doc_id}).")
        return (message, *self.documents_view(request, reset_filter=True))

    # --- questions --------------------------------------------------------------------------------------
    def ask_api(self, question: str) -> dict[str, Any]:
        """The `/ask` endpoint: the same object as `evidence ask --json`."""
        try:
            return dict(self.assistant.ask(question).as_dict())
        except QuestionError as error:
            raise gr.Error(str(error), print_exception=False) from None

    def start_turn(self, question: str, turns: list[Turn]) -> tuple[Any, ...]:
        """Show the question at once and clear the box; the answer follows."""
        question = " ".join((question or "").split())
        if not question:
            return gr.Textbox(), chat_messages(turns), None
        return "", chat_messages(turns, pending=question), question

    def start_example(self, turns: list[Turn], event: gr.SelectData) -> tuple[Any, ...]:
        value = event.value if isinstance(event.value, dict) else {"text": event.value}
        return self.start_turn(str(value.get("text") or ""), turns)

    def answer_turn(
        self, question: str | None, turns: list[Turn], mode: str, k: float, doc_ids: list[str] | None
    ) -> tuple[Any, ...]:
        if question:
            history = [(turn["question"], turn["answer"]["answer"]) for turn in turns]
            try:
                answer = self.assistant.ask(question, history, k=int(k), mode=mode, doc_ids=list(doc_ids or []) or None)
            except Exception as error:  # e.g. an unreachable LLM: say so in one line and keep the conversation
                if not isinstance(error, QuestionError):
                    logger.exception("answering failed")
                gr.Warning(f"Could not answer: {' '.join(str(error).split()) or type(error).__name__}")
            else:
                turns = [
                    *turns,
                    {"question": question, "answer": answer.as_dict(), "standalone": answer.standalone_question},
                ]
        return (chat_messages(turns), turns, *self.turn_views(turns, len(turns) - 1 if turns else None))

    def turn_views(self, turns: Sequence[Turn], index: int | None) -> tuple[Any, ...]:
        """Selected turn, evidence cards, source viewer and briefing for one turn."""
        turn = turn_at(turns, index)
        briefing, md_file, docx_file, heading = self.briefing_views(turn)
        return (
            index if turn else None,
            evidence_html(turn, self.assistant.store.document_text),
            source_html(None, None),
            briefing,
            md_file,
            docx_file,
            heading,
        )

    def briefing_views(self, turn: Turn | None) -> tuple[Any, ...]:
        if turn is None:
            return (
                gr.Code(value="", label="Briefing snippet (Markdown)"),
                gr.DownloadButton(value=None, interactive=False),
                gr.DownloadButton(value=None, interactive=False),
                '<p class="muted">Ask a question to get a briefing snippet of its answer.</p>',
            )
        briefing = build_briefing(turn["answer"], self.assistant.store.document, turn.get("standalone"))
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        md_path, docx_path = export_briefing(briefing, folder)
        heading = f'<p class="muted">Snippet for <q>{esc(turn["question"])}</q></p>'
        return (
            gr.Code(value=briefing_markdown(briefing), label="Briefing snippet (Markdown)"),
            gr.DownloadButton(value=str(md_path), interactive=True),
            gr.DownloadButton(value=str(docx_path), interactive=True),
            heading,
        )

    def select_message(self, turns: list[Turn], event: gr.SelectData) -> tuple[Any, ...]:
        """Clicking a message shows that answer's evidence and briefing."""
        index = event.index if isinstance(event.index, int) else (event.index or [0])[0]
        return self.turn_views(turns, int(index) // 2)

    def show_citation(self, turns: list[Turn], selected: int | None, n: int | None) -> str:
        turn = turn_at(turns, selected)
        citations = (turn["answer"].get("citations") or []) if turn else []
        citation = next((c for c in citations if int(c["n"]) == n), None)
        if citation is None:
            return source_html(None, None)
        text = self.assistant.store.document_text(str(citation["doc_id"]))
        others = [c for c in citations if c["doc_id"] == citation["doc_id"] and c is not citation]
        return source_html(citation, text, others)

    def card_clicked(self, turns: list[Turn], selected: int | None, event: gr.EventData) -> str:
        data = getattr(event, "_data", None)
        value = data.get("n") if isinstance(data, dict) else None
        n = int(value) if isinstance(value, int | float | str) and str(value).isdigit() else None
        return self.show_citation(turns, selected, n)

    def new_conversation(self) -> tuple[Any, ...]:
        return ([], [], *self.turn_views([], None))

    # --- layout -----------------------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        llm = self.settings.llm_available()
        documents = self.assistant.store.documents()
        with gr.Blocks(title="Evidence Assistant", analytics_enabled=False, delete_cache=DELETE_CACHE) as app:
            turns = gr.State([])
            selected = gr.State(None)
            pending = gr.State(None)
            with gr.Row(equal_height=False):
                header = gr.HTML(self.status_html(None, documents), elem_id="header", js_on_load=None, scale=10)
                logout = gr.Button("Log out", link="/logout", visible=False, size="sm", scale=0, min_width=90)
            with gr.Tabs():
                with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=420):
                        chatbot = gr.Chatbot(
                            elem_id="chat",
                            label="Conversation",
                            show_label=False,
                            height=460,
                            layout="bubble",
                            placeholder=(
                                "### Ask about the review documents\nAnswers quote the documents and cite each "
                                "passage. Try one of these, or ask a follow-up such as *What about dentists?*"
                            ),
                            examples=[{"text": question} for question in EXAMPLE_QUESTIONS],
                            buttons=[],
                            sanitize_html=True,
                            allow_tags=False,
                            latex_delimiters=[],
                            feedback_options=None,
                            group_consecutive_messages=False,
                        )
                        with gr.Row(equal_height=True):
                            question = gr.Textbox(
                                elem_id="question",
                                show_label=False,
                                placeholder="Ask a question, e.g. Which NHS ambulance service employed pharmacists?",
                                lines=1,
                                max_lines=4,
                                max_length=2000,
                                submit_btn="Ask",
                                scale=8,
                                autofocus=True,
                            )
                            clear = gr.Button("New conversation", size="md", scale=1, min_width=120)
                        with gr.Accordion("Answer options", open=False, elem_id="options"):
                            with gr.Row():
                                mode = gr.Radio(
                                    choices=[("Extractive (quotes only)", "extractive")]
                                    + ([("LLM (checked against quotes)", "llm")] if llm else []),
                                    value="extractive",
                                    label="Answer mode",
                                    info=None if llm else "LLM mode needs EVIDENCE_LLM (see README).",
                                    interactive=llm,
                                    elem_id="mode",
                                )
                                k = gr.Slider(
                                    1,
                                    max(20, self.settings.k),
                                    value=self.settings.k,
                                    step=1,
                                    label="Passages to retrieve (k)",
                                    elem_id="k",
                                )
                            doc_filter = gr.Dropdown(
                                choices=document_choices(documents),
                                multiselect=True,
                                label="Only search these documents (empty = all)",
                                elem_id="doc-filter",
                            )
                        with gr.Accordion("Copy for briefing", open=False, elem_id="briefing-panel"):
                            briefing_heading = gr.HTML(
                                '<p class="muted">Ask a question to get a briefing snippet of its answer.</p>',
                                js_on_load=None,
                            )
                            briefing = gr.Code(
                                value="",
                                language="markdown",
                                label="Briefing snippet (Markdown)",
                                interactive=False,
                                buttons=["copy"],
                                wrap_lines=True,
                                show_line_numbers=False,
                                lines=6,
                                max_lines=16,
                                elem_id="briefing",
                            )
                            with gr.Row():
                                download_md = gr.DownloadButton(
                                    "Download .md", interactive=False, size="sm", elem_id="briefing-md"
                                )
                                download_docx = gr.DownloadButton(
                                    "Download .docx", interactive=False, size="sm", elem_id="briefing-docx"
                                )
                    with gr.Column(scale=2, min_width=340, elem_id="evidence-panel"):
                        gr.HTML('<div class="panel-title">Evidence</div>', js_on_load=None)
                        evidence = gr.HTML(
                            evidence_html(None, self.assistant.store.document_text),
                            elem_id="evidence",
                            js_on_load=_CARD_CLICKS,
                            max_height=310,
                        )
                        source = gr.HTML(source_html(None, None), elem_id="source-viewer", js_on_load=_SCROLL_TO_MARK)
                with gr.Tab("Documents", id="documents"):
                    documents_notice = gr.HTML("", js_on_load=None)
                    table = gr.Dataframe(
                        headers=DOCUMENT_HEADERS,
                        datatype=["str", "str", "str", "number", "number", "str"],
                        interactive=False,
                        wrap=True,
                        column_widths=["26%", "22%", "24%", "7%", "7%", "14%"],
                        elem_id="documents-table",
                        label="Ingested documents",
                    )
                    admin_notice = gr.HTML("", js_on_load=None, elem_id="admin-notice")
                    with gr.Column(visible=self.users is None, elem_id="admin-controls") as admin_controls:
                        gr.Markdown(
                            "#### Add or update documents\nText, Markdown, HTML, PDF or Word files. A file with the "
                            "same name (or title) as a stored document replaces it as a new version."
                        )
                        files = gr.File(
                            file_count="multiple",
                            file_types=list(SUPPORTED_SUFFIXES),
                            label="Files to ingest",
                            elem_id="upload-files",
                            height=140,
                        )
                        ingest_button = gr.Button("Ingest files", variant="primary", elem_id="ingest-button")
                        report = gr.HTML("", elem_id="ingest-report", js_on_load=None)
                        gr.Markdown("#### Remove a document")
                        with gr.Row(equal_height=True):
                            remove_choice = gr.Dropdown(
                                choices=document_choices(documents), label="Document", scale=4, elem_id="remove-doc"
                            )
                            remove_button = gr.Button("Remove", variant="stop", scale=1, elem_id="remove-button")
                        remove_result = gr.HTML("", js_on_load=None, elem_id="remove-result")

            # Named API endpoint, kept simple: one string in, the answer object out.
            api_question = gr.Textbox(visible=False)
            api_answer = gr.JSON(visible=False)
            api_question.submit(self.ask_api, api_question, api_answer, api_name="ask", queue=True)

            listing = [table, doc_filter, remove_choice, header, documents_notice]
            views = [selected, evidence, source, briefing, download_md, download_docx, briefing_heading]
            answer_inputs = [pending, turns, mode, k, doc_filter]

            def ask_chain(trigger: Any, first: Callable[..., Any], first_inputs: list[Any]) -> None:
                trigger(first, first_inputs, [question, chatbot, pending], api_visibility="private", queue=False).then(
                    self.answer_turn, answer_inputs, [chatbot, turns, *views], api_visibility="private"
                )

            ask_chain(question.submit, self.start_turn, [question, turns])
            ask_chain(chatbot.example_select, self.start_example, [turns])
            chatbot.select(self.select_message, [turns], views, api_visibility="private")
            chatbot.clear(self.new_conversation, None, [chatbot, turns, *views], api_visibility="private")
            clear.click(self.new_conversation, None, [chatbot, turns, *views], api_visibility="private")
            evidence.click(self.card_clicked, [turns, selected], [source], api_visibility="private")
            ingest_button.click(
                self.upload,
                [files],
                [report, files, *listing],
                api_name=ADMIN_ENDPOINTS[0],
                api_visibility="private",
                concurrency_id="store-writes",
            )
            remove_button.click(
                self.remove,
                [remove_choice],
                [remove_result, *listing],
                api_name=ADMIN_ENDPOINTS[1],
                api_visibility="private",
                concurrency_id="store-writes",
            )
            app.load(
                self.on_load,
                None,
                [*listing, admin_controls, admin_notice, logout],
                api_visibility="private",
                show_progress="hidden",
            )
        return app


def build_app(
    settings: Settings, assistant: EvidenceAssistant | None = None, *, users: Mapping[str, User] | None = None
) -> gr.Blocks:
    """The web UI; login and admin rights come from `settings.auth_file` unless `users` is given."""
    return EvidenceUI(settings, assistant, users).build()


def discard_uploads(paths: Sequence[Path]) -> None:
    """Delete ingested files from Gradio's upload folder: the store now holds their text."""
    folder = Path(get_upload_folder()).resolve()
    for path in paths:
        resolved = path.resolve()
        if resolved.parent.parent != folder:  # uploads are <upload folder>/<hash>/<name>; nothing else is touched
            continue
        resolved.unlink(missing_ok=True)
        with suppress(OSError):  # the folder is not empty: leave it
            resolved.parent.rmdir()


@contextmanager
def private_upload_folder() -> Iterator[Path]:
    """Gradio's upload and cache folder for this server: a fresh 0700 temporary folder, removed at the end.

    By default Gradio shares `/tmp/gradio` between every Gradio process on the machine, readable by every
    local account, and serves any file in it to any signed-in user. `GRADIO_TEMP_DIR`, when set, wins.
    """
    if os.environ.get("GRADIO_TEMP_DIR"):
        yield Path(get_upload_folder())
        return
    folder = Path(tempfile.mkdtemp(prefix="evidence-uploads-"))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)  # read by gr.Blocks and by Gradio's server app
    try:
        yield folder
    finally:
        os.environ.pop("GRADIO_TEMP_DIR", None)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """`kill` (SIGTERM, as from systemd) stops the server like Ctrl-C, so temporary files are cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def server_options(settings: Settings, users: Mapping[str, User] | None, upload_folder: Path) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch` that close what Gradio leaves open (docs/security.md)."""
    gate = [Middleware(AccessGate, users=users, admin_endpoints=ADMIN_ENDPOINTS)] if users is not None else []
    blocked = [str(settings.auth_file)] if settings.auth_file is not None else []
    home = settings.home.resolve()
    if not any(folder.resolve().is_relative_to(home) for folder in (upload_folder, Path(tempfile.gettempdir()))):
        blocked.append(str(home))  # unless Gradio's own folders are inside it (EVIDENCE_HOME=/tmp)
    return {
        "auth": authenticator(users) if users is not None else None,
        "auth_message": "Sign in with your Evidence Assistant account." if users is not None else None,
        "app_kwargs": {"middleware": gate, "openapi_url": None},  # no FastAPI schema at /openapi.json
        "blocked_paths": blocked,  # never served through /gradio_api/file=, whatever GRADIO_ALLOWED_PATHS says
        "max_file_size": int(settings.max_file_mb * 1024 * 1024),
        "run_history": False,  # no copy of questions and answers kept in the browser or sent to a bucket
        "enable_monitoring": False,
        "ssr_mode": False,  # no Node front server beside the gate
    }


def launch(settings: Settings) -> None:
    """Serve the UI on settings.host:settings.port (login required when EVIDENCE_AUTH_FILE is set).

    The embedding model and the index are loaded before the server starts listening, so the first
    question is as fast as later ones; the "ready" line is printed only once the page is served.
    """
    users = load_users(settings.auth_file) if settings.auth_file is not None else None  # fail before loading models
    with stop_on_sigterm(), private_upload_folder() as upload_folder:
        assistant = EvidenceAssistant(settings)
        print("Loading the embedding model and the index ...", flush=True)
        assistant.warm_up()
        ui = EvidenceUI(settings, assistant, users)
        app = ui.build()
        app.queue(default_concurrency_limit=1)
        try:
            app.launch(
                server_name=settings.host,
                server_port=settings.port,
                theme=_theme(),
                css=CSS,
                show_error=True,
                footer_links=["api"],
                quiet=True,
                prevent_thread_lock=True,
                **server_options(settings, users, upload_folder),
            )
            print(f"Evidence Assistant is ready: {app.local_url}", flush=True)
            while app.is_running:
                time.sleep(0.2)
        except KeyboardInterrupt:
            print("Stopping the server ...", flush=True)
        finally:
            app.close(verbose=False)  # ends open heartbeats first, so the server stops at once
            ui.close()
