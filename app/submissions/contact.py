"""Tracking codes and the sender's contact details, which together open a status page."""

import re
import secrets
from datetime import datetime

# No 0/O, 1/I/L: codes are read aloud over the phone and copied from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
CODE_PATTERN = re.compile(rf"^DB-(\d{{4}})-([{CODE_ALPHABET}]{{{CODE_LENGTH}}})$")


def new_tracking_code(now: datetime) -> str:
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"DB-{now.year}-{suffix}"


def normalize_tracking_code(raw: str) -> str | None:
    """Accepts the code however people type it back: lower case, spaces, missing dashes."""
    compact = re.sub(r"[\s\-_.]", "", raw.upper())
    m = re.fullmatch(rf"DB(\d{{4}})([{CODE_ALPHABET}]{{{CODE_LENGTH}}})", compact)
    return f"DB-{m.group(1)}-{m.group(2)}" if m else None


_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese mobile (0xx xxx xxxx) or landline (02xx xxx xxxx) number in 0-prefixed form."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    return None


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalize_email(raw: str) -> str | None:
    value = raw.strip().lower()
    return value if len(value) <= 254 and _EMAIL.match(value) else None


def contact_matches(given: str, phone: str | None, email: str | None) -> bool:
    """True if `given` is the phone or email recorded at submission (compared in normalized form)."""
    given_phone = normalize_phone(given)
    given_email = normalize_email(given)
    ok = False
    if given_phone and phone:
        ok |= secrets.compare_digest(given_phone, phone)
    if given_email and email:
        ok |= secrets.compare_digest(given_email, email)
    return ok


def mask_phone(phone: str | None) -> str | None:
    return f"{phone[:3]}****{phone[-3:]}" if phone else None


def mask_email(email: str | None) -> str | None:
    if not email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V. A.': enough to recognise oneself, not enough to identify."""
    parts = name.split()
    if len(parts) <= 1:
        return (name[:1] + "***") if name else name
    return " ".join([parts[0]] + [p[0] + "." for p in parts[1:]])
