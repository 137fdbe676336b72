"""`dienbot nlu parse` and `dienbot nlu eval`: the NLU from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import EXIT_BAD_INPUT, EXIT_OK, UsageError
from bot.clock import service_clock
from bot.config import load_settings

if TYPE_CHECKING:
    from nlu.evaluation import Report, Score


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `nlu` command with its `parse` and `eval` subcommands."""
    parser = commands.add_parser("nlu", help="understand customer messages (intent, entities)")
    actions = parser.add_subparsers(dest="nlu_action", required=True)

    parse = actions.add_parser("parse", help="print the intent and entities of messages as JSON")
    parse.add_argument("text", nargs="*", help="the message (words are joined with spaces)")
    parse.add_argument(
        "--jsonl",
        action="store_true",
        help='read one message per line from standard input (plain text or {"text": ...})',
    )
    _add_common_options(parse)
    parse.set_defaults(handler=run_parse)

    evaluate = actions.add_parser("eval", help="accuracy on a labelled JSON-lines file")
    evaluate.add_argument("file", type=Path, help='FILE.jsonl: {"text", "intent", ...} lines')
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_common_options(evaluate)
    evaluate.set_defaults(handler=run_eval)


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="the date relative dates count from (default: today in DIENBOT_TIMEZONE)",
    )
    parser.add_argument(
        "--area",
        action="append",
        default=[],
        metavar="NAME",
        help="a known area name (ward, district, power company unit); repeat for more",
    )


def today_from(arguments: argparse.Namespace) -> date:
    """`--today`, or the current date in the configured time zone."""
    if arguments.today:
        try:
            return date.fromisoformat(arguments.today)
        except ValueError:
            raise UsageError(f"--today: expected YYYY-MM-DD, got {arguments.today!r}") from None
    settings = load_settings()
    return service_clock(settings)().astimezone(settings.zone).date()


def run_parse(arguments: argparse.Namespace) -> int:
    """Print one JSON object per message."""
    import nlu

    today = today_from(arguments)
    areas = tuple(arguments.area)
    if arguments.jsonl == bool(arguments.text):
        raise UsageError("give either a message or --jsonl (messages on standard input)")
    if not arguments.jsonl:
        result = nlu.parse(" ".join(arguments.text), today, areas)
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return EXIT_OK
    status = EXIT_OK
    for number, line in enumerate(sys.stdin, start=1):
        text = message_of(line.rstrip("\r\n"))
        if text is None:
            print(f'<stdin>:{number}: a JSON object needs a "text" string', file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        result = nlu.parse(text, today, areas)
        print(json.dumps(result.to_json(), ensure_ascii=False), flush=False)
    return status


def message_of(line: str) -> str | None:
    """The message of an input line: the line itself, or the "text" of a JSON object."""
    if not line.lstrip().startswith("{"):
        return line
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return line
    if not isinstance(record, dict):
        return line
    text = record.get("text")
    return text if isinstance(text, str) else None


def run_eval(arguments: argparse.Namespace) -> int:
    """Evaluate the NLU on a labelled file and print the report."""
    import nlu
    from nlu.evaluation import EvaluationError, evaluate, read_labelled

    path: Path = arguments.file
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read ({error})") from None
    try:
        messages = read_labelled(content, str(path))
    except EvaluationError as error:
        raise UsageError(str(error)) from None
    if not messages:
        raise UsageError(f"{path}: no labelled messages")
    report = evaluate(nlu.default_matcher(), messages, today_from(arguments))
    if arguments.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print_report(report, str(path), sys.stdout)
    return EXIT_OK


def print_report(report: Report, source: str, out: TextIO) -> None:
    """Write the evaluation report as readable text."""

    def shown(score: Score) -> str:
        return f"{score.ratio:6.1%} ({score.right}/{score.total})"

    lines = [
        f"intent accuracy      {shown(report.overall)}",
        f"  with diacritics    {shown(report.with_diacritics)}",
        f"  without diacritics {shown(report.without_diacritics)}",
        f"unknown precision    {shown(report.unknown_precision)}",
        f"unknown recall       {shown(report.unknown_recall)}",
        f"entity accuracy      {shown(report.entities)}",
        "per intent:",
        *(f"  {intent.value:<20} {shown(score)}" for intent, score in report.per_intent.items()),
        "confusions (expected -> predicted):",
        *(f"  {a.value} -> {b.value}: {count}" for a, b, count in report.confusions),
        "mistakes:",
        *(
            f"  {source}:{line}: {text!r} expected {expected.value}, got {got.value}"
            for line, text, expected, got in report.mistakes
        ),
    ]
    out.write("\n".join(lines) + "\n")
