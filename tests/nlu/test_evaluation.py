"""The evaluation report of `dienbot nlu eval`."""

from __future__ import annotations

import json
from datetime import date

import pytest

from nlu.evaluation import EvaluationError, Score, evaluate, read_labelled, same_value
from nlu.intents import Intent
from nlu.matcher import Matcher

TODAY = date(2026, 11, 21)


def tiny_matcher() -> Matcher:
    examples = [
        ("xin chào", Intent.GREET),
        ("chào bạn", Intent.GREET),
        ("tiền điện tháng này", Intent.BILL_QUERY),
        ("hóa đơn tháng trước", Intent.BILL_QUERY),
    ]
    return Matcher(examples, {Intent.BILL_QUERY: {"hóa đơn": 1.0}})


def lines(*records: dict[str, object]) -> str:
    return "\n".join(json.dumps(record, ensure_ascii=False) for record in records)


def test_report_counts_intents_diacritics_confusions_and_entities() -> None:
    text = lines(
        {"text": "chào bạn nhé", "intent": "greet", "entities": {}},
        {"text": "hoa don thang truoc", "intent": "bill_query", "entities": {"month": "2026-10"}},
        {
            "text": "tiền điện tháng 10",
            "intent": "payment_status",
            "entities": {"month": "2026-09"},
        },
    )
    report = evaluate(tiny_matcher(), read_labelled(text, "f.jsonl"), TODAY)
    assert report.overall == Score(2, 3)
    assert report.with_diacritics == Score(1, 2)
    assert report.without_diacritics == Score(2, 3)
    assert report.per_intent[Intent.PAYMENT_STATUS] == Score(0, 1)
    assert report.confusions == [(Intent.PAYMENT_STATUS, Intent.BILL_QUERY, 1)]
    assert report.mistakes == (
        (3, "tiền điện tháng 10", Intent.PAYMENT_STATUS, Intent.BILL_QUERY),
    )
    assert report.entities == Score(1, 2)


def test_a_line_may_carry_its_own_today_and_areas() -> None:
    text = lines(
        {
            "text": "hóa đơn tháng trước",
            "intent": "bill_query",
            "today": "2027-01-03",
            "entities": {"month": "2026-12"},
        },
    )
    report = evaluate(tiny_matcher(), read_labelled(text, "f"), TODAY)
    assert report.entities == Score(1, 1)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "f.jsonl:2: not JSON"),
        ('{"text": "x", "intent": "nope"}', "f.jsonl:2: unknown intent 'nope'"),
        ('{"intent": "greet"}', 'f.jsonl:2: expected an object with a "text" string'),
        ('{"text": "x", "intent": "greet", "today": "21/11"}', 'f.jsonl:2: "today"'),
        ('{"text": "x", "intent": "greet", "areas": "Q1"}', 'f.jsonl:2: "areas"'),
        ('{"text": "x", "intent": "greet", "entities": []}', 'f.jsonl:2: "entities"'),
    ],
)
def test_bad_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(EvaluationError, match="^" + message.replace("(", r"\(")):
        read_labelled('{"text": "a", "intent": "greet"}\n' + line, "f.jsonl")


def test_same_value_compares_numbers_by_value_and_objects_by_key() -> None:
    assert same_value(350, 350.0)
    assert same_value({"name": "quạt", "watts": None}, {"name": "quạt", "watts": None})
    assert not same_value({"name": "quạt"}, {"name": "quạt", "watts": 50})
    assert not same_value(True, 1)
