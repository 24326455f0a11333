"""Text helpers for Vietnamese: folding diacritics so "muong nhe" matches "Mường Nhé"."""

import re
import unicodedata

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
