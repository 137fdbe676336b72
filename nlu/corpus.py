"""The training data: labelled messages read from the package's data files.

Three kinds of file, all under `nlu/data/`:
- `train/<intent>.txt`: messages written for one intent, one a line (`#` starts a comment line);
- `examples.jsonl`: `{"text", "intent"}` lines, the first examples of every intent;
- `learned.jsonl`: messages labelled from real conversations, `{"text", "intent", ...}` with their
  provenance in further fields (who labelled it, when, from where), appended by the learning loop.

Reading is pure: the caller hands over the files' text (`package_corpus` reads the package's own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from nlu.intents import Intent

TRAIN_FOLDER = "train"
EXAMPLES_FILE = "examples.jsonl"
LEARNED_FILE = "learned.jsonl"


class CorpusError(ValueError):
    """A data file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message and where it comes from ("train/greet.txt:12")."""

    text: str
    intent: Intent
    source: str


def read_written(text: str, intent: Intent, source: str) -> list[Example]:
    """The messages of a `train/<intent>.txt` file: one a line, blank and `#` lines skipped."""
    examples: list[Example] = []
    for number, line in enumerate(text.splitlines(), start=1):
        message = line.strip()
        if message and not message.startswith("#"):
            examples.append(Example(message, intent, f"{source}:{number}"))
    return examples


def read_jsonl(text: str, source: str) -> list[Example]:
    """The labelled messages of a JSON-lines file; other fields (provenance) are kept out."""
    examples: list[Example] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CorpusError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise CorpusError(f'{where}: expected an object with a "text" string')
        try:
            intent = Intent(str(record.get("intent")))
        except ValueError:
            raise CorpusError(f"{where}: unknown intent {record.get('intent')!r}") from None
        examples.append(Example(record["text"], intent, where))
    return examples


def corpus_from_files(files: Mapping[str, str]) -> list[Example]:
    """Every example of the data files given as {path under `nlu/data/`: content}.

    Paths are read in sorted order, so the corpus (and the model trained on it) does not depend
    on the order the files were listed in.
    """
    examples: list[Example] = []
    for path in sorted(files):
        content = files[path]
        if path.startswith(f"{TRAIN_FOLDER}/") and path.endswith(".txt"):
            name = path.removeprefix(f"{TRAIN_FOLDER}/").removesuffix(".txt")
            try:
                intent = Intent(name)
            except ValueError:
                raise CorpusError(f"{path}: no intent is named {name!r}") from None
            examples.extend(read_written(content, intent, path))
        elif path.endswith(".jsonl"):
            examples.extend(read_jsonl(content, path))
        else:
            raise CorpusError(f"{path}: not a training data file")
    return examples


def package_files() -> dict[str, str]:
    """The training data files shipped in the package: {path under `nlu/data/`: content}."""
    data = resources.files("nlu") / "data"
    files = {
        name: (data / name).read_text(encoding="utf-8")
        for name in (EXAMPLES_FILE, LEARNED_FILE)
        if (data / name).is_file()
    }
    folder = data / TRAIN_FOLDER
    for entry in folder.iterdir():
        if entry.name.endswith(".txt"):
            files[f"{TRAIN_FOLDER}/{entry.name}"] = entry.read_text(encoding="utf-8")
    return files


def package_corpus() -> list[Example]:
    """The training examples of the package's data files."""
    return corpus_from_files(package_files())


def by_intent(examples: Iterable[Example]) -> dict[Intent, list[Example]]:
    """The examples grouped by intent, every intent present (maybe with none)."""
    grouped: dict[Intent, list[Example]] = {intent: [] for intent in Intent}
    for example in examples:
        grouped[example.intent].append(example)
    return grouped
