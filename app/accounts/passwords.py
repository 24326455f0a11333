"""argon2id hashing with costs from the settings (tests lower them; production keeps the defaults)."""

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from app.config import get_settings

MIN_PASSWORD_LENGTH = 10


@lru_cache
def _hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against a dummy hash when the username is unknown keeps the response time the same,
# so timing does not reveal which usernames exist.
@lru_cache
def dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def generate_password() -> str:
    # 4 groups of 4 from an alphabet without look-alikes: easy to type from a printed sheet.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


# Strength (zxcvbn, Dropbox's estimator: dictionaries of common passwords, names, keyboard patterns, dates and
# sequences). 3 of 4 means "safely unguessable: moderate protection from an offline attack" (≥ 10^8 guesses).
MIN_STRENGTH = 3
# Words every guesser of a PAKN Điện Biên account tries first, besides the account's own.
SITE_WORDS = ("dienbien", "dien bien", "điện biên", "pakn", "dien-bien", "phan anh kien nghi", "sokhcn")
_WARNINGS = (  # zxcvbn's English warnings, in Vietnamese
    ("straight rows", "Các phím liền nhau trên bàn phím rất dễ đoán."),
    ("keyboard patterns", "Các kiểu gõ theo hình trên bàn phím rất dễ đoán."),
    ('repeats like "aaa"', "Ký tự lặp lại như “aaa” rất dễ đoán."),
    ("repeats like", "Chuỗi lặp lại như “abcabc” chỉ khó đoán hơn “abc” một chút."),
    ("sequences", "Dãy liên tiếp như “abc” hay “6543” rất dễ đoán."),
    ("recent years", "Năm gần đây rất dễ đoán."),
    ("dates", "Ngày tháng rất dễ đoán."),
    ("common password", "Đây là một mật khẩu rất phổ biến."),
    ("similar to a commonly used", "Mật khẩu này gần giống một mật khẩu phổ biến."),
    ("word by itself", "Một từ đứng riêng rất dễ đoán."),
    ("names and surnames", "Tên người hay họ đứng riêng rất dễ đoán."),
)
ADVICE = ("Hãy dùng một cụm 3–4 từ không liên quan nối với nhau, ví dụ “ngua-xanh-dong-lua-som”; tránh tên cơ quan, "
          "tên người, “dienbien”, “pakn”, năm, dãy số hay ký tự lặp lại.")


def weak_password_reason(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """A Vietnamese explanation if zxcvbn scores the password below MIN_STRENGTH with these account-specific
    words (username, name, agency code and name) and the site's own words as a guesser's dictionary."""
    words = [w for w in (*user_inputs, *SITE_WORDS) if w]
    words += [part for w in user_inputs if w for part in w.replace("-", " ").replace(".", " ").split() if len(part) > 2]
    result = zxcvbn(password[:100], user_inputs=words)
    if result["score"] >= MIN_STRENGTH:
        return None
    warning = (result.get("feedback") or {}).get("warning", "").lower()
    detail = next((vi for needle, vi in _WARNINGS if needle in warning), "")
    return " ".join(p for p in ("Mật khẩu mới quá dễ đoán.", detail, ADVICE) if p)
