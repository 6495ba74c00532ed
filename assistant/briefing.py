"""Briefing snippets: an answer with its numbered references, ready to paste into a briefing.

`build_briefing` and `briefing_markdown` are pure; `write_docx` and `export_briefing` write files,
and only ever inside the folder they are given.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.citations import marker_numbers
from ingest.sentences import as_prose
from vectorstore.store import DocumentRecord

NO_REFERENCES = "No references: the ingested documents hold no supporting evidence for this question."


@dataclass(frozen=True)
class Reference:
    """One numbered reference: where the quote comes from and the verbatim quote itself."""

    n: int
    title: str
    source: str
    section: str | None
    page: int | None
    version: int | None
    ingested_at: str | None
    quote: str


@dataclass(frozen=True)
class Briefing:
    """A question, its answer with `[n]` markers, and one reference per marker number."""

    question: str
    answer: str
    abstained: bool
    references: tuple[Reference, ...]


def build_briefing(
    answer: Mapping[str, Any], document: Callable[[str], DocumentRecord | None], question: str | None = None
) -> Briefing:
    """A briefing from an answer object (`Answer.as_dict()`); `document` looks up the manifest record.

    `question` is the question as it stands alone (a follow-up resolved against the conversation), when it
    differs from the one typed: a briefing is read away from the chat that gave "What about dentists?" its meaning.
    """
    records: dict[str, DocumentRecord | None] = {}
    references: list[Reference] = []
    for citation in sorted(answer.get("citations") or [], key=lambda item: int(item["n"])):
        doc_id = str(citation["doc_id"])
        if doc_id not in records:
            records[doc_id] = document(doc_id)
        record = records[doc_id]
        references.append(
            Reference(
                n=int(citation["n"]),
                title=str(citation.get("title") or (record.title if record else doc_id)),
                source=str(citation.get("source") or (record.source if record else doc_id)),
                section=citation.get("section") or None,
                page=citation.get("page"),
                version=record.version if record else None,
                ingested_at=record.ingested_at if record else None,
                quote=str(citation["quote"]),
            )
        )
    return Briefing(
        question=" ".join(str(question or answer.get("question") or "").split()),
        answer=str(answer.get("answer") or ""),
        abstained=bool(answer.get("abstained")),
        references=tuple(references),
    )


def ingested_date(ingested_at: str | None) -> str | None:
    """`2025-03-01T10:20:30+00:00` -> `2025-03-01`; other text is kept as it is."""
    if not ingested_at:
        return None
    match = re.match(r"\d{4}-\d{2}-\d{2}", ingested_at)
    return match.group(0) if match else ingested_at


def reference_heading(reference: Reference) -> str:
    """`[1] Title, section: ..., p. 3`: the first line of a reference."""
    parts = [f"[{reference.n}] {reference.title}"]
    if reference.section:
        parts.append(f"section: {reference.section}")
    if reference.page is not None:
        parts.append(f"p. {reference.page}")
    return ", ".join(parts)


def reference_provenance(reference: Reference) -> str:
    """`Source: file.txt, version 2, ingested 2025-03-01`: which copy of the document was quoted."""
    parts = [f"Source: {reference.source}"]
    if reference.version is not None:
        parts.append(f"version {reference.version}")
    date = ingested_date(reference.ingested_at)
    if date:
        parts.append(f"ingested {date}")
    return ", ".join(parts)


def briefing_markdown(briefing: Briefing) -> str:
    """Markdown that stands alone: the question, the answer with markers, then numbered references.

    Quotes are shown as prose (line wraps folded, hyphenated breaks joined); their words are the document's.
    """
    lines = [f"**Question:** {briefing.question}", "", "**Answer:**", "", briefing.answer.strip(), ""]
    lines.append("**References**")
    lines.append("")
    if not briefing.references:
        lines.extend([NO_REFERENCES, ""])
    for reference in briefing.references:
        lines.append(f"{reference_heading(reference)}  ")
        lines.append(reference_provenance(reference))
        lines.append("")
        lines.append(f"> {as_prose(reference.quote)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def missing_references(briefing: Briefing) -> list[int]:
    """Marker numbers in the answer with no reference (empty for every answer that keeps the contract)."""
    numbers = {reference.n for reference in briefing.references}
    return sorted({number for number in marker_numbers(briefing.answer) if number not in numbers})


def safe_filename(text: str, suffix: str, *, max_stem: int = 60) -> str:
    """A file name made only of `a-z0-9-`, from any text, plus a short digest so names rarely collide.

    `../../etc/passwd` -> `etc-passwd-1a2b3c4d.md`: never a path, never hidden, never empty.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_stem].strip("-") or "briefing"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    clean_suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())
    return f"{slug}-{digest}.{clean_suffix or 'txt'}"


def write_docx(briefing: Briefing, path: Path) -> Path:
    """The same content as `briefing_markdown`, as a Word document."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.add_heading("Briefing snippet", level=1)
    question = document.add_paragraph()
    question.add_run("Question: ").bold = True
    question.add_run(briefing.question)
    document.add_heading("Answer", level=2)
    for paragraph in briefing.answer.strip().split("\n\n"):
        document.add_paragraph(paragraph.strip())
    document.add_heading("References", level=2)
    if not briefing.references:
        document.add_paragraph(NO_REFERENCES)
    for reference in briefing.references:
        heading = document.add_paragraph()
        heading.add_run(reference_heading(reference)).bold = True
        provenance = document.add_paragraph(reference_provenance(reference))
        provenance.runs[0].font.size = Pt(9)
        document.add_paragraph(as_prose(reference.quote), style="Quote")
    document.save(str(path))
    return path


def export_briefing(briefing: Briefing, directory: Path) -> tuple[Path, Path]:
    """Write `<question>.md` and `<question>.docx` into `directory` (and nowhere else)."""
    folder = directory.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    stem_text = briefing.question or "briefing"
    markdown_path = _inside(folder, safe_filename(stem_text, "md"))
    docx_path = _inside(folder, safe_filename(stem_text, "docx"))
    markdown_path.write_text(briefing_markdown(briefing), encoding="utf-8")
    write_docx(briefing, docx_path)
    return markdown_path, docx_path


def _inside(folder: Path, name: str) -> Path:
    path = (folder / name).resolve()
    if path.parent != folder:
        raise ValueError(f"refusing to write outside {folder}: {name}")
    return path
