"""Chat abbreviations, teencode and regional words, as they look once diacritics are folded.

Keys are single folded tokens; values are what they stand for (one or more folded words).
Keys are looked up as typed first, then with repeated letters squeezed ("alooo" -> "alo").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_TEENCODE: dict[str, str] = {
    # negation and question words
    "ko": "khong",
    "k": "khong",
    "hok": "khong",
    "khum": "khong",
    "hem": "khong",
    "hk": "khong",
    "kg": "khong",
    "khg": "khong",
    "kh0": "khong",
    "j": "gi",
    "ji": "gi",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "baonhieu": "bao nhieu",
    "nhiu": "nhieu",
    "ntn": "nhu the nao",
    "bh": "bao gio",
    "bjo": "bao gio",
    "bgio": "bao gio",
    "bjh": "bao gio",
    "h": "gio",
    # common verbs and particles
    "dc": "duoc",
    "dk": "duoc",
    "đc": "duoc",
    "dky": "dang ky",
    "dki": "dang ky",
    "dangky": "dang ky",
    "r": "roi",
    "rui": "roi",
    "oy": "roi",
    "vs": "voi",
    "lm": "lam",
    "mun": "muon",
    "z": "vay",
    "v": "vay",
    "dzay": "vay",
    "zay": "vay",
    "ui": "oi",
    "wa": "qua",
    "hum": "hom",
    "hqua": "hom qua",
    "hnay": "hom nay",
    "trc": "truoc",
    "ns": "noi",
    "xai": "dung",
    # people
    "mk": "minh",
    "mik": "minh",
    "mjk": "minh",
    "mh": "minh",
    "e": "em",
    "t": "toi",
    "mn": "moi nguoi",
    "ng": "nguoi",
    "nv": "nhan vien",
    "ad": "admin",
    "cskh": "cham soc khach hang",
    "cty": "cong ty",
    # electricity words
    "td": "tien dien",
    "hd": "hoa don",
    "hdong": "hop dong",
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "tt": "thanh toan",
    "ck": "chuyen khoan",
    "thg": "thang",
    "cup": "cat",
    "tiendien": "tien dien",
    "hoadon": "hoa don",
    "maKH": "ma khach hang",
    # English and mixed
    "hi": "chao",
    "hello": "chao",
    "helo": "chao",
    "hey": "chao",
    "helu": "chao",
    "tks": "cam on",
    "thks": "cam on",
    "thx": "cam on",
    "thanks": "cam on",
    "thank": "cam on",
    "camon": "cam on",
    "bye": "tam biet",
    "goodbye": "tam biet",
    "bill": "hoa don",
    "check": "kiem tra",
    "pay": "thanh toan",
    "payment": "thanh toan",
    "app": "ung dung",
    "stop": "ngung gui",
    "subscribe": "dang ky nhan tin",
    "unsubscribe": "huy nhan tin",
    "unsub": "huy nhan tin",
    "unlink": "huy lien ket",
    "link": "lien ket",
    "remove": "xoa",
    "hotline": "tong dai",
    "agent": "nhan vien",
    "set": "dat",
    "oke": "ok",
    "oki": "ok",
    "okela": "ok",
}

TEENCODE: Mapping[str, str] = MappingProxyType({key.lower(): v for key, v in _TEENCODE.items()})

# Multi-word rewrites applied to the folded, space-separated text (both sides padded with spaces).
PHRASES: tuple[tuple[str, str], ...] = (
    (" dong ho dien ", " cong to "),
    (" dong ho ", " cong to "),
    (" dien ke ", " cong to "),
    (" dien thoai ", " dienthoai "),
    (" thang roi ", " thang truoc "),
    (" ky roi ", " ky truoc "),
    (" tuan roi ", " tuan truoc "),
    (" thang vua roi ", " thang truoc "),
    (" he lo ", " chao "),
    (" cam on ", " camon "),
    (" tam biet ", " tambiet "),
)

# After a number, each of these means kWh ("350 số", "200 ký", "400 chữ").
KWH_UNITS: frozenset[str] = frozenset({"kwh", "so", "ky", "ki", "chu", "kw", "kws", "kwhs"})
