"""Comparable figures of a model trained from a set of data files, for the learning loop.

`assess(files, held_out, today)` trains the classifier of those files (the calibration chosen
by cross-validation on them) and measures it the same way every time: k-fold cross-validation
on the files' own examples and accuracy on a labelled file the training never sees. A new
model replaces the current one only when `Figures.no_worse_than` says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from nlu.classifier import IntentClassifier
from nlu.corpus import corpus_from_files
from nlu.evaluation import LabelledMessage, evaluate
from nlu.parser import Parser
from nlu.training import TrainingSettings, cross_validate, train


@dataclass(frozen=True, slots=True)
class Figures:
    """What decides whether a model is better: shares of right answers, 0-1."""

    cross_validation: float
    held_out: float
    held_out_without_diacritics: float
    unknown_precision: float
    unknown_recall: float

    def no_worse_than(self, current: Figures, tolerance: float = 0.0) -> bool:
        """Whether every figure is at least the current model's, less `tolerance`."""
        pairs = (
            (self.cross_validation, current.cross_validation),
            (self.held_out, current.held_out),
            (self.held_out_without_diacritics, current.held_out_without_diacritics),
            (self.unknown_precision, current.unknown_precision),
            (self.unknown_recall, current.unknown_recall),
        )
        return all(new >= old - tolerance for new, old in pairs)


def assess(
    files: Mapping[str, str],
    held_out: Sequence[LabelledMessage],
    today: date,
    settings: TrainingSettings | None = None,
) -> tuple[IntentClassifier, Figures]:
    """The classifier of these data files and its figures (cross-validation, held-out file)."""
    settings = settings or TrainingSettings()
    examples = corpus_from_files(files)
    validation = cross_validate(examples, settings)
    cross = validation.report(settings.folds)
    classifier = train(examples, validation.calibration, settings)
    report = evaluate(Parser(classifier), held_out, today)
    return classifier, Figures(
        cross_validation=cross.scores.accuracy.ratio,
        held_out=report.overall.ratio,
        held_out_without_diacritics=report.without_diacritics.ratio,
        unknown_precision=report.unknown_precision.ratio,
        unknown_recall=report.unknown_recall.ratio,
    )
