"""Noisy copies of the written examples, the way customers type: generated, never hand-written.

Each copy applies one to three of: diacritics removed, teencode and chat abbreviations, typos
(a letter dropped, doubled, swapped or hit next to it on the keyboard), telex leftovers (an input
method switched off: "ddieenj" for "điện"), fillers before or after the question ("ad ơi",
"cho em hỏi", "ạ", "với", "giúp em"), casing and emoji. The copies of a message depend only on
the message and the seed (`random.Random` seeded with a string is the same on every platform and
run), so training on them is deterministic.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence

from nlu.normalize import fold

DEFAULT_SEED = 19

# Longer phrases first: "bao nhiêu" is replaced before "bao".
_TEENCODE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("số điện thoại", ("sđt", "sdt")),
    ("tiền điện", ("tđ", "td", "tiendien")),
    ("hóa đơn", ("hđ", "hd", "hoadon")),
    ("hoá đơn", ("hđ", "hd")),
    ("bao nhiêu", ("bn", "bnhiu", "nhiêu", "nhiu", "bao nhiu")),
    ("bao giờ", ("bh", "bjo", "bgio")),
    ("hôm nay", ("hnay", "hum nay")),
    ("hôm qua", ("hqua", "hum qua")),
    ("nhân viên", ("nv",)),
    ("khách hàng", ("kh",)),
    ("thanh toán", ("tt",)),
    ("chuyển khoản", ("ck",)),
    ("đăng ký", ("dky", "đk", "dki")),
    ("không", ("ko", "k", "hok", "hông", "khum", "kg")),
    ("được", ("dc", "đc", "dk", "đk")),
    ("gì", ("j", "ji")),
    ("rồi", ("r", "rùi", "ròi")),
    ("với", ("vs", "vớiii")),
    ("vậy", ("z", "v", "dzậy", "zậy")),
    ("mình", ("mk", "mik", "mh")),
    ("em", ("e",)),
    ("anh", ("a",)),
    ("chị", ("c",)),
    ("tôi", ("t", "tui")),
    ("tháng", ("thg", "th")),
    ("trước", ("trc",)),
    ("nhiều", ("nhiu",)),
    ("quá", ("wá", "wa", "qá")),
    ("biết", ("bik", "bít")),
    ("muốn", ("mún",)),
    ("làm", ("lm",)),
    ("người", ("ng",)),
    ("ơi", ("ơiii", "ui")),
    ("dùng", ("xài",)),
    ("xài", ("dùng",)),
    ("cúp", ("cắt", "cup")),
    ("cắt", ("cúp",)),
    ("gì", ("chi",)),
)
_TEENCODE_PATTERNS = tuple(
    (re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", re.IGNORECASE), choices)
    for phrase, choices in _TEENCODE
)
_KEYBOARD_NEIGHBOURS = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "a",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "x": "zc",
    "y": "tu",
}
# Telex: the letters typed for a shape mark, and the letter typed after the word for its tone.
_TELEX_SHAPES = {"\u0302": None, "\u0306": "w", "\u031b": "w"}
_TELEX_TONES = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_PREFIXES = (
    "ad ơi",
    "ad oi",
    "cho em hỏi",
    "cho mình hỏi",
    "cho hỏi",
    "dạ",
    "alo",
    "ê",
    "em ơi",
    "anh chị ơi",
    "xin lỗi cho hỏi",
    "cho tôi hỏi",
    "ad ơi cho hỏi",
    "dạ cho em hỏi",
    "bot ơi",
    "hỏi chút",
)
_GREETINGS = ("chào ad", "chào anh chị", "xin chào", "hi ad", "alo alo", "chào em", "hello")
_SUFFIXES = (
    "ạ",
    "a",
    "nha",
    "nhé",
    "với",
    "vậy",
    "ad ơi",
    "giúp em",
    "giùm mình với",
    "ạ?",
    "???",
    "!!",
    "gấp",
    "được không",
    "đi",
    "thế",
    "hả",
    "ạ 🙏",
    "😭",
    "😤",
    "...",
    "nhanh giúp",
)
_THANKS = ("cảm ơn", "tks ad", "cám ơn nhiều", "thanks")
_EMOJI = ("😭", "🙏", "😤", "😡", "😅", "👍", "❤️", "🤔", "😢", "🥲")
# Greetings and thanks are not added to the messages that are nothing else.
_BARE_INTENTS = frozenset({"greet", "thanks", "help"})


def variants(text: str, intent: str, count: int, seed: int = DEFAULT_SEED) -> list[str]:
    """`count` noisy copies of a message (some may equal it or each other)."""
    generator = random.Random(f"{seed}\x00{intent}\x00{text}")
    changes: list[Callable[[str, random.Random], str]] = [
        _without_diacritics,
        _teencode,
        _typo,
        _telex,
        _prefix,
        _suffix,
        _casing,
        _emoji,
    ]
    if intent not in _BARE_INTENTS:
        changes += [_greeting, _thanks]
    copies: list[str] = []
    for _ in range(count):
        copy = text
        for change in generator.sample(changes, generator.choice((1, 2, 2, 3))):
            copy = change(copy, generator)
        copies.append(copy)
    return copies


def _without_diacritics(text: str, generator: random.Random) -> str:
    del generator
    return unicodedata.normalize("NFC", _strip_marks(text))


def _strip_marks(text: str) -> str:
    """Diacritics removed with the case kept (`fold` also lower-cases)."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(character for character in decomposed if not unicodedata.combining(character))
    return kept.replace("đ", "d").replace("Đ", "D")


