"""SMS text: Vietnamese without diacritics by default (GSM-7: 160 characters in one part, 153 per part of a long
message), or with them (UCS-2: 70, then 67 per part) when PAKN_SMS_DIACRITICS is set; at most
PAKN_SMS_MAX_SEGMENTS parts (2)."""

import math
import unicodedata

from app.config import get_settings

# GSM 03.38 basic character set; the extension table's characters take two septets.
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
                "¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = set("^{}\\[~]|€\f")


def without_diacritics(text: str) -> str:
    """'Điện Biên' → 'Dien Bien' (case kept), typographic quotes and dashes made plain."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("“", '"').replace("”", '"').replace("–", "-")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text)


def septets(text: str) -> int:
    return sum(2 if ch in GSM_EXTENDED else 1 for ch in text)


def segments(text: str) -> int:
    """How many SMS parts the text takes (GSM-7 when every character has a septet, UCS-2 otherwise)."""
    if is_gsm7(text):
        n = septets(text)
        return 1 if n <= 160 else math.ceil(n / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def capacity(max_segments: int, gsm: bool) -> int:
    if gsm:
        return 160 if max_segments <= 1 else 153 * max_segments
    return 70 if max_segments <= 1 else 67 * max_segments


def render(text: str, *, keep: str = "") -> str:
    """The text as it will be sent: folded unless diacritics are configured, squeezed into the allowed parts by
    shortening it before `keep` (e.g. the link), which is always kept whole."""
    s = get_settings()
    body, tail = (text[: len(text) - len(keep)], keep) if keep and text.endswith(keep) else (text, "")
    if not s.sms_diacritics:
        body, tail = without_diacritics(body), without_diacritics(tail)
    gsm = is_gsm7(body + tail)
    room = capacity(s.sms_max_segments, gsm) - (septets(tail) if gsm else len(tail))
    if (septets(body) if gsm else len(body)) > room:
        cut = body[: max(0, room - 4)]
        cut = cut[: cut.rfind(" ")] if " " in cut else cut  # at a word boundary
        body = cut.rstrip(" ,.:;") + "... "
        while gsm and septets(body) > room:
            body = body[:-5].rstrip() + "... "
    return body + tail
