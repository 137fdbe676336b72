"""The classifier of the package's own data: trained once, kept as a file keyed by its inputs.

The model is a function of its inputs: the training data files, the calibration chosen by
cross-validation (`data/calibration.json`), the source of the modules that turn text into
features or train, and scikit-learn's version. `model_key` hashes them all. `dienbot nlu train`
(run by `make`) saves the trained classifier to `data/model.npz` with its key; loading it is a
few milliseconds. When the file is missing or its key is not the key of today's inputs (data or
code changed since), the classifier is trained here from the data files instead (seconds), so a
stale file is never used. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import metadata, resources

from nlu.classifier import Calibration, IntentClassifier
from nlu.corpus import corpus_from_files, package_files

MODEL_FILE = "model.npz"
CALIBRATION_FILE = "calibration.json"
# The modules whose code shapes the trained model (what is read, how it becomes features).
_MODEL_SOURCES = (
    "augment.py",
    "classifier.py",
    "corpus.py",
    "dates.py",
    "entities.py",
    "features.py",
    "intents.py",
    "lexicon.py",
    "normalize.py",
    "numbers.py",
    "training.py",
)


def read_calibration(text: str) -> Calibration:
    """The calibration of `calibration.json` (its other fields are the figures behind it)."""
    record = json.loads(text)
    if not isinstance(record, dict):
        raise ValueError(f"{CALIBRATION_FILE}: expected a JSON object")
    return Calibration.from_json(record)


def package_calibration_text() -> str:
    """The content of the package's `calibration.json`."""
    return (resources.files("nlu") / "data" / CALIBRATION_FILE).read_text(encoding="utf-8")


def model_key(files: Mapping[str, str], calibration: Calibration) -> str:
    """A hash of everything the trained model depends on."""
    digest = hashlib.sha256()
    package = resources.files("nlu")
    parts: list[tuple[str, str]] = [(f"data/{name}", files[name]) for name in sorted(files)]
    parts += [(name, (package / name).read_text(encoding="utf-8")) for name in _MODEL_SOURCES]
    parts.append(("calibration", json.dumps(calibration.to_json(), sort_keys=True)))
    parts.append(("scikit-learn", _version("scikit-learn")))
    for name, content in parts:
        digest.update(name.encode())
        digest.update(b"\x00")
        digest.update(content.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def package_key() -> str:
    """The key of the model the package's data and code give today."""
    return model_key(package_files(), read_calibration(package_calibration_text()))


def saved_classifier(key: str) -> IntentClassifier | None:
    """The saved `data/model.npz` when it was trained from the inputs of `key`, else None."""
    entry = resources.files("nlu") / "data" / MODEL_FILE
    if not entry.is_file():
        return None
    try:
        saved = IntentClassifier.from_bytes(entry.read_bytes())
    except ValueError:
        return None
    return saved if saved.key == key else None


def train_package_classifier() -> IntentClassifier:
    """The classifier trained from the package's data files and calibration, with its key."""
    from nlu.training import train

    files = package_files()
    calibration = read_calibration(package_calibration_text())
    classifier = train(corpus_from_files(files), calibration)
    classifier.key = model_key(files, calibration)
    return classifier


def package_classifier() -> IntentClassifier:
    """The saved classifier if it is current, else one trained now from the package's data."""
    return saved_classifier(package_key()) or train_package_classifier()