def _teencode(text: str, generator: random.Random) -> str:
    found = [(pattern, choices) for pattern, choices in _TEENCODE_PATTERNS if pattern.search(text)]
    if not found:
        return text
    for pattern, choices in generator.sample(found, min(len(found), generator.choice((1, 2, 3)))):
        text = pattern.sub(generator.choice(choices), text, count=1)
    return text


def _typo(text: str, generator: random.Random) -> str:
    words = text.split()
    places = [index for index, word in enumerate(words) if len(word) >= 3 and word.isalpha()]
    if not places:
        return text
    for index in generator.sample(places, min(len(places), generator.choice((1, 1, 2)))):
        words[index] = _misspelled(words[index], generator)
    return " ".join(words)


def _misspelled(word: str, generator: random.Random) -> str:
    at = generator.randrange(len(word))
    kind = generator.choice(("drop", "double", "swap", "neighbour", "unmark"))
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "swap" and at + 1 < len(word):
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "neighbour":
        near = _KEYBOARD_NEIGHBOURS.get(fold(word[at]))
        if near:
            return word[:at] + generator.choice(near) + word[at + 1 :]
    return _strip_marks(word)


def _telex(text: str, generator: random.Random) -> str:
    """Some words as typed in telex with the input method off ("tiền" -> "tieenf")."""
    words = text.split()
    marked = [index for index, word in enumerate(words) if fold(word) != word.lower()]
    if not marked:
        return text
    for index in generator.sample(marked, min(len(marked), generator.choice((1, 2, 3)))):
        words[index] = telex_keys(words[index])
    return " ".join(words)


def telex_keys(word: str) -> str:
    """The keys typed for a word in telex: shape marks as letters, the tone letter at the end."""
    letters: list[str] = []
    tone = ""
    for character in unicodedata.normalize("NFD", word):
        if character in _TELEX_TONES:
            tone = _TELEX_TONES[character]
        elif character in _TELEX_SHAPES:
            shape = _TELEX_SHAPES[character]
            letters.append(shape if shape is not None else (letters[-1] if letters else ""))
        elif character in "đĐ":
            letters.append("dd" if character == "đ" else "DD")
        else:
            letters.append(character)
    return "".join(letters) + tone


def _prefix(text: str, generator: random.Random) -> str:
    return f"{generator.choice(_PREFIXES)} {_lower_first(text)}"


def _greeting(text: str, generator: random.Random) -> str:
    separator = generator.choice((", ", " ", ". "))
    return f"{generator.choice(_GREETINGS)}{separator}{_lower_first(text)}"


def _suffix(text: str, generator: random.Random) -> str:
    return f"{text} {generator.choice(_SUFFIXES)}"


def _thanks(text: str, generator: random.Random) -> str:
    return f"{text}, {generator.choice(_THANKS)}"


def _casing(text: str, generator: random.Random) -> str:
    return text.upper() if generator.random() < 0.6 else text.capitalize()


def _emoji(text: str, generator: random.Random) -> str:
    return f"{text} {generator.choice(_EMOJI) * generator.choice((1, 1, 3))}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def augmented(
    examples: Sequence[tuple[str, str]], count: int, seed: int = DEFAULT_SEED
) -> list[tuple[str, str, int]]:
    """The examples and their copies as (text, intent, index of the example it comes from)."""
    rows: list[tuple[str, str, int]] = []
    for index, (text, intent) in enumerate(examples):
        rows.append((text, intent, index))
        rows.extend((copy, intent, index) for copy in variants(text, intent, count, seed))
    return rows
