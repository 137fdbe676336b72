"""`dienbot nlu parse|eval|train|tune`: the NLU from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import EXIT_BAD_INPUT, EXIT_OK, UsageError
from bot.clock import service_clock
from bot.config import load_settings

if TYPE_CHECKING:
    from nlu.evaluation import (
        CrossValidationReport,
        IntentScores,
        LabelledMessage,
        Report,
        Score,
    )

# The dev set of outside messages (never trained on): found beside the repository, or named.
DEV_SET_ENV = "DIENBOT_NLU_DEV_SET"
DEV_SET_PATH = Path("shared") / "nlu" / "dev_messages.jsonl"
# The dev set labels neither areas nor appliances (its README): they are not counted there.
DEV_UNANNOTATED = frozenset({"area", "areas", "appliance"})


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `nlu` command with its subcommands."""
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

    evaluate = actions.add_parser(
        "eval", help="accuracy on labelled files, the dev set and cross-validation"
    )
    evaluate.add_argument(
        "file",
        type=Path,
        nargs="?",
        help='FILE.jsonl: {"text", "intent", ...} lines (default: the package held-out file)',
    )
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument(
        "--dev",
        type=Path,
        metavar="FILE",
        help=f"the dev set (default: ${DEV_SET_ENV}, else {DEV_SET_PATH} in a parent folder)",
    )
    evaluate.add_argument("--no-dev", action="store_true", help="skip the dev set")
    evaluate.add_argument(
        "--no-cv", action="store_true", help="skip cross-validation on the training data"
    )
    evaluate.add_argument(
        "--legacy", action="store_true", help="evaluate the previous hand-tuned matcher instead"
    )
    _add_common_options(evaluate)
    evaluate.set_defaults(handler=run_eval)

    train = actions.add_parser(
        "train", help="train the classifier from nlu/data and save it (what `make` runs)"
    )
    train.add_argument(
        "--output", type=Path, help="where to save it (default: nlu/data/model.npz)"
    )
    train.set_defaults(handler=run_train)

    tune = actions.add_parser(
        "tune", help="cross-validate on the training data and choose the calibration"
    )
    tune.add_argument(
        "--write", action="store_true", help="write the calibration to nlu/data/calibration.json"
    )
    tune.set_defaults(handler=run_tune)


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


def dev_set_path(arguments: argparse.Namespace) -> Path | None:
    """The dev set to report: --dev, $DIENBOT_NLU_DEV_SET, or shared/nlu/ in a parent folder."""
    if arguments.no_dev:
        return None
    if arguments.dev is not None:
        return Path(arguments.dev)
    named = os.environ.get(DEV_SET_ENV)
    if named:
        return Path(named)
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / DEV_SET_PATH).is_file():
            return folder / DEV_SET_PATH
    return None


def _read_labelled_file(path: Path) -> list[LabelledMessage]:
    from nlu.evaluation import EvaluationError, read_labelled

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
    return messages


def run_eval(arguments: argparse.Namespace) -> int:
    """Evaluate the NLU on a labelled file, the dev set and by cross-validation."""
    import nlu
    from nlu.evaluation import evaluate

    today = today_from(arguments)
    path: Path = arguments.file or Path(str(resources.files("nlu") / "data" / "heldout.jsonl"))
    understander = nlu.default_matcher() if arguments.legacy else nlu.default_parser()
    report = evaluate(understander, _read_labelled_file(path), today)
    dev_path = dev_set_path(arguments)
    dev_report = None
    if dev_path is not None:
        dev_report = evaluate(understander, _read_labelled_file(dev_path), today, DEV_UNANNOTATED)
    cross = None if arguments.no_cv or arguments.legacy else _cross_validation()
    if arguments.json:
        document: dict[str, object] = {"file": str(path), **report.to_json()}
        if dev_report is not None:
            document["dev"] = {"file": str(dev_path), **dev_report.to_json()}
        if cross is not None:
            document["cross_validation"] = cross.to_json()
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return EXIT_OK
    print_report(report, str(path), sys.stdout)
    if dev_report is not None:
        sys.stdout.write(f"\ndev set {dev_path}:\n")
        print_summary(dev_report, str(dev_path), sys.stdout)
    if cross is not None:
        print_cross_validation(cross, sys.stdout)
    return EXIT_OK


def _cross_validation() -> CrossValidationReport:
    from nlu.corpus import package_corpus
    from nlu.training import TrainingSettings, cross_validate

    settings = TrainingSettings()
    return cross_validate(package_corpus(), settings).report(settings.folds)


