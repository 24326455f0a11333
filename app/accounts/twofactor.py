"""Two-factor sign-in: time-based one-time passwords (TOTP, RFC 6238: 30-second steps, 6 digits, with pyotp) and
one-time recovery codes.

- Required for the roles in `PAKN_TOTP_REQUIRED_ROLES` (the coordinator and the system admin by default): they
  enrol at their next sign-in (`must_enrol`; `web.common.current_account` sends them to /account/2fa). Available to
  every account from the same page.
- A code is accepted once: the account keeps the last time step used, and a conditional UPDATE takes it
  (`totp_last_step < :step`), so two requests with one code cannot both win.
- Recovery codes (10, shown once) are long random strings; only their SHA-256 is stored, and a code is spent by a
  conditional UPDATE (`used_at IS NULL`).
- The TOTP secret is stored sealed (app/sealed.py: AES-GCM under a key outside the database); one stored before
  sealing existed is sealed at its next successful use.
- Wrong codes are limited per account (`SECOND_FACTOR`, app/throttle.py): a stolen password plus guessing 6 digits
  gets 5 tries per 15 minutes.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import or_, update
from sqlmodel import Session, col, delete, func, select

from app import sealed, throttle
from app.accounts.models import Account, RecoveryCode
from app.config import get_settings
from app.db import utcnow
from app.events import service as events
from app.events.types import EventType

ISSUER = "PAKN Điện Biên"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SECOND_FACTOR = throttle.Limit("login.second_factor", 5, timedelta(minutes=15))


class SecondFactorError(Exception):
    """A refusal shown as it is (Vietnamese)."""


def required_for(account: Account) -> bool:
    return str(account.role) in get_settings().totp_required_roles.split()


def enabled(account: Account) -> bool:
    return account.totp_enabled_at is not None and bool(account.totp_secret)


def must_enrol(account: Account) -> bool:
    return required_for(account) and not enabled(account)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: Account) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret as people type it into an authenticator app: groups of four."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step whose code this is (the current one or a neighbour, for clock drift); None otherwise."""
    code = _clean(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _take_step(session: Session, account: Account, step: int) -> bool:
    table = Account.__table__
    taken = session.execute(
        update(table).where(table.c.id == account.id,
                            or_(table.c.totp_last_step.is_(None), table.c.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount
    if taken:
        account.totp_last_step = step
    return taken == 1


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _spend_recovery_code(session: Session, account: Account, code: str) -> bool:
    table = RecoveryCode.__table__
    spent = session.execute(
        update(table).where(table.c.account_id == account.id, table.c.code_hash == _hash(code),
                            table.c.used_at.is_(None)).values(used_at=utcnow())
    ).rowcount
    if spent:
        events.record(session, EventType.RECOVERY_CODE_USED, actor=account, agency_id=account.agency_id,
                      subject_account_id=account.id, data={"left": recovery_codes_left(session, account)})
    return spent == 1


def recovery_codes_left(session: Session, account: Account) -> int:
    return session.exec(select(func.count()).where(col(RecoveryCode.account_id) == account.id,
                                                   col(RecoveryCode.used_at).is_(None))).one()


def check_second_factor(session: Session, account: Account, code: str) -> None:
    """A six-digit code from the authenticator or an unused recovery code; SecondFactorError otherwise (the door
    then calls `count_failure` in a unit of work of its own). Writes the step taken or the code spent."""
    refused = throttle.exceeded(session, SECOND_FACTOR, str(account.id))
    if not refused.allowed:
        raise SecondFactorError(f"Nhập sai mã xác thực quá nhiều lần. Vui lòng thử lại sau "
                                f"{max(1, (refused.retry_after + 59) // 60)} phút.")
    unreadable = False
    if account.totp_secret:
        try:
            secret = sealed.unseal(account.totp_secret, purpose=_purpose(account))
        except sealed.CannotOpen:
            secret, unreadable = None, True
        step = matching_step(secret, code) if secret else None
        if step is not None and _take_step(session, account, step):
            if not sealed.is_sealed(account.totp_secret):
                account.totp_secret = sealed.seal(secret, purpose=_purpose(account))
                session.add(account)
            return
    if len(_clean(code)) > 6 and _spend_recovery_code(session, account, code):
        return
    if unreadable:  # the field key was replaced or lost: only a recovery code, or an administrator, helps now
        raise SecondFactorError("Không đọc được khóa xác thực của tài khoản (khóa bảo mật của máy chủ đã thay đổi). "
                                "Hãy dùng một mã khôi phục, hoặc nhờ quản trị hệ thống tắt và bật lại xác thực hai "
                                "bước cho bạn.")
    raise SecondFactorError("Mã xác thực không đúng hoặc đã được dùng. Vui lòng nhập mã mới trong ứng dụng "
                            "xác thực, hoặc một mã khôi phục chưa dùng.")


def _purpose(account: Account) -> str:
    return f"totp:{account.id}"


def count_failure(session: Session, account: Account) -> None:
    throttle.hit(session, SECOND_FACTOR, str(account.id))


def issue_recovery_codes(session: Session, account: Account) -> list[str]:
    """Ten new codes (the old ones stop working); shown once by the caller."""
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.account_id) == account.id))
    codes = ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
             for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(account_id=account.id, code_hash=_hash(code)))
    events.record(session, EventType.RECOVERY_CODES_ISSUED, actor=account, agency_id=account.agency_id,
                  subject_account_id=account.id)
    session.flush()
    return codes


def enable(session: Session, account: Account, secret: str, code: str) -> list[str]:
    """Turns TOTP on once the person proves their app has the secret (a current code); the recovery codes."""
    step = matching_step(secret, code)
    if step is None:
        raise SecondFactorError("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và nhập mã đang hiển thị.")
    account.totp_secret = sealed.seal(secret, purpose=_purpose(account))
    account.totp_enabled_at, account.totp_last_step = utcnow(), step
    session.add(account)
    events.record(session, EventType.TWO_FACTOR_ENABLED, actor=account, agency_id=account.agency_id,
                  subject_account_id=account.id)
    return issue_recovery_codes(session, account)


def disable(session: Session, account: Account) -> None:
    if required_for(account):
        raise SecondFactorError("Vai trò của bạn bắt buộc dùng xác thực hai bước; không thể tắt.")
    account.totp_secret = account.totp_enabled_at = account.totp_last_step = None
    session.add(account)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.account_id) == account.id))
    events.record(session, EventType.TWO_FACTOR_DISABLED, actor=account, agency_id=account.agency_id,
                  subject_account_id=account.id)
    session.flush()
