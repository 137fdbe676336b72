"""`dienbot nlu parse` and `dienbot nlu eval` through the command-line entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.common import EXIT_BAD_INPUT, EXIT_OK


def run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_parse_prints_the_contract_object(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        ["nlu", "parse", "--today", "2026-11-21", "tien dien thang 10 bao nhieu"], capsys
    )
    assert status == EXIT_OK
    result = json.loads(out)
    assert set(result) == {"text", "intent", "confidence", "entities", "alternatives"}
    runner_ups = [alternative["intent"] for alternative in result["alternatives"]]
    assert len(runner_ups) == 2
    assert "bill_query" not in runner_ups
    assert result["text"] == "tien dien thang 10 bao nhieu"
    assert result["intent"] == "bill_query"
    assert result["entities"] == {"month": "2026-10"}


def test_parse_uses_the_configured_time_zone_without_today(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIENBOT_TIMEZONE", "UTC")
    status, out, _ = run(["nlu", "parse", "hôm nay"], capsys)
    assert status == EXIT_OK
    assert "date" in json.loads(out)["entities"]


def test_parse_with_areas(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        ["nlu", "parse", "--today", "2026-11-21", "--area", "Quận 1", "điểm thu ở q1"], capsys
    )
    assert status == EXIT_OK
    assert json.loads(out)["entities"]["area"] == "Quận 1"


def test_parse_with_stored_area_names(capsys: pytest.CaptureFixture[str]) -> None:
    areas = ["--area", "Phường Bến Thành, Quận 1", "--area", "Phường Tân Định, Quận 1"]
    argv = ["nlu", "parse", "--today", "2026-11-21", *areas, "điểm thu ở Bến Thành"]
    status, out, _ = run(argv, capsys)
    assert status == EXIT_OK
    assert json.loads(out)["entities"]["area"] == "Phường Bến Thành, Quận 1"
    # "q1" names both wards: no area rather than a guess.
    status, out, _ = run([*argv[:-1], "điểm thu ở q1"], capsys)
    assert status == EXIT_OK
    assert "area" not in json.loads(out)["entities"]


def test_jsonl_keeps_the_order_and_reads_plain_and_json_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = 'alooo\n{"text": "cúp điện rồi"}\n{not json} giá vàng\n'
    status, out, _ = run(
        ["nlu", "parse", "--jsonl", "--today", "2026-11-21"], capsys, stdin, monkeypatch
    )
    assert status == EXIT_OK
    results = [json.loads(line) for line in out.splitlines()]
    assert [result["text"] for result in results] == [
        "alooo",
        "cúp điện rồi",
        "{not json} giá vàng",
    ]
    assert [result["intent"] for result in results] == ["greet", "outage_report", "unknown"]


def test_jsonl_object_without_text_is_reported_with_its_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(
        ["nlu", "parse", "--jsonl", "--today", "2026-11-21"],
        capsys,
        'chào\n{"x": 1}\n',
        monkeypatch,
    )
    assert status == EXIT_BAD_INPUT
    assert len(out.splitlines()) == 1
    assert err.startswith("<stdin>:2:")


@pytest.mark.parametrize(
    "argv",
    [
        ["nlu", "parse"],
        ["nlu", "parse", "--jsonl", "text too"],
        ["nlu", "parse", "--today", "21/11/2026", "chào"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(argv, capsys)
    assert status == EXIT_BAD_INPUT
    assert err.startswith("dienbot:")


def test_eval_prints_accuracy_per_intent_and_mistakes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text(
        "\n".join(
            json.dumps(record, ensure_ascii=False)
            for record in [
                {"text": "chào em", "intent": "greet", "entities": {}},
                {
                    "text": "giá vàng hôm nay",
                    "intent": "unknown",
                    "today": "2026-11-21",
                    "entities": {"date": "2026-11-21"},
                },
                {"text": "lịch cúp điện ngày mai", "intent": "outage_report"},
            ]
        ),
        encoding="utf-8",
    )
    argv = ["nlu", "eval", str(labelled), "--today", "2026-11-21", "--no-cv", "--no-dev"]
    status, out, _ = run(argv, capsys)
    assert status == EXIT_OK
    assert "intent accuracy       66.7% (2/3)" in out
    assert "  outage_report            n/a     0.0%   0.000      1" in out
    assert "confusion matrix" in out
    assert "cross-validation" not in out
    assert "entity accuracy      100.0% (1/1)" in out
    assert "outage_report -> outage_schedule: 1" in out
    assert f"{labelled}:3: 'lịch cúp điện ngày mai' expected outage_report" in out

    status, out, _ = run(["nlu", "eval", str(labelled), "--json", "--no-cv", "--no-dev"], capsys)
    report = json.loads(out)
    assert report["per_intent_f1"]["greet"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert report["intent_accuracy"] == {"right": 2, "total": 3, "accuracy": 0.6667}
    assert report["per_intent"]["greet"]["accuracy"] == 1.0


def test_eval_of_the_project_held_out_file(capsys: pytest.CaptureFixture[str]) -> None:
    held_out = Path(__file__).parents[2] / "nlu" / "data" / "heldout.jsonl"
    status, out, _ = run(["nlu", "eval", str(held_out), "--json", "--no-cv", "--no-dev"], capsys)
    assert status == EXIT_OK
    assert json.loads(out)["intent_accuracy"]["total"] >= 24 * 15


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"text": "a", "intent": "greet"}\n{"text": "b", "intent": "weather"}\n',
            ":2: unknown intent 'weather'",
        ),
        ("", ": no labelled messages"),
        ("\ufeff{broken\n", ":1: not JSON"),
    ],
)
def test_eval_bad_file_names_file_and_line(
    content: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    labelled = tmp_path / "bad.jsonl"
    labelled.write_text(content, encoding="utf-8")
    status, _, err = run(["nlu", "eval", str(labelled)], capsys)
    assert status == EXIT_BAD_INPUT
    assert err.strip().startswith(f"dienbot: {labelled}{message}")


def test_eval_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(["nlu", "eval", str(tmp_path / "none.jsonl")], capsys)
    assert status == EXIT_BAD_INPUT
    assert "cannot read" in err


def test_eval_reports_the_dev_set_on_its_own(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text('{"text": "chào em", "intent": "greet"}\n', encoding="utf-8")
    dev = tmp_path / "dev.jsonl"
    dev.write_text(
        '{"text": "hôm qua xài bao nhiêu số", "intent": "usage_query",'
        ' "entities": {"date": "@yesterday"}}\n',
        encoding="utf-8",
    )
    argv = ["nlu", "eval", str(labelled), "--today", "2026-11-21", "--no-cv", "--dev", str(dev)]
    status, out, _ = run(argv, capsys)
    assert status == EXIT_OK
    assert f"dev set {dev}:" in out
    assert out.split(f"dev set {dev}:")[1].count("entity accuracy      100.0% (1/1)") == 1


def test_cross_validation_figures_are_printed_with_every_intent() -> None:
    from bot.cli.nlu_cmd import print_cross_validation
    from nlu.corpus import Example
    from nlu.intents import Intent
    from nlu.training import TrainingSettings, cross_validate

    examples = [
        Example(text, intent, "test")
        for intent, texts in {
            Intent.GREET: ["xin chào", "chào em", "alo ad ơi", "hello bot"],
            Intent.OUTAGE_REPORT: ["nhà tôi mất điện", "cúp điện rồi", "mất điện cả xóm"],
            Intent.UNKNOWN: ["giá vàng", "thời tiết mai", "kể chuyện cười"],
        }.items()
        for text in texts
    ]
    report = cross_validate(examples, TrainingSettings(copies=1, folds=2)).report(2)
    out = io.StringIO()
    print_cross_validation(report, out)
    text = out.getvalue()
    assert "2-fold cross-validation on the training data (10 distinct messages)" in text
    assert all(f"  {intent.value:<20}" in text for intent in report.scores.recall)
    assert "calibration error" in text
