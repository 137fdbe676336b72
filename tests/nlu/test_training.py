"""Training the classifier: deterministic, saved and loaded unchanged, keyed by its inputs."""

from __future__ import annotations

from datetime import date

import pytest

import nlu
from nlu.augment import telex_keys, variants
from nlu.classifier import Calibration, IntentClassifier
from nlu.corpus import CorpusError, Example, corpus_from_files, package_corpus
from nlu.features import TokenShaper, message_features, negated
from nlu.intents import Intent
from nlu.model import model_key, package_key, saved_classifier
from nlu.normalize import normalize
from nlu.parser import Parser
from nlu.training import TrainingSettings, calibrate, conflicts, out_of_fold, train

TODAY = date(2026, 11, 21)
SMALL = [
    Example(text, intent, "test")
    for intent, texts in {
        Intent.GREET: ["xin chào", "chào em", "alo ad ơi", "hello bot", "chào buổi sáng"],
        Intent.OUTAGE_REPORT: ["nhà tôi mất điện", "cúp điện rồi", "mất điện cả xóm", "cúp đ r"],
        Intent.BILL_QUERY: ["tiền điện tháng này", "hóa đơn tháng trước", "xem hóa đơn", "bill"],
        Intent.UNKNOWN: ["giá vàng", "thời tiết mai", "kể chuyện cười", "giá xăng hôm nay"],
    }.items()
    for text in texts
]
FAST = TrainingSettings(copies=1, folds=2)


def test_training_is_deterministic_to_the_byte() -> None:
    first = train(SMALL, Calibration(0.3, 0.2, 0.1), FAST).to_bytes()
    assert train(SMALL, Calibration(0.3, 0.2, 0.1), FAST).to_bytes() == first


def test_a_saved_classifier_predicts_as_the_trained_one() -> None:
    trained = train(SMALL, Calibration(0.3, 0.2, 0.1), FAST)
    trained.key = "abc"
    loaded = IntentClassifier.from_bytes(trained.to_bytes())
    assert (loaded.key, loaded.calibration, loaded.classes) == (
        "abc",
        trained.calibration,
        trained.classes,
    )
    for text in ["mat dien roi ad", "hoa don thang nay", "giá vàng sjc", "chaof ad"]:
        normalized = normalize(text)
        assert list(loaded.probabilities(normalized, ())) == list(
            trained.probabilities(normalized, ())
        )


def test_a_file_that_is_no_classifier_is_refused() -> None:
    with pytest.raises(ValueError, match="classifier"):
        IntentClassifier.from_bytes(b"not a model")


def test_the_classifier_learns_only_from_its_examples() -> None:
    parser = Parser(train(SMALL, Calibration(0.3, 0.2, 0.1), FAST))
    assert parser.parse("mat dien ca khu roi", TODAY).intent is Intent.OUTAGE_REPORT
    assert parser.parse("hoá đơn tháng này", TODAY).intent is Intent.BILL_QUERY
    assert parser.parse("Xin chào ad", TODAY).intent is Intent.GREET


def test_the_key_changes_with_the_data_and_the_calibration() -> None:
    files = {"train/greet.txt": "xin chào\n"}
    key = model_key(files, Calibration(0.3, 0.2, 0.1))
    assert model_key(dict(files), Calibration(0.3, 0.2, 0.1)) == key
    assert model_key({"train/greet.txt": "xin chào\nalo\n"}, Calibration(0.3, 0.2, 0.1)) != key
    assert model_key(files, Calibration(0.3, 0.25, 0.1)) != key


def test_the_package_parser_runs_the_classifier_of_todays_data() -> None:
    """A stale model file is never used: the classifier's key is the key of today's inputs."""
    assert nlu.default_parser().classifier.key == package_key()
    assert saved_classifier("not the key of anything") is None


