"""`evidence` command line: ingest, ask, eval, docs, remove, serve. Errors are one line on stderr."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.settings import Settings


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
        return int(args.handler(settings, args) or 0)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # every failure reaches the user as one line, never a traceback
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"error: {_printable(message)}", file=sys.stderr)
        return 1


def _printable(text: str) -> str:
    """Control characters but tabs escaped (`\\n`, `\\x1b`): a newline in a file name cannot break an error line
    in two, and a terminal code in a file name or a document never reaches the user's terminal."""
    return "".join(
        char.encode("unicode_escape").decode() if unicodedata.category(char) == "Cc" and char != "\t" else char
        for char in text
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="evidence", description="Cited answers from review documents.")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="add or update documents (files or folders)")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--prune", action="store_true", help="remove stored documents not among PATHS")
    ingest.add_argument("--json", action="store_true")
    ingest.set_defaults(handler=_ingest)

    ask = commands.add_parser("ask", help="ask a question ('-' reads one question per line from stdin)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--k", type=int, default=None, help="passages to retrieve")
    ask.add_argument("--mode", choices=["extractive", "llm"], default="extractive")
    ask.add_argument("--doc", action="append", dest="doc_ids", help="only search this document id (repeatable)")
    ask.set_defaults(handler=_ask)

    evaluate = commands.add_parser("eval", help="metrics over a JSONL question set")
    evaluate.add_argument("questions", type=Path)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--k", type=int, default=None)
    evaluate.add_argument("--mode", choices=["extractive", "llm"], default="extractive")
    evaluate.set_defaults(handler=_eval)

    docs = commands.add_parser("docs", help="list stored documents")
    docs.add_argument("--json", action="store_true")
    docs.set_defaults(handler=_docs)

    remove = commands.add_parser("remove", help="remove a document and its chunks")
    remove.add_argument("doc_id")
    remove.set_defaults(handler=_remove)

    doctor = commands.add_parser("doctor", help="check the store for leftovers of killed writes (and --repair them)")
    doctor.add_argument("--repair", action="store_true", help="delete leftovers; remove documents missing rows")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(handler=_doctor)

    serve = commands.add_parser("serve", help="start the web UI")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(handler=_serve)
    return parser


def _assistant(settings: Settings) -> Any:
    from assistant.service import EvidenceAssistant

    return EvidenceAssistant(settings)


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    bar: Any = None

    def progress(done: int, total: int, step: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="file", file=sys.stderr, disable=None, leave=False)
        bar.set_description(step[:60])
        bar.update(done - bar.n)

    report = _assistant(settings).ingest(args.paths, prune=args.prune, progress=progress)
    if bar is not None:
        bar.close()
    result = report.as_dict()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for outcome in ("added", "updated", "unchanged", "removed"):
            for entry in result[outcome]:
                print(
                    _printable(
                        f"{outcome:<9} {entry['doc_id']}  ({entry['chunks']} chunks, v{entry['version']})  "
                        f"{entry['title']}"
                    )
                )
        print(f"{result['chunks']} chunks in store; {result['seconds']:.1f} s")
    for failure in result["failed"]:
        print(_printable(f"failed: {failure['path']}: {failure['error']}"), file=sys.stderr)
    return 1 if result["failed"] else 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    assistant = _assistant(settings)

    def one(question: str) -> dict[str, Any]:
        return dict(assistant.ask(question, k=args.k, mode=args.mode, doc_ids=args.doc_ids).as_dict())

    if args.question != "-":
        result = one(args.question)
        print(json.dumps(result, ensure_ascii=False) if args.json else _render(result))
        return 0
    status = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = one(line)
        except ValueError as error:
            print(f"error: {_printable(str(error))}", file=sys.stderr)
            status = 1
            continue
        print(json.dumps(result, ensure_ascii=False) if args.json else _render(result) + "\n", flush=True)
    return status


def _render(result: dict[str, Any]) -> str:
    lines = [result["answer"], ""]
    for citation in result["citations"]:
        where = ", ".join(
            str(part) for part in (citation["section"], f"p. {citation['page']}" if citation["page"] else None) if part
        )
        lines.append(f"[{citation['n']}] {citation['title']} ({citation['source']}{'; ' + where if where else ''})")
        lines.append(f'    "{citation["quote"]}"')
    return "\n".join(_printable(line) for line in "\n".join(lines).rstrip().split("\n"))


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.evaluation import evaluate, format_report, load_question_set

    if not args.questions.is_file():
        raise UsageError(f"no such question set: {args.questions}")
    items = load_question_set(args.questions)
    assistant = _assistant(settings)
    if not assistant.store.documents():
        raise UsageError("the store is empty: run `evidence ingest PATH` first")
    ask: Callable[[str], Any] = lambda question: assistant.ask(question, k=args.k, mode=args.mode)  # noqa: E731
    assistant.warm_up()  # load the model and index before timing
    result = evaluate(items, ask, assistant.store.document_text)
    print(json.dumps(result, ensure_ascii=False) if args.json else format_report(result))
    return 0


def _docs(settings: Settings, args: argparse.Namespace) -> int:
    records = settings.store().documents()
    if args.json:
        print(json.dumps([record.__dict__ for record in records], ensure_ascii=False))
        return 0
    if not records:
        print("no documents; add some with `evidence ingest PATH`")
    for record in records:
        print(
            _printable(
                f"{record.doc_id}  v{record.version}  {record.chunks} chunks  {record.ingested_at}  {record.title}"
            )
        )
    return 0


def _remove(settings: Settings, args: argparse.Namespace) -> int:
    with settings.writer_lock():
        if not settings.store().remove_document(args.doc_id):
            raise UsageError(f"no document with id '{args.doc_id}' (see `evidence docs`)")
    print(f"removed {args.doc_id}")
    return 0


def _doctor(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the store is consistent (after repair, with --repair), 1 when problems remain."""
    from vectorstore.consistency import inspect, repair

    store = settings.store()
    with settings.writer_lock():  # a writer's half-done version is not a problem to report
        findings = inspect(store)
        removed = repair(store, findings) if args.repair and not findings.ok() else []
        after = inspect(store) if args.repair else findings
    if args.json:
        result = {"found": findings.as_dict(), "repaired": args.repair, "ok": after.ok()}
        result["removed"] = [{"doc_id": record.doc_id, "path": record.path} for record in removed]
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"found: {findings.summary()}")
        for record in removed:
            print(f"removed {record.doc_id}, whose rows were missing: re-ingest {record.path}")
        if args.repair:
            print(f"after repair: {after.summary()}")
    return 0 if after.ok() else 1


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from app import launch

    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    launch(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
