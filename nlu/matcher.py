"""The intent matcher: fuzzy similarity to examples, word-pair profiles and weighted keywords."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import pairwise, repeat
from operator import add, itemgetter, mul
from types import MappingProxyType

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from nlu.entities import extract_entities
from nlu.intents import Intent
from nlu.normalize import normalize
from nlu.result import ParseResult

# Entity markers are tokens added to the text that is matched: "@kwh", "@money", ...
MARKER = "@"
# A date for turning the examples into features; marker presence does not depend on it.
_EXAMPLE_DAY = date(2000, 6, 15)
_FUZZY_INTENTS = 6
_MIN_CORRECTED_LENGTH = 5
_LONG_TOKEN = 8
_MAX_KEYWORD_SUM = 1.5
_RANKING_SIZE = 3
# Looking a member up on an enum class is slow enough to matter here.
_UNKNOWN = Intent.UNKNOWN
_SCORE = itemgetter(1)
_SIZE_AND_START = itemgetter(0, 1)
# A profile term: idf, idf squared, ((intent position, weight), ...).
_Term = tuple[float, float, tuple[tuple[int, float], ...]]
_SQUARED_WEIGHT = itemgetter(1)
# Intent matching reads this many words; a chat message that long has said what it wants.
_MAX_MATCHED_WORDS = 64


@dataclass(frozen=True, slots=True)
class Weights:
    """How the three scores blend, and the score below which a message is `unknown`.

    Chosen by 5-fold cross-validation on the training examples (never on the held-out file).
    """

    fuzzy: float = 4 / 12
    profile: float = 3 / 12
    keywords: float = 5 / 12
    out_of_scope: float = 0.5
    fuzzy_floor: float = 0.3
    unknown_below: float = 0.25 / 1.2


class _PartNode:
    """A word in the tree of keyword parts: the words that may follow, the phrases it ends."""

    __slots__ = ("children", "phrases")

    def __init__(self) -> None:
        self.children: dict[str, _PartNode] = {}
        self.phrases: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Features:
    """A message prepared for matching."""

    normalized: str
    entities: Mapping[str, object]
    text: str


class Matcher:
    """Scores every intent for a message and picks the best, or `unknown`."""

    def __init__(
        self,
        examples: Iterable[tuple[str, Intent]],
        keywords: Mapping[Intent, Mapping[str, float]],
        weights: Weights | None = None,
    ) -> None:
        """Prepare the examples and keywords once; parsing then does no loading."""
        self.weights = weights or Weights()
        self._intents = tuple(Intent)
        # Scores are lists indexed by intent position: hashing an enum member is a Python call.
        position = {intent: number for number, intent in enumerate(self._intents)}
        self._unknown = position[Intent.UNKNOWN]
        self._phrases: list[tuple[int, float, int]] = []
        self._phrases_of_part: dict[str, list[int]] = defaultdict(list)
        vocabulary: set[str] = set()
        for intent, table in keywords.items():
            for phrase, weight in table.items():
                parts = _keyword_parts(phrase)
                for part in parts:
                    self._phrases_of_part[part].append(len(self._phrases))
                    vocabulary.update(part.split())
                self._phrases.append((position[intent], weight, len(parts)))
        prepared: list[tuple[str, Intent]] = []
        for text, intent in examples:
            normalized = normalize(text)
            vocabulary.update(normalized.split())
            prepared.append((normalized, intent))
        self._vocabulary = frozenset(word for word in vocabulary if word.isalpha())
        self._vocabulary_list = sorted(self._vocabulary)
        self._longest_word = max(map(len, self._vocabulary), default=0)
        # Typo candidates by token length: only words within the allowed distance in length.
        self._near_in_length = {
            size: [
                word
                for word in self._vocabulary_list
                if abs(len(word) - size) <= _typo_limit(size)
            ]
            for size in range(_MIN_CORRECTED_LENGTH, self._longest_word + 3)
        }
        # Each word, and each word with one letter deleted -> the words it comes from, in order:
        # two words one edit apart share one of these (the symmetric-deletion method).
        self._one_deletion: dict[str, list[str]] = defaultdict(list)
        for word in self._vocabulary_list:
            for variant in dict.fromkeys(_one_deletion(word)):
                self._one_deletion[variant].append(word)
        self._part_tree = _part_tree(self._phrases_of_part)
        self._match_word = lru_cache(maxsize=16384)(self._matched_word)
        featured = [
            (self._match_text(normalized, _markers(text_entities(normalized))), intent)
            for normalized, intent in prepared
        ]
        self._examples_of: dict[Intent, list[str]] = defaultdict(list)
        for text, intent in featured:
            self._examples_of[intent].append(_sorted_words(text))
        self._profiles, self._idf = _build_profiles(featured)
        # Profile terms, words and word pairs.
        self._word_terms: dict[str, _Term] = {}
        self._pair_terms: dict[tuple[str, str], _Term] = {}
        for term, weight in self._idf.items():
            entry = (
                weight,
                weight * weight,
                tuple((position[intent], value) for intent, value in self._profiles.get(term, ())),
            )
            first, _, second = term.partition(" ")
            if second:
                self._pair_terms[first, second] = entry
            else:
                self._word_terms[term] = entry
        self._fuzzy_choices = [
            list(dict.fromkeys(self._examples_of.get(intent, ()))) for intent in self._intents
        ]

    @classmethod
    def from_package_data(cls) -> Matcher:
        """The matcher built from `nlu/data/examples.jsonl` and `nlu/data/keywords.json`."""
        data = resources.files("nlu") / "data"
        examples = read_examples((data / "examples.jsonl").read_text(encoding="utf-8"))
        keywords = read_keywords((data / "keywords.json").read_text(encoding="utf-8"))
        return cls(examples, keywords)

    def features(self, text: str, today: date, areas: Sequence[str] = ()) -> Features:
        """The normalised text, the entities and the text that is matched."""
        normalized = normalize(text)
        entities = extract_entities(text, normalized, today, areas)
        return Features(normalized, entities, self._match_text(normalized, _markers(entities)))

    def parse(self, text: str, today: date, areas: Sequence[str] = ()) -> ParseResult:
        """The intent, confidence and entities of one message."""
        normalized = normalize(text)
        entities = extract_entities(text, normalized, today, areas)
        ranking = self.rank(self._match_text(normalized, _markers(entities)))
        best_intent, best_score = ranking[0]
        best_known = next((score for intent, score in ranking if intent is not _UNKNOWN), 0.0)
        if best_intent is _UNKNOWN or best_score < self.weights.unknown_below:
            confidence = max(1.0 - best_known, best_score if best_intent is _UNKNOWN else 0)
            intent = _UNKNOWN
        else:
            intent, confidence = best_intent, best_score
        return ParseResult(
            text=text,
            intent=intent,
            confidence=_unit(confidence),
            entities=MappingProxyType(entities),
            ranking=tuple((name, _unit(score)) for name, score in ranking[:_RANKING_SIZE]),
        )

    def rank(self, match_text: str) -> list[tuple[Intent, float]]:
        """Every intent with its blended score, best first."""
        weights = self.weights
        profile = self._profile_scores(match_text)
        keyword = self._keyword_scores(match_text)
        w_fuzzy, w_profile, w_keywords = weights.fuzzy, weights.profile, weights.keywords
        # Fuzzy similarity, the costly score, is computed for the likeliest intents only.
        # The blend without fuzzy similarity (0 + x is x: these are the final totals of the
        # intents that get no fuzzy score).
        totals = list(
            map(add, map(mul, repeat(w_profile), profile), map(mul, repeat(w_keywords), keyword))
        )
        likely = sorted(range(len(totals)), key=totals.__getitem__, reverse=True)
        unknown = self._unknown
        fuzzy = self._fuzzy_scores(match_text, {*likely[:_FUZZY_INTENTS], unknown})
        for number, fuzzy_score in fuzzy.items():
            totals[number] = (
                w_fuzzy * fuzzy_score + w_profile * profile[number] + w_keywords * keyword[number]
            )
        # Out-of-scope words (water bills, gold prices) damp every electricity intent.
        damping = 1.0 - weights.out_of_scope * max(keyword[unknown], 0.0)
        if damping == 1.0:
            scores = totals
        else:
            scores = [total * damping for total in totals]
            scores[unknown] = totals[unknown]
        return sorted(zip(self._intents, scores, strict=True), key=_SCORE, reverse=True)

    def _match_text(self, normalized: str, markers: Sequence[str]) -> str:
        match_word = self._match_word
        words = [match_word(token) for token in normalized.split()[:_MAX_MATCHED_WORDS]]
        return " ".join([*words, *markers])

    def _matched_word(self, token: str) -> str:
        """A token as it is matched: "#" for a number, otherwise with its typo corrected."""
        if any(character.isdigit() for character in token):
            return "#"
        return self._correct_token(token)

    def _correct_token(self, token: str) -> str:
        """A typo corrected to a known word, or a run-together pair split ("tiendien")."""
        if token in self._vocabulary or len(token) < _MIN_CORRECTED_LENGTH:
            return token
        if not token.isalpha():
            return token
        vocabulary, longest, size = self._vocabulary, self._longest_word, len(token)
        # Each half of a split is a known word, so no longer than the longest one.
        for cut in range(max(2, size - longest), min(size - 1, longest + 1)):
            if token[:cut] in vocabulary and token[cut:] in vocabulary:
                return f"{token[:cut]} {token[cut:]}"
        limit = _typo_limit(size)
        if limit == 1:
            # The nearest word, the first in alphabetical order among equally near ones.
            near = {
                word
                for variant in _one_deletion(token)
                for word in self._one_deletion.get(variant, ())
                if Levenshtein.distance(token, word, score_cutoff=1) <= 1
            }
            return min(near) if near else token
        candidates = self._near_in_length.get(size)
        if not candidates:
            return token
        match = process.extractOne(
            token, candidates, scorer=Levenshtein.distance, score_cutoff=limit
        )
        return match[0] if match is not None else token

    def _fuzzy_scores(self, match_text: str, intents: Iterable[int]) -> dict[int, float]:
        """Intent position -> the best similarity to one of its examples, above the floor.

        Only the intents given are scored; those with nothing above the floor are left out.
        """
        best: dict[int, float] = {}
        floor = self.weights.fuzzy_floor
        # Similarities under the floor count as zero, so rapidfuzz may skip them.
        cutoff = max(floor * 100, 0.0)
        # fuzz.ratio on words sorted beforehand is token_sort_ratio without re-sorting examples.
        query = _sorted_words(match_text)
        choices = self._fuzzy_choices
        for number in intents:
            match = process.extractOne(
                query, choices[number], scorer=fuzz.ratio, score_cutoff=cutoff
            )
            if match is not None:
                best[number] = max(match[1] / 100 - floor, 0.0) / (1.0 - floor)
        return best

    def _profile_scores(self, match_text: str) -> list[float]:
        """Per intent position: cosine similarity of the message to the intent's profile."""
        scores = [0.0] * len(self._intents)
        words = match_text.split()
        # The terms of `_terms`, looked up without joining the pairs into strings.
        word_terms, pair_terms = self._word_terms, self._pair_terms
        found = [
            *filter(None, map(word_terms.get, set(words))),
            *filter(None, map(pair_terms.get, set(pairwise(words)))),
        ]
        norm = math.sqrt(sum(map(_SQUARED_WEIGHT, found)))
        if not norm:
            return scores
        for weight, _, profile in found:
            share = weight / norm
            for number, profile_weight in profile:
                scores[number] += share * profile_weight
        return scores

    def _keyword_scores(self, match_text: str) -> list[float]:
        """Per intent position: matched positive weights (capped), minus matched negative ones."""
        words = match_text.split()
        count = len(words)
        # Every part that occurs, as (size, start, part), walking the tree from each word.
        occurring: list[tuple[int, int, _PartNode]] = []
        tree = self._part_tree
        for start, word in enumerate(words):
            node = tree.get(word)
            size = 1
            while node is not None:
                if node.phrases:
                    occurring.append((size, start, node))
                if start + size == count:
                    break
                node = node.children.get(words[start + size])
                size += 1
        # Each distinct part counts once, in order of size then position.
        occurring.sort(key=_SIZE_AND_START)
        found: dict[int, int] = defaultdict(int)
        seen: set[_PartNode] = set()
        for _, _, node in occurring:
            if node not in seen:
                seen.add(node)
                for phrase in node.phrases:
                    found[phrase] += 1
        support = [0.0] * len(self._intents)
        against = [0.0] * len(self._intents)
        matched: set[int] = set()
        for phrase, hits in found.items():
            number, weight, parts = self._phrases[phrase]
            if hits == parts:
                matched.add(number)
                if weight > 0:
                    support[number] += weight
                else:
                    against[number] += weight
        scores = [0.0] * len(self._intents)
        for number in matched:
            total = min(support[number], _MAX_KEYWORD_SUM) + against[number]
            scores[number] = max(total, -_MAX_KEYWORD_SUM) / _MAX_KEYWORD_SUM
        return scores


