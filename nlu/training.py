"""Training the intent classifier from the corpus, and cross-validating it.

- `train(examples, calibration)`: the written examples and their generated noisy copies
  (`nlu.augment`) become feature sets (`nlu.features`), tf-idf weighted (binary term frequency,
  l2 norm) and learned by a linear SVM (scikit-learn's `LinearSVC`, one-vs-rest); the result is
  an `IntentClassifier` that predicts with numpy alone.
- `cross_validate(examples)`: k folds over the distinct messages (stratified by intent; a
  message's noisy copies stay in its fold), each fold predicted by a model trained on the
  others. The held-out folds' scores choose the calibration (`calibrate`): the softmax
  temperature that maximises their likelihood, the probability below which a message is
  `unknown`, and the margin under which the conversation asks between the best two intents.

Deterministic: the same examples and settings give the same model, byte for byte.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from nlu.augment import DEFAULT_SEED, variants
from nlu.classifier import Calibration, Floats, IntentClassifier, softmax
from nlu.corpus import Example
from nlu.entities import extract_entities
from nlu.evaluation import CrossValidationReport, calibration_error, cross_validation_report
from nlu.features import TokenShaper, message_features, words_of
from nlu.intents import Intent
from nlu.normalize import normalize

Indices = npt.NDArray[np.intp]
# A fixed day for finding the entities of examples: only which entities occur matters.
_EXAMPLE_DAY = date(2000, 6, 15)
_TEMPERATURES = np.exp(np.linspace(np.log(0.02), np.log(5.0), 241))
_THRESHOLDS = np.round(np.arange(0.0, 0.905, 0.01), 2)
_MARGINS = np.round(np.arange(0.0, 0.505, 0.01), 2)
# What asking "this or that?" costs, counting a wrong answer as 1 (a wrong answer costs the
# customer a wrong reply, a rephrasing and often a second wrong guess; a question, one tap):
# a question is worth asking when it turns a quarter of a wrong answer into a right one.
_ASK_COST = 0.25
# And a conversation that asks back more than one message in thirty-three is a chore.
_MOST_ASKED = 0.03


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    """The knobs of training, chosen by cross-validation on the training data.

    Attributes:
        copies: noisy copies generated per example.
        c: the SVM's regularisation (larger fits the training data more closely).
        min_rows: features seen in fewer training rows are dropped.
        folds: cross-validation folds.
        seed: the seed of the noisy copies and of the folds.
    """

    copies: int = 4
    c: float = 0.5
    min_rows: int = 2
    folds: int = 5
    seed: int = DEFAULT_SEED


@dataclass(frozen=True, slots=True)
class _Prepared:
    text: str
    intent: Intent
    normalized: str
    markers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OutOfFold:
    """Each distinct training message predicted by a model that never saw it."""

    classes: tuple[Intent, ...]
    texts: tuple[str, ...]
    labels: tuple[Intent, ...]
    scores: Floats  # (messages × classes) decision values
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """The out-of-fold predictions and the calibration chosen on them."""

    out_of_fold: OutOfFold
    calibration: Calibration
    probabilities: Floats = field(repr=False)

    def with_calibration(self, calibration: Calibration) -> CrossValidation:
        """The same out-of-fold scores decided with another calibration (a stored one, say)."""
        probabilities = softmax(self.out_of_fold.scores, 1.0 / calibration.temperature)
        return CrossValidation(self.out_of_fold, calibration, probabilities)

    def decisions(self) -> list[tuple[Intent, float]]:
        """The intent each message gets with the calibration applied, and its probability."""
        return [
            decide(self.out_of_fold.classes, row, self.calibration.unknown_below)
            for row in self.probabilities
        ]

    def report(self, folds: int) -> CrossValidationReport:
        """Accuracy, per-intent figures, `unknown` precision and recall of the held-out folds."""
        decided = self.decisions()
        classes, labels = self.out_of_fold.classes, self.out_of_fold.labels
        best = self.probabilities.argmax(axis=1)
        error = calibration_error(
            self.probabilities.max(axis=1).tolist(),
            [classes[int(row)] is label for row, label in zip(best, labels, strict=True)],
        )
        return cross_validation_report(
            texts=self.out_of_fold.texts,
            expected=labels,
            predicted=[intent for intent, _ in decided],
            confidences=[confidence for _, confidence in decided],
            folds=folds,
            calibration=error,
        )


def prepare(text: str, intent: Intent) -> _Prepared:
    """An example normalised, with the names of its entities."""
    normalized = normalize(text)
    markers = tuple(extract_entities(text, normalized, _EXAMPLE_DAY, ()))
    return _Prepared(text, intent, normalized, markers)


def train(
    examples: Sequence[Example],
    calibration: Calibration | None = None,
    settings: TrainingSettings | None = None,
) -> IntentClassifier:
    """The classifier learned from the examples and their noisy copies."""
    settings = settings or TrainingSettings()
    prepared = [prepare(example.text, example.intent) for example in examples]
    return _fit(prepared, calibration or Calibration(), settings)


def _fit(
    prepared: Sequence[_Prepared], calibration: Calibration, settings: TrainingSettings
) -> IntentClassifier:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vocabulary = sorted({word for example in prepared for word in example.normalized.split()})
    shaper = TokenShaper(vocabulary)
    documents, labels = _training_rows(prepared, shaper, settings)
    if len(set(labels)) < 2:
        raise ValueError("training needs examples of at least two intents")
    vectorizer = TfidfVectorizer(
        analyzer=_as_given, binary=True, min_df=min(settings.min_rows, len(documents))
    )
    matrix = vectorizer.fit_transform(documents)
    model = LinearSVC(C=settings.c, random_state=0, max_iter=20_000)
    model.fit(matrix, labels)
    classes = [Intent(name) for name in model.classes_]
    coefficients = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if len(classes) == 2:  # scikit-learn keeps one row for two classes: the second's score
        coefficients = np.vstack([-coefficients[0], coefficients[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    columns = vectorizer.vocabulary_
    features = sorted(columns, key=columns.__getitem__)
    return IntentClassifier(
        classes=classes,
        features=features,
        weights=coefficients.T,
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        intercept=intercept,
        vocabulary=vocabulary,
        calibration=calibration,
    )


def _as_given(document: list[str]) -> list[str]:
    return document


def _training_rows(
    prepared: Sequence[_Prepared], shaper: TokenShaper, settings: TrainingSettings
) -> tuple[list[list[str]], list[str]]:
    """Feature lists and labels of the examples and their copies, duplicates dropped."""
    seen: set[tuple[str, str]] = set()
    documents: list[list[str]] = []
    labels: list[str] = []
    for example in prepared:
        rows = [(example.normalized, example.markers)]
        for copy in variants(example.text, example.intent.value, settings.copies, settings.seed):
            noisy = prepare(copy, example.intent)
            rows.append((noisy.normalized, noisy.markers))
        for normalized, markers in rows:
            words = words_of(normalized, shaper)
            key = (example.intent.value, " ".join([*words, "|", *sorted(markers)]))
            if key in seen:
                continue
            seen.add(key)
            documents.append(sorted(message_features(words, markers)))
            labels.append(example.intent.value)
    return documents, labels


def distinct(examples: Sequence[Example]) -> list[_Prepared]:
    """The examples with one entry per normalised text (the first one's label wins)."""
    kept: dict[str, _Prepared] = {}
    for example in examples:
        prepared = prepare(example.text, example.intent)
        kept.setdefault(prepared.normalized, prepared)
    return list(kept.values())


def conflicts(examples: Sequence[Example]) -> list[tuple[str, set[Intent]]]:
    """Normalised texts labelled with more than one intent (a data error)."""
    labels: dict[str, set[Intent]] = defaultdict(set)
    for example in examples:
        labels[normalize(example.text)].add(example.intent)
    return sorted((text, found) for text, found in labels.items() if len(found) > 1)


def folds_of(prepared: Sequence[_Prepared], folds: int, seed: int) -> list[int]:
    """A fold per message, stratified by intent, shuffled by the seed."""
    assigned = [0] * len(prepared)
    by_intent: dict[Intent, list[int]] = defaultdict(list)
    for number, example in enumerate(prepared):
        by_intent[example.intent].append(number)
    generator = random.Random(f"folds\x00{seed}")
    offset = 0
    for intent in sorted(by_intent):
        members = sorted(by_intent[intent], key=lambda number: prepared[number].normalized)
        generator.shuffle(members)
        for position, number in enumerate(members):
            assigned[number] = (position + offset) % folds
        offset += len(members)
    return assigned


def out_of_fold(
    examples: Sequence[Example], settings: TrainingSettings | None = None
) -> OutOfFold:
    """Each distinct message scored by the model trained on the other folds."""
    settings = settings or TrainingSettings()
    prepared = distinct(examples)
    fold_of = folds_of(prepared, settings.folds, settings.seed)
    classes = tuple(sorted({example.intent for example in prepared}))
    scores = np.full((len(prepared), len(classes)), -10.0)
    for fold in range(settings.folds):
        training = [example for example, f in zip(prepared, fold_of, strict=True) if f != fold]
        model = _fit(training, Calibration(), settings)
        column = [classes.index(intent) for intent in model.classes]
        for number, example in enumerate(prepared):
            if fold_of[number] == fold:
                row = model.feature_rows(example.normalized, example.markers)
                scores[number, column] = model.scores(row)
    return OutOfFold(
        classes=classes,
        texts=tuple(example.text for example in prepared),
        labels=tuple(example.intent for example in prepared),
        scores=scores,
    )


def cross_validate(
    examples: Sequence[Example], settings: TrainingSettings | None = None
) -> CrossValidation:
    """Out-of-fold predictions of every distinct message, and the calibration they choose."""
    found = out_of_fold(examples, settings)
    calibration = calibrate(found)
    probabilities = softmax(found.scores, 1.0 / calibration.temperature)
    return CrossValidation(found, calibration, probabilities)


def calibrate(found: OutOfFold) -> Calibration:
    """The temperature, the `unknown` threshold and the asking margin, from held-out folds."""
    truth = np.array([found.classes.index(label) for label in found.labels])
    temperature = _temperature(found.scores, truth)
    probabilities = softmax(found.scores, 1.0 / temperature)
    unknown = found.classes.index(Intent.UNKNOWN) if Intent.UNKNOWN in found.classes else -1
    threshold = _threshold(probabilities, truth, unknown)
    margin = _margin(probabilities, truth, unknown, threshold)
    return Calibration(round(temperature, 4), threshold, margin)


def _temperature(scores: Floats, truth: Indices) -> float:
    """The temperature with the lowest negative log-likelihood of the true classes."""
    best, best_loss = 1.0, float("inf")
    rows = np.arange(len(truth))
    for temperature in _TEMPERATURES:
        scaled = scores / temperature
        top = scaled.max(axis=1)
        log_sum = top + np.log(np.exp(scaled - top[:, None]).sum(axis=1))
        loss = float((log_sum - scaled[rows, truth]).mean())
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def _decisions(probabilities: Floats, unknown: int, threshold: float) -> Indices:
    best: Indices = probabilities.argmax(axis=1)
    if unknown < 0:
        return best
    decided: Indices = np.where(probabilities.max(axis=1) < threshold, unknown, best)
    return decided


def _threshold(probabilities: Floats, truth: Indices, unknown: int) -> float:
    """The threshold with the best accuracy (the lowest of equally good ones)."""
    if unknown < 0:
        return 0.0
    accuracy = [
        float((_decisions(probabilities, unknown, threshold) == truth).mean())
        for threshold in _THRESHOLDS
    ]
    return float(_THRESHOLDS[int(np.argmax(accuracy))])


def _margin(
    probabilities: Floats,
    truth: Indices,
    unknown: int,
    threshold: float,
) -> float:
    """The margin between the best two intents under which asking costs least.

    A message asked about costs `_ASK_COST`, plus 1 when the right intent is neither of the
    two offered; one answered costs 1 when the best guess is wrong. At most `_MOST_ASKED` of
    the messages are asked about.
    """
    order = np.argsort(-probabilities, axis=1)
    first, second = order[:, 0], order[:, 1]
    rows = np.arange(len(truth))
    gap = probabilities[rows, first] - probabilities[rows, second]
    known = (first != unknown) & (second != unknown) & (probabilities[rows, first] >= threshold)
    wrong = (first != truth).astype(np.float64)
    missed = ((first != truth) & (second != truth)).astype(np.float64)
    best_margin, best_cost = 0.0, float(wrong.sum())
    for margin in _MARGINS[1:]:
        asked = known & (gap < margin)
        if asked.mean() > _MOST_ASKED:
            break
        cost = float((_ASK_COST + missed[asked]).sum() + wrong[~asked].sum())
        if cost < best_cost:
            best_margin, best_cost = float(margin), cost
    return best_margin


def decide(
    classes: Sequence[Intent], probabilities: Floats, unknown_below: float
) -> tuple[Intent, float]:
    """The intent a message gets and its probability: the best, or `unknown` when unsure."""
    best = int(np.argmax(probabilities))
    value = float(probabilities[best])
    if value < unknown_below:
        return Intent.UNKNOWN, value
    return classes[best], value


def label_counts(examples: Sequence[Example]) -> Counter[Intent]:
    """How many examples each intent has."""
    return Counter(example.intent for example in examples)
