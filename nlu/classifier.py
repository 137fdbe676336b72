"""The trained intent classifier: a linear model over a message's features, calibrated.

Training (`nlu.training`, scikit-learn) produces the numbers held here; predicting needs numpy
only. A message's score for an intent is the dot product of its tf-idf vector (binary term
frequency, l2-normalised, as scikit-learn's `TfidfVectorizer(binary=True)` computes it) with the
intent's weights, plus the intercept; the scores divided by the temperature chosen on
cross-validation go through a softmax, so the probabilities are calibrated on held-out folds.
The weights are kept premultiplied by the features' idf, so a message costs one gather and one sum.
"""

from __future__ import annotations

import copy
import io
import json
import math
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from nlu.features import (
    TokenShaper,
    message_pairs,
    negated,
    pair_features,
    token_features,
    words_of,
)
from nlu.intents import Intent

FORMAT_VERSION = 1
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Calibration:
    """How scores become probabilities and decisions; chosen by cross-validation.

    Attributes:
        temperature: the scores are divided by it before the softmax (fitted to the held-out
            folds' log-likelihood).
        unknown_below: a best intent less probable than this gives `unknown`.
        ask_margin: when the best two intents are both known and closer than this, the
            conversation asks which one was meant.
    """

    temperature: float = 1.0
    unknown_below: float = 0.0
    ask_margin: float = 0.0

    def to_json(self) -> dict[str, float]:
        """The calibration as a JSON object."""
        return {
            "temperature": self.temperature,
            "unknown_below": self.unknown_below,
            "ask_margin": self.ask_margin,
        }

    @classmethod
    def from_json(cls, record: Mapping[str, object]) -> Calibration:
        """A calibration from `to_json`'s object."""

        def number(name: str) -> float:
            value = record.get(name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"calibration: {name!r} must be a number")
            return float(value)

        return cls(number("temperature"), number("unknown_below"), number("ask_margin"))


class IntentClassifier:
    """Intent probabilities for a normalised message and its entity names."""

    def __init__(
        self,
        *,
        classes: Sequence[Intent],
        features: Sequence[str],
        weights: Floats,
        idf: Floats,
        intercept: Floats,
        vocabulary: Collection[str],
        calibration: Calibration,
        key: str = "",
    ) -> None:
        """`weights` is (features × classes), `idf` per feature, `intercept` per class.

        `key` names the inputs it was trained from (`nlu.model.model_key`), "" when unknown.
        """
        if weights.shape != (len(features), len(classes)) or idf.shape != (len(features),):
            raise ValueError("classifier: weights, idf and features do not match")
        self.classes = tuple(classes)
        self.features = tuple(features)
        self.calibration = calibration
        self.key = key
        self._index = {feature: number for number, feature in enumerate(self.features)}
        self._idf = np.ascontiguousarray(idf, dtype=np.float64)
        self._weights = np.ascontiguousarray(weights, dtype=np.float64)
        self._intercept = np.ascontiguousarray(intercept, dtype=np.float64)
        # Idf-scaled rows, and the squared idf for the norm: tf-idf of binary terms is the idf.
        self._scaled = self._weights * self._idf[:, None]
        self._idf_squared = self._idf * self._idf
        self._inverse_temperature = 1.0 / calibration.temperature
        self.shaper = TokenShaper(vocabulary)
        self._token_rows = lru_cache(maxsize=65536)(self._known_rows)
        self._pair_rows = lru_cache(maxsize=65536)(self._known_pair_rows)

    def recalibrated(self, calibration: Calibration) -> IntentClassifier:
        """The same weights with another calibration (the weights are shared, not copied)."""
        other = copy.copy(self)
        other.calibration = calibration
        other._inverse_temperature = 1.0 / calibration.temperature
        return other

    @property
    def vocabulary(self) -> frozenset[str]:
        """The words of the training data the tokens are shaped to."""
        return self.shaper.vocabulary

    def feature_rows(self, normalized: str, markers: Iterable[str]) -> list[int]:
        """The rows of the known features of a message (`features.message_features`, known)."""
        scoped = negated(words_of(normalized, self.shaper))
        pairs = message_pairs(scoped)
        index = self._index
        marked = [
            row for row in (index.get(f"@{marker}") for marker in markers) if row is not None
        ]
        rows: set[int] = set(marked).union(
            *map(self._token_rows, scoped), *(self._pair_rows(*pair) for pair in pairs)
        )
        return list(rows)

    def _known_rows(self, token: str) -> tuple[int, ...]:
        """The rows of a token's own features that the model knows (cached per token)."""
        index = self._index
        return tuple(row for row in map(index.get, token_features(token)) if row is not None)

    def _known_pair_rows(self, first: str, second: str) -> tuple[int, ...]:
        """The rows of a word pair's features that the model knows (cached per pair)."""
        index = self._index
        found = map(index.get, pair_features(first, second))
        return tuple(row for row in found if row is not None)

    def scores(self, rows: Sequence[int]) -> Floats:
        """The linear scores of a message (the SVM's decision values), one per class."""
        if not rows:
            return self._intercept.copy()
        selected = np.fromiter(rows, dtype=np.intp, count=len(rows))
        norm = math.sqrt(self._idf_squared.take(selected).sum())
        scores: Floats = self._scaled.take(selected, axis=0).sum(axis=0) / norm + self._intercept
        return scores

    def probabilities(self, normalized: str, markers: Iterable[str]) -> Floats:
        """Calibrated probabilities of the classes (in `classes` order) for one message."""
        scores = self.scores(self.feature_rows(normalized, markers))
        return softmax(scores, self._inverse_temperature)

    def to_bytes(self) -> bytes:
        """The classifier as a self-contained file (numpy's `.npz`, no pickled objects)."""
        buffer = io.BytesIO()
        meta = {
            "format": FORMAT_VERSION,
            "key": self.key,
            "calibration": self.calibration.to_json(),
        }
        np.savez_compressed(
            buffer,
            meta=np.array(json.dumps(meta)),
            classes=np.array([intent.value for intent in self.classes]),
            features=np.array(self.features),
            weights=self._weights,
            idf=self._idf,
            intercept=self._intercept,
            vocabulary=np.array(sorted(self.vocabulary)),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, content: bytes) -> IntentClassifier:
        """A classifier saved by `to_bytes`; ValueError when the file is not one."""
        try:
            with np.load(io.BytesIO(content), allow_pickle=False) as saved:
                meta = json.loads(str(saved["meta"]))
                if meta.get("format") != FORMAT_VERSION:
                    raise ValueError(f"classifier: format {meta.get('format')!r} is not known")
                return cls(
                    classes=[Intent(str(name)) for name in saved["classes"]],
                    features=[str(feature) for feature in saved["features"]],
                    weights=saved["weights"],
                    idf=saved["idf"],
                    intercept=saved["intercept"],
                    vocabulary=[str(word) for word in saved["vocabulary"]],
                    calibration=Calibration.from_json(meta["calibration"]),
                    key=str(meta.get("key", "")),
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise ValueError(f"classifier: not a saved classifier ({error})") from None


def softmax(scores: Floats, inverse_temperature: float) -> Floats:
    """The softmax of `scores * inverse_temperature`, computed without overflow."""
    scaled = scores * inverse_temperature
    exponentials = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    result: Floats = exponentials / exponentials.sum(axis=-1, keepdims=True)
    return result