def text_entities(normalized: str) -> dict[str, object]:
    """The entities of an example, found with a fixed date (only their presence matters)."""
    return extract_entities(normalized, normalized, _EXAMPLE_DAY, ())


def read_examples(text: str) -> list[tuple[str, Intent]]:
    """The (text, intent) pairs of a JSON-lines file of examples."""
    examples: list[tuple[str, Intent]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        try:
            examples.append((str(record["text"]), Intent(record["intent"])))
        except (KeyError, ValueError) as error:
            raise ValueError(f"examples line {number}: {error}") from None
    return examples


def read_keywords(text: str) -> dict[Intent, dict[str, float]]:
    """The weighted phrases of each intent from the keywords JSON file."""
    table = json.loads(text)
    return {
        Intent(name): {phrase: float(weight) for phrase, weight in phrases.items()}
        for name, phrases in table.items()
        if not name.startswith("_")
    }


def _keyword_parts(phrase: str) -> tuple[str, ...]:
    """A keyword as the word sequences that must all occur ("mỗi ngày+gửi" has two)."""
    parts = (part.strip() for part in phrase.split("+"))
    return tuple(
        dict.fromkeys(part if part.startswith(MARKER) else normalize(part) for part in parts)
    )


def _part_tree(phrases_of_part: Mapping[str, list[int]]) -> dict[str, _PartNode]:
    """The keyword parts as a tree of words: "lich" -> "cat" -> "dien"."""
    tree: dict[str, _PartNode] = {}
    for part, phrases in phrases_of_part.items():
        level, node = tree, None
        for word in part.split():
            node = level.setdefault(word, _PartNode())
            level = node.children
        if node is not None:
            node.phrases = tuple(phrases)
    return tree


def _one_deletion(word: str) -> list[str]:
    """The word itself and the word with each one of its letters deleted."""
    return [word, *(word[:cut] + word[cut + 1 :] for cut in range(len(word)))]


def _typo_limit(size: int) -> int:
    """The Levenshtein distance a typo of a word of this length may have."""
    return 2 if size >= _LONG_TOKEN else 1


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


def _markers(entities: Mapping[str, object]) -> list[str]:
    return [f"{MARKER}{name}" for name in entities]


def _terms(text: str) -> set[str]:
    words = text.split()
    return {
        *words,
        *(f"{first} {second}" for first, second in pairwise(words)),
    }


def _build_profiles(
    featured: Sequence[tuple[str, Intent]],
) -> tuple[dict[str, tuple[tuple[Intent, float], ...]], dict[str, float]]:
    """Per-intent centroids of tf-idf word and word-pair vectors, as an inverted index."""
    document_frequency: dict[str, int] = defaultdict(int)
    example_terms = [(_terms(text), intent) for text, intent in featured]
    for terms, _ in example_terms:
        for term in terms:
            document_frequency[term] += 1
    count = len(example_terms)
    idf = {term: math.log((count + 1) / (df + 1)) + 1 for term, df in document_frequency.items()}
    centroids: dict[Intent, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for terms, intent in example_terms:
        norm = math.sqrt(sum(idf[term] ** 2 for term in terms)) or 1.0
        for term in terms:
            centroids[intent][term] += idf[term] / norm
    index: dict[str, list[tuple[Intent, float]]] = defaultdict(list)
    for intent, centroid in centroids.items():
        norm = math.sqrt(sum(value * value for value in centroid.values())) or 1.0
        for term, value in centroid.items():
            index[term].append((intent, value / norm))
    return {term: tuple(pairs) for term, pairs in index.items()}, idf


def _unit(value: float) -> float:
    """A score clipped to 0.0-1.0 with three decimals, for display and logs."""
    return round(min(max(value, 0.0), 1.0), 3)
