"""Text helpers for Vietnamese: folding diacritics so "muong nhe" matches "Mường Nhé"."""

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogates: PostgreSQL refuses them


def unstorable(value: str) -> bool:
    """True if the database cannot store this text (checked at the doors, so it is a 4xx, never a 500)."""
    return bool(_UNSTORABLE.search(value))


def fold(text: str) -> str:
    """Lower-case, strip diacritics and map đ→d: the form used for keyword matching and search."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def normalize_input(text: str) -> str:
    """NFC and trimmed: Vietnamese typed on different keyboards arrives composed or decomposed."""
    return unicodedata.normalize("NFC", text).strip()


# Vietnamese alphabetical order (a ă â b c d đ e ê … with tones after letters), by ICU's "vi" collation: Python's
# own sort puts "Điện Biên Phủ" after "Mường Thanh". Every list shown to people is sorted with `collation_key`.
_VI_COLLATOR = icu.Collator.createInstance(icu.Locale("vi"))


def collation_key(text: str) -> bytes:
    """The sort key of `text` in Vietnamese alphabetical order (ICU collation, locale vi)."""
    return _VI_COLLATOR.getSortKey(text or "")


def sort_vietnamese(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """`items` in Vietnamese alphabetical order of `key(item)`; the one sort every shown list uses."""
    return sorted(items, key=lambda item: collation_key(key(item)))