def test_cross_validation_keeps_every_distinct_message_out_of_its_own_model() -> None:
    found = out_of_fold(SMALL + SMALL, FAST)  # duplicates count once
    assert len(found.texts) == len(SMALL)
    assert found.scores.shape == (len(SMALL), 4)
    calibration = calibrate(found)
    assert calibration.temperature > 0
    assert 0.0 <= calibration.unknown_below <= 0.9
    assert 0.0 <= calibration.ask_margin <= 0.5


def test_the_package_data_labels_no_message_twice() -> None:
    assert conflicts(package_corpus()) == []


def test_a_training_file_names_an_intent() -> None:
    with pytest.raises(CorpusError, match=r"train/greeting\.txt: no intent"):
        corpus_from_files({"train/greeting.txt": "chào\n"})
    with pytest.raises(CorpusError, match=r"learned\.jsonl:2: unknown intent 'nope'"):
        corpus_from_files(
            {"learned.jsonl": '{"text": "a", "intent": "greet"}\n{"text": "b", "intent": "nope"}'}
        )


def test_learned_lines_keep_their_provenance_out_of_the_examples() -> None:
    line = '{"text": "cúp điện hoài", "intent": "outage_report", "by": "supervisor 3"}'
    (example,) = corpus_from_files({"learned.jsonl": line})
    assert example == Example("cúp điện hoài", Intent.OUTAGE_REPORT, "learned.jsonl:1")


def test_noisy_copies_depend_only_on_the_message_and_the_seed() -> None:
    copies = variants("Tiền điện tháng này bao nhiêu ạ", "bill_query", 6)
    assert copies == variants("Tiền điện tháng này bao nhiêu ạ", "bill_query", 6)
    assert copies != variants("Tiền điện tháng này bao nhiêu ạ", "bill_query", 6, seed=7)
    assert len(set(copies)) > 3


def test_telex_keys_are_what_a_keyboard_without_the_input_method_types() -> None:
    assert [telex_keys(word) for word in ("điện", "tiền", "được", "hóa", "ư")] == [
        "ddieenj",
        "tieenf",
        "dduwowcj",
        "hoas",
        "uw",
    ]


def test_telex_leftovers_typos_and_run_together_words_take_the_known_shape() -> None:
    shaper = TokenShaper(["tien", "dien", "thang", "nay", "hoa", "don", "bao", "nhieu"])
    shaped = [shaper.shape(token) for token in ("thangs", "tiendien", "nhieu", "nhieo", "12")]
    assert shaped == ["thang", "tien dien", "nhieu", "nhieu", "#"]


def test_words_after_a_negation_are_marked() -> None:
    words = normalize("không cần thông báo nữa chỉ xem hôm qua").split()
    assert negated(words)[:5] == ["khong", "!can", "!thong", "!bao", "nua"]
    assert "thong bao" not in message_features(words, ())
    assert "@kwh" in message_features(["#", "kwh"], ["kwh"])


def test_assessment_gives_comparable_figures_and_refuses_a_worse_model() -> None:
    from nlu.assessment import Figures, assess
    from nlu.evaluation import read_labelled

    files = {
        f"train/{intent.value}.txt": "\n".join(
            example.text for example in SMALL if example.intent is intent
        )
        for intent in {example.intent for example in SMALL}
    }
    held = read_labelled(
        '{"text": "mất điện rồi ad", "intent": "outage_report"}\n'
        '{"text": "giá vàng sjc", "intent": "unknown"}',
        "held",
    )
    classifier, figures = assess(files, held, TODAY, FAST)
    assert classifier.classes == (
        Intent.BILL_QUERY,
        Intent.GREET,
        Intent.OUTAGE_REPORT,
        Intent.UNKNOWN,
    )
    assert 0.0 <= figures.cross_validation <= 1.0
    worse = Figures(figures.cross_validation - 0.1, 0.0, 0.0, 0.0, 0.0)
    assert figures.no_worse_than(worse)
    assert not worse.no_worse_than(figures)
    assert worse.no_worse_than(figures, tolerance=1.0)
