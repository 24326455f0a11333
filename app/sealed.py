"""Secrets the service must read back but a copy of the database must not reveal (the TOTP secrets of two-factor
sign-in): sealed with AES-256-GCM under a key kept outside the database (`PAKN_FIELD_KEY` or `<data_dir>/field_key`,
app/config.py). A stolen backup of the database alone gives nothing to generate sign-in codes with.

A sealed value is "v1:" + base64url(nonce ‖ ciphertext ‖ tag), bound to its column by the associated data (a value
copied into another column or row does not open). Values written before sealing existed are plain; `is_sealed`
tells them apart so that the owner re-seals them on their next use.
"""

import base64
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import get_settings

PREFIX = "v1:"


class CannotOpen(Exception):
    """The value was sealed under another key (the key file was lost or replaced) or was altered."""


@lru_cache
def _cipher(key_text: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pakn-sealed-v1").derive(key_text.encode())
    return AESGCM(key)


def _aead() -> AESGCM:
    return _cipher(get_settings().effective_field_key())


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def seal(plain: str, *, purpose: str) -> str:
    """`purpose` names where the value lives (e.g. "totp:<account id>")."""
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, plain.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(value: str, *, purpose: str) -> str:
    """The plain value; a value from before sealing is returned as it is."""
    if not is_sealed(value):
        return value
    raw = value[len(PREFIX):]
    data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    try:
        return _aead().decrypt(data[:12], data[12:], purpose.encode()).decode()
    except InvalidTag as exc:
        raise CannotOpen(purpose) from exc