def run_train(arguments: argparse.Namespace) -> int:
    """Train the package's classifier and save it where `nlu` loads it."""
    from nlu.model import MODEL_FILE, train_package_classifier

    output: Path = arguments.output or Path(str(resources.files("nlu") / "data" / MODEL_FILE))
    classifier = train_package_classifier()
    try:
        output.write_bytes(classifier.to_bytes())
    except OSError as error:
        raise UsageError(f"{output}: cannot write ({error})") from None
    print(
        f"{output}: {len(classifier.classes)} intents, {len(classifier.features)} features, "
        f"key {classifier.key[:12]}"
    )
    return EXIT_OK


def run_tune(arguments: argparse.Namespace) -> int:
    """Cross-validate, print the figures and the calibration they choose; maybe save it."""
    from nlu.corpus import package_corpus
    from nlu.model import CALIBRATION_FILE
    from nlu.training import TrainingSettings, cross_validate

    settings = TrainingSettings()
    cross = cross_validate(package_corpus(), settings)
    report = cross.report(settings.folds)
    print_cross_validation(report, sys.stdout)
    chosen = cross.calibration.to_json()
    print("calibration: " + json.dumps(chosen))
    if arguments.write:
        path = Path(str(resources.files("nlu") / "data" / CALIBRATION_FILE))
        path.write_text(json.dumps(chosen) + "\n", encoding="utf-8")
        print(f"{path}: written; run `dienbot nlu train` (or make) to rebuild the model")
    return EXIT_OK


def _shown(score: Score) -> str:
    return f"{score.ratio:6.1%} ({score.right}/{score.total})"


def print_summary(report: Report, source: str, out: TextIO) -> None:
    """The headline figures of a report and its worst misses."""
    lines = [
        f"intent accuracy      {_shown(report.overall)}",
        f"  with diacritics    {_shown(report.with_diacritics)}",
        f"  without diacritics {_shown(report.without_diacritics)}",
        f"unknown precision    {_shown(report.unknown_precision)}",
        f"unknown recall       {_shown(report.unknown_recall)}",
        f"entity accuracy      {_shown(report.entities)}",
        "worst misses (most confident first):",
        *(
            f"  {source}:{miss.line}: {miss.text!r} expected {miss.expected.value}, "
            f"got {miss.predicted.value} ({miss.confidence:.2f})"
            for miss in report.misses
        ),
    ]
    out.write("\n".join(lines) + "\n")


def print_report(report: Report, source: str, out: TextIO) -> None:
    """Write the evaluation report as readable text."""
    print_summary(report, source, out)
    if report.scores is not None:
        out.write(_intent_table(report.scores))
        out.write(_confusion_matrix(report.scores))
    out.write("confusions (expected -> predicted):\n")
    out.write("".join(f"  {a.value} -> {b.value}: {n}\n" for a, b, n in report.confusions))


def print_cross_validation(report: CrossValidationReport, out: TextIO) -> None:
    """The cross-validation figures on the training data."""
    lines = [
        f"\n{report.folds}-fold cross-validation on the training data "
        f"({report.scores.accuracy.total} distinct messages):",
        f"intent accuracy      {_shown(report.scores.accuracy)}",
        f"unknown precision    {_shown(report.unknown_precision)}",
        f"unknown recall       {_shown(report.unknown_recall)}",
        f"macro F1             {report.scores.macro_f1:6.3f}",
        f"calibration error    {report.calibration_error:6.3f} (expected, 10 bins)",
    ]
    out.write("\n".join(lines) + "\n")
    out.write(_intent_table(report.scores))
    out.write("worst misses (most confident first):\n")
    out.write(
        "".join(
            f"  {miss.text!r} expected {miss.expected.value}, got {miss.predicted.value} "
            f"({miss.confidence:.2f})\n"
            for miss in report.misses[:20]
        )
    )


def _intent_table(scores: IntentScores) -> str:
    from nlu.evaluation import Score

    rows = ["per intent:           precision   recall      F1    count"]
    for intent, recall in scores.recall.items():
        precision = scores.precision.get(intent, Score())
        shown = f"{precision.ratio:7.1%}" if precision.total else "    n/a"  # never predicted
        rows.append(
            f"  {intent.value:<20} {shown} {recall.ratio:8.1%} "
            f"{scores.f1(intent):7.3f} {recall.total:6d}"
        )
    return "\n".join(rows) + "\n"


def _confusion_matrix(scores: IntentScores) -> str:
    """Expected intents as rows, predicted as columns (numbered like the rows)."""
    intents = sorted({intent for pair in scores.confusion for intent in pair})
    header = "confusion matrix (rows expected, columns predicted, '.' for 0):\n"
    columns = "".join(f"{number:>3}" for number in range(1, len(intents) + 1))
    lines = [f"{'':<26}{columns}"]
    for number, expected in enumerate(intents, start=1):
        cells = "".join(
            f"{scores.confusion.get((expected, predicted), 0) or '.':>3}" for predicted in intents
        )
        lines.append(f"{number:>3} {expected.value:<22}{cells}")
    return header + "\n".join(lines) + "\n"
