"""Logins, sessions, passwords and API keys. Every account change happens here."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, func, select

from app import throttle
from app.accounts.models import Account, ApiClient, ApiScope, AuthSession, LoginAttempt, Role
from app.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    dummy_hash,
    generate_password,
    hash_password,
    verify_password,
    weak_password_reason,
)
from app.accounts.permissions import can_manage_account, can_manage_accounts, can_reset_password_of
from app.agencies.models import Agency
from app.cache import Cached, bump
from app.config import get_settings
from app.db import utcnow
from app.errors import NotPermitted
from app.events import service as events
from app.events.types import EventType
from app.text import normalize_input


class AuthError(Exception):
    """A refusal whose message can be shown to the person as it is (Vietnamese)."""


class LoginThrottled(AuthError):
    pass


class WrongCurrentPassword(AuthError):
    pass


class AccountInvalid(AuthError):
    """Form values we cannot accept, one Vietnamese message per field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class AccountNotManageable(AuthError):
    """Not an officer of the actor's agency (pages answer 404: other agencies' accounts do not exist for them)."""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _login_limits() -> tuple[throttle.Limit, throttle.Limit]:
    s = get_settings()
    window = timedelta(minutes=s.login_lock_minutes)
    return (throttle.Limit("login.address", s.login_max_failures_per_ip, window),
            throttle.Limit("login.account_address", s.login_max_failures, window))


def account_failures(*, session: Session, username: str, now: datetime | None = None) -> tuple[int, datetime | None]:
    """Failures of one username (from every address) since its last success, within a day, and the latest."""
    now = now or utcnow()
    since = now - timedelta(days=1)
    last_success = session.exec(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded == True  # noqa: E712
        )
    ).one()
    if last_success is not None and last_success > since:
        since = last_success
    count, latest = session.exec(
        select(func.count(), func.max(LoginAttempt.created_at)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded == False,  # noqa: E712
            LoginAttempt.created_at > since,
        )
    ).one()
    return count, latest


def delay_after(failures: int) -> int:
    """Seconds an account waits between attempts after `failures` failures: none below the threshold, then
    1, 2, 4 … up to PAKN_LOGIN_MAX_DELAY_SECONDS. Refused attempts are not failures, so the delay never grows
    while one waits: a guesser gets one try per delay, the holder gets in once it has passed."""
    s = get_settings()
    over = failures - s.login_max_failures
    if over < 0:
        return 0
    return min(2 ** min(over, 20), s.login_max_delay_seconds)


def _minutes_or_seconds(seconds: int) -> str:
    return f"{(seconds + 59) // 60} phút" if seconds >= 90 else f"{max(1, seconds)} giây"


BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


def sign_in_refusal(*, session: Session, username: str, ip: str, now: datetime | None = None) -> str | None:
    """Why this attempt may not even be checked, or None. An address that fails too often (across usernames, or
    on one account) waits out its window; an account under attack from many addresses answers slowly (growing
    delays), never with a lock that would also keep its holder out."""
    now = now or utcnow()
    username = username.strip().lower()
    by_address, by_account_address = _login_limits()
    for limit, key in ((by_address, ip), (by_account_address, f"{username}\x00{ip}")):
        decision = throttle.exceeded(session, limit, key, now=now)
        if not decision.allowed:
            return (f"Đăng nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau "
                    f"{_minutes_or_seconds(decision.retry_after)}.")
    failures, latest = account_failures(session=session, username=username, now=now)
    wait = delay_after(failures)
    if wait and latest is not None and (remaining := (latest + timedelta(seconds=wait) - now).total_seconds()) > 0:
        return (f"Tài khoản này vừa bị đăng nhập sai nhiều lần. Để bảo vệ tài khoản, vui lòng chờ "
                f"{_minutes_or_seconds(int(remaining + 0.999))} rồi thử lại.")
    return None


def authenticate(*, session: Session, username: str, password: str, ip: str) -> Account | None:
    """Checks a password, reading only (the slow hash runs outside any write transaction): the account, or None
    for a wrong name or password; LoginThrottled when `sign_in_refusal` says so (the password is not checked).
    The door then calls `record_login`."""
    username = username.strip().lower()
    refusal = sign_in_refusal(session=session, username=username, ip=ip)
    if refusal:
        raise LoginThrottled(refusal)
    account = session.exec(select(Account).where(Account.username == username)).first()
    ok = verify_password(account.password_hash if account else dummy_hash(), password)
    return account if ok and account is not None and account.is_active else None


def record_failure(*, session: Session, username: str, ip: str) -> None:
    """Counts a failed attempt (per address, per account and address, per account) and tells the account's holder
    when failures reach the threshold (an event; notifications/flows.py sends the e-mail), then every 50."""
    username = username.strip().lower()
    session.add(LoginAttempt(username=username, ip=ip[:64], succeeded=False))
    by_address, by_account_address = _login_limits()
    throttle.hit(session, by_address, ip)
    throttle.hit(session, by_account_address, f"{username}\x00{ip}")
    session.flush()
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None:
        return
    failures, _ = account_failures(session=session, username=username)
    threshold = get_settings().login_max_failures
    if failures == threshold or (failures > threshold and failures % 50 == 0):
        events.record(session, EventType.SIGN_IN_FAILURES, actor=None, actor_role="system",
                      agency_id=account.agency_id, subject_account_id=account.id,
                      data={"failures": failures, "ip": ip[:64]})


def record_login(*, session: Session, username: str, ip: str, account: Account | None) -> str | None:
    """Counts the attempt (failures feed the throttle) and, for a good one, starts a session: its token."""
    if account is None:
        record_failure(session=session, username=username, ip=ip)
        return None
    session.add(LoginAttempt(username=username.strip().lower(), ip=ip[:64], succeeded=True))
    return start_session(session=session, account=account, ip=ip)


def _audit(session: Session, type_, *, actor: Account | None, subject: Account, data: dict | None = None) -> None:
    events.record(session, type_, actor=actor, actor_role=None if actor else "system",
                  agency_id=subject.agency_id, subject_account_id=subject.id, data=data)


def start_session(*, session: Session, account: Account, ip: str = "") -> str:
    token = secrets.token_urlsafe(32)
    hours = get_settings().session_max_age_hours
    session.add(
        AuthSession(token_hash=_sha256(token), account_id=account.id, expires_at=utcnow() + timedelta(hours=hours))
    )
    _audit(session, EventType.LOGGED_IN, actor=account, subject=account, data={"ip": ip} if ip else None)
    return token


def account_for_token(*, session: Session, token: str) -> Account | None:
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == _sha256(token))).first()
    if row is None or row.expires_at <= utcnow():
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.is_active:
        return None
    return account


def end_session(*, session: Session, token: str) -> None:
    account = account_for_token(session=session, token=token)
    session.exec(delete(AuthSession).where(AuthSession.token_hash == _sha256(token)))
    if account is not None:
        _audit(session, EventType.LOGGED_OUT, actor=account, subject=account)
    session.flush()


def validate_new_password(password: str, confirm: str, *, username: str, user_inputs: tuple[str, ...] = ()
                          ) -> str | None:
    if password != confirm:
        return "Hai lần nhập mật khẩu mới không khớp."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Mật khẩu mới phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự."
    if len(password) > 256:
        return "Mật khẩu mới quá dài (tối đa 256 ký tự)."
    if username.lower() in password.lower():
        return "Mật khẩu mới không được chứa tên đăng nhập."
    return weak_password_reason(password, user_inputs=(username, *user_inputs))


def new_password_hash(*, account: Account, current: str, new: str, confirm: str,
                      user_inputs: tuple[str, ...] = ()) -> str:
    """Checks a password change and hashes the new password (slow: call it before the unit of work).
    `user_inputs`: words a guesser would try for this account (its agency's code and name, see
    `guessable_words`). A wrong current password raises WrongCurrentPassword (the door counts it)."""
    if not verify_password(account.password_hash, current):
        raise WrongCurrentPassword("Mật khẩu hiện tại không đúng.")
    if verify_password(account.password_hash, new):
        raise AuthError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    problem = validate_new_password(new, confirm, username=account.username,
                                    user_inputs=(account.display_name, account.email or "", *user_inputs))
    if problem:
        raise AuthError(problem)
    return hash_password(new)


def guessable_words(*, session: Session, account: Account) -> tuple[str, ...]:
    """The account's agency code and name: what a guesser tries first (usernames of agency admins are the code)."""
    agency = session.get(Agency, account.agency_id) if account.agency_id else None
    return (agency.code, agency.name) if agency else ()


CURRENT_PASSWORD = throttle.Limit("password.current", 5, timedelta(minutes=15))


def current_password_refusal(*, session: Session, account: Account) -> str | None:
    """Someone holding a signed-in session guessing its password (to change it, or to learn it) gets 5 tries per
    15 minutes."""
    decision = throttle.exceeded(session, CURRENT_PASSWORD, str(account.id))
    if decision.allowed:
        return None
    return (f"Nhập sai mật khẩu hiện tại quá nhiều lần. Vui lòng thử lại sau "
            f"{_minutes_or_seconds(decision.retry_after)}.")


def record_wrong_current_password(*, session: Session, account: Account) -> None:
    throttle.hit(session, CURRENT_PASSWORD, str(account.id))


def change_password(*, session: Session, account: Account, password_hash: str, keep_token: str | None) -> None:
    """Stores the hash from `new_password_hash` and ends the account's other sessions."""
    account.password_hash = password_hash
    account.must_change_password = False
    account.password_changed_at = utcnow()
    session.add(account)
    # Other logins of this account end: a changed password must lock out whoever knew the old one.
    stmt = delete(AuthSession).where(AuthSession.account_id == account.id)
    if keep_token:
        stmt = stmt.where(AuthSession.token_hash != _sha256(keep_token))
    session.exec(stmt)
    _audit(session, EventType.PASSWORD_CHANGED, actor=account, subject=account)
    session.flush()


def reset_password(
    *, session: Session, username: str, new_password: str, actor: Account | None = None
) -> Account:
    account = session.exec(select(Account).where(Account.username == username.strip().lower())).first()
    if account is None:
        raise AuthError(f"Không có tài khoản '{username}'.")
    account.password_hash = hash_password(new_password)
    account.must_change_password = True
    account.is_active = True
    session.add(account)
    session.exec(delete(AuthSession).where(AuthSession.account_id == account.id))
    session.exec(delete(LoginAttempt).where(LoginAttempt.username == account.username))
    _audit(session, EventType.PASSWORD_RESET, actor=actor, subject=account)
    session.flush()
    return account


def create_account(
    *, session: Session, username: str, display_name: str, role: Role, agency_id: int | None, password: str,
    email: str | None = None, actor: Account | None = None, password_hash: str | None = None,
) -> Account:
    """Adds an account (the caller commits) and records who created it."""
    account = Account(
        username=username.lower(),
        display_name=display_name,
        role=role,
        agency_id=agency_id,
        email=email,
        password_hash=password_hash or hash_password(password),
        must_change_password=True,
    )
    session.add(account)
    bump(session)  # who receives an agency's mail may have changed
    session.flush()
    _audit(session, EventType.ACCOUNT_CREATED, actor=actor, subject=account, data={"role": role.value})
    return account


# Officer accounts, managed by their agency's admin -------------------------------------------------------------

USERNAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{1,62})[a-z0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass
class OneTimePassword:
    """Shown once to the agency admin; the officer must change it at first login."""

    account: Account
    password: str


def _officer_values(session: Session, username: str, display_name: str, email: str) -> dict[str, str]:
    username = (username or "").strip().lower()
    display_name = " ".join(normalize_input(display_name or "").split())
    email = (email or "").strip().lower()
    errors = {}
    if not USERNAME_PATTERN.match(username):
        errors["username"] = ("Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu (a–z), chữ số, dấu chấm hoặc "
                              "gạch ngang, bắt đầu và kết thúc bằng chữ hoặc số.")
    elif session.exec(select(Account.id).where(Account.username == username)).first() is not None:
        errors["username"] = f"Tên đăng nhập “{username}” đã có người dùng. Vui lòng chọn tên khác."
    if not 2 <= len(display_name) <= 200:
        errors["display_name"] = "Họ và tên phải có từ 2 đến 200 ký tự."
    if not email:
        errors["email"] = "Vui lòng nhập thư điện tử công vụ của cán bộ."
    elif len(email) > 254 or not _EMAIL.match(email):
        errors["email"] = "Thư điện tử không đúng dạng, ví dụ: nguyenvana@dienbien.gov.vn."
    if errors:
        raise AccountInvalid(errors)
    return {"username": username, "display_name": display_name, "email": email}


def agency_accounts(*, session: Session, agency_id: int) -> list[Account]:
    """Everyone with a login in the agency: its admin first, then officers by name."""
    rows = session.exec(select(Account).where(Account.agency_id == agency_id)).all()
    return sorted(rows, key=lambda a: (a.role != Role.AGENCY_ADMIN, a.role, a.display_name.lower(), a.id))


def managed_officer(*, session: Session, actor: Account, account_id: int) -> Account:
    """The officer `account_id` if `actor` may manage them; AccountNotManageable otherwise (never says why)."""
    target = session.get(Account, account_id)
    if target is None or not can_manage_account(actor, target):
        raise AccountNotManageable("Không tìm thấy tài khoản.")
    return target


def _ensure_manages(actor: Account, target: Account | None = None) -> None:
    if not can_manage_accounts(actor) or (target is not None and not can_manage_account(actor, target)):
        raise AccountNotManageable("Không tìm thấy tài khoản.")


def new_one_time_password() -> tuple[str, str]:
    """A generated password and its hash (slow: made before the unit of work opens)."""
    password = generate_password()
    return password, hash_password(password)


def add_officer(*, session: Session, actor: Account, username: str, display_name: str, email: str,
                one_time_password: tuple[str, str]) -> OneTimePassword:
    """A new officer in the actor's own agency, with the one-time password from `new_one_time_password`."""
    _ensure_manages(actor)
    values = _officer_values(session, username, display_name, email)
    password, password_hash = one_time_password
    try:
        account = create_account(session=session, role=Role.OFFICER, agency_id=actor.agency_id, password=password,
                                 password_hash=password_hash, actor=actor, **values)
    except IntegrityError:  # the same username added at the same moment by someone else (the unit rolls back)
        raise AccountInvalid({"username": f"Tên đăng nhập “{values['username']}” đã có người dùng."}) from None
    return OneTimePassword(account=account, password=password)


def disable_officer(*, session: Session, actor: Account, account: Account) -> Account:
    """Locks the officer out now: every session of theirs ends."""
    _ensure_manages(actor, account)
    if not account.is_active:
        raise AuthError("Tài khoản này đã bị khóa.")
    account.is_active = False
    session.add(account)
    session.exec(delete(AuthSession).where(AuthSession.account_id == account.id))
    _audit(session, EventType.ACCOUNT_DISABLED, actor=actor, subject=account)
    bump(session)  # who receives an agency's mail may have changed
    session.flush()
    return account


def enable_officer(*, session: Session, actor: Account, account: Account) -> Account:
    _ensure_manages(actor, account)
    if account.is_active:
        raise AuthError("Tài khoản này đang hoạt động.")
    account.is_active = True
    session.add(account)
    # Failed logins from before the lock do not keep the reopened account throttled.
    session.exec(delete(LoginAttempt).where(LoginAttempt.username == account.username))
    _audit(session, EventType.ACCOUNT_ENABLED, actor=actor, subject=account)
    bump(session)  # who receives an agency's mail may have changed
    session.flush()
    return account


def reset_officer_password(*, session: Session, actor: Account, account: Account,
                           one_time_password: tuple[str, str]) -> OneTimePassword:
    """The one-time password from `new_one_time_password` (must be changed at the next login); the officer's
    sessions end. A locked account stays locked."""
    _ensure_manages(actor, account)
    password, account.password_hash = one_time_password
    account.must_change_password = True
    session.add(account)
    session.exec(delete(AuthSession).where(AuthSession.account_id == account.id))
    session.exec(delete(LoginAttempt).where(LoginAttempt.username == account.username))
    _audit(session, EventType.PASSWORD_RESET, actor=actor, subject=account)
    session.flush()
    return OneTimePassword(account=account, password=password)


def reset_admin_password(*, session: Session, actor: Account, account: Account,
                         one_time_password: tuple[str, str]) -> OneTimePassword:
    """The system admin gives an agency admin (or the coordinator) a one-time password from
    `new_one_time_password`: shown once, to be changed at the next login; the account's sessions end; audited."""
    if not can_reset_password_of(actor, account):
        raise NotPermitted("Chỉ quản trị hệ thống được đặt lại mật khẩu của quản trị đơn vị.")
    password, account.password_hash = one_time_password
    account.must_change_password = True
    session.add(account)
    session.exec(delete(AuthSession).where(AuthSession.account_id == account.id))
    session.exec(delete(LoginAttempt).where(LoginAttempt.username == account.username))
    _audit(session, EventType.PASSWORD_RESET, actor=actor, subject=account, data={"by": "system_admin"})
    session.flush()
    return OneTimePassword(account=account, password=password)


def accounts_overview(*, session: Session, q: str = "", role: str = "", page: int = 1, page_size: int = 50
                      ) -> tuple[list[tuple[Account, str]], int]:
    """Accounts with their agency's name, filtered by a search over username, name and agency, a page at a time;
    and the number that match."""
    stmt = select(Account, Agency.name).join(Agency, col(Agency.id) == col(Account.agency_id), isouter=True)
    if role in Role._value2member_map_:
        stmt = stmt.where(col(Account.role) == role)
    if q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Account.username).like(like), func.lower(Account.display_name).like(like),
                              func.lower(Agency.name).like(like)))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(Account.role), col(Account.username))
                        .offset((max(1, page) - 1) * page_size).limit(page_size)).all()
    return [(account, agency_name or "") for account, agency_name in rows], total


API_KEY_PREFIX = "pakn_"
DEFAULT_API_SCOPES = "submit read-own"


@dataclass
class NewApiKey:
    client: ApiClient
    key: str


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def normalize_scopes(scopes: str | list[str]) -> str:
    """Space-separated, known scopes only, in a stable order."""
    given = scopes.replace(",", " ").split() if isinstance(scopes, str) else list(scopes)
    unknown = [s for s in given if s not in ApiScope._value2member_map_]
    if unknown:
        known = ", ".join(s.value for s in ApiScope)
        raise AuthError(f"Quyền không hợp lệ: {', '.join(unknown)} (các quyền: {known}).")
    return " ".join(s.value for s in ApiScope if s.value in given)


def _validate_rate_limit(rate_limit: int | None) -> int | None:
    if rate_limit is not None and not 1 <= rate_limit <= 100_000:
        raise AuthError("Giới hạn số yêu cầu mỗi phút phải từ 1 đến 100.000.")
    return rate_limit


def create_api_client(
    *, session: Session, name: str, scopes: str = DEFAULT_API_SCOPES, rate_limit_per_minute: int | None = None
) -> NewApiKey:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise AuthError("Tên ứng dụng phải có từ 1 đến 200 ký tự.")
    if session.exec(select(ApiClient).where(ApiClient.name == name)).first():
        raise AuthError(f"Đã có ứng dụng tên '{name}'.")
    prefix, key = _new_key()
    # API keys are long random strings: a fast hash is enough and keeps every request cheap.
    client = ApiClient(name=name, key_prefix=prefix, key_hash=_sha256(key), scopes=normalize_scopes(scopes),
                       rate_limit_per_minute=_validate_rate_limit(rate_limit_per_minute))
    session.add(client)
    bump(session)
    session.flush()
    return NewApiKey(client=client, key=key)


def get_api_client(*, session: Session, name_or_id: str | int) -> ApiClient:
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        client = session.get(ApiClient, int(name_or_id))
    else:
        client = session.exec(select(ApiClient).where(ApiClient.name == str(name_or_id).strip())).first()
    if client is None:
        raise AuthError(f"Không có ứng dụng '{name_or_id}'.")
    return client


def rotate_api_key(*, session: Session, client: ApiClient, grace: timedelta = timedelta(0)) -> NewApiKey:
    """A new key; the old one stops working at once, or after `grace` so a deployed app can switch over."""
    if client.revoked_at is not None:
        raise AuthError("Ứng dụng đã bị thu hồi khóa; hãy tạo ứng dụng mới.")
    if grace < timedelta(0) or grace > timedelta(days=30):
        raise AuthError("Thời gian chuyển tiếp phải từ 0 đến 30 ngày.")
    now = utcnow()
    if grace > timedelta(0):
        client.previous_key_prefix, client.previous_key_hash = client.key_prefix, client.key_hash
        client.previous_key_expires_at = now + grace
    else:
        client.previous_key_prefix = client.previous_key_hash = client.previous_key_expires_at = None
    prefix, key = _new_key()
    client.key_prefix, client.key_hash, client.rotated_at = prefix, _sha256(key), now
    session.add(client)
    bump(session)
    session.flush()
    return NewApiKey(client=client, key=key)


def revoke_api_client(*, session: Session, client: ApiClient) -> ApiClient:
    """Every key of the client stops working at once; the row stays for the record."""
    if client.revoked_at is None:
        client.revoked_at = utcnow()
    client.previous_key_prefix = client.previous_key_hash = client.previous_key_expires_at = None
    session.add(client)
    bump(session)
    session.flush()
    return client


def update_api_client(
    *, session: Session, client: ApiClient, scopes: str | list[str] | None = None,
    rate_limit_per_minute: int | None = None, clear_rate_limit: bool = False,
) -> ApiClient:
    if scopes is not None:
        client.scopes = normalize_scopes(scopes)
    if clear_rate_limit:
        client.rate_limit_per_minute = None
    elif rate_limit_per_minute is not None:
        client.rate_limit_per_minute = _validate_rate_limit(rate_limit_per_minute)
    session.add(client)
    bump(session)
    session.flush()
    return client


@dataclass(frozen=True)
class ClientKeys:
    """A read-only copy of an API client, as every request checks it (per-process cache, app/cache.py)."""

    id: int
    name: str
    scopes: str
    rate_limit_per_minute: int | None
    key_prefix: str
    key_hash: str
    previous_key_prefix: str | None
    previous_key_hash: str | None
    previous_key_expires_at: datetime | None

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


def _load_clients(session: Session) -> dict[str, tuple[ClientKeys, ...]]:
    """Live clients by key prefix (current and, during a grace period, previous key)."""
    by_prefix: dict[str, list[ClientKeys]] = {}
    for c in session.exec(select(ApiClient).where(col(ApiClient.revoked_at).is_(None))).all():
        keys = ClientKeys(c.id, c.name, c.scopes, c.rate_limit_per_minute, c.key_prefix, c.key_hash,
                          c.previous_key_prefix, c.previous_key_hash, c.previous_key_expires_at)
        for prefix in {c.key_prefix, c.previous_key_prefix} - {None}:
            by_prefix.setdefault(prefix, []).append(keys)
    return {prefix: tuple(clients) for prefix, clients in by_prefix.items()}


_CLIENTS = Cached(_load_clients)


def client_for_key(*, session: Session, key: str) -> ClientKeys | None:
    """The client whose current key (or previous key, within its grace period) this is; None otherwise.
    Every change to a client (create, rotate, revoke, settings) bumps the cache stamp."""
    parts = key.split("_")
    if len(parts) < 3 or not key.startswith(API_KEY_PREFIX) or len(key) > 200:
        return None
    digest = _sha256(key)
    for client in _CLIENTS.get(session).get(parts[1], ()):
        if client.key_prefix == parts[1] and secrets.compare_digest(client.key_hash, digest):
            return client
        if (client.previous_key_prefix == parts[1] and client.previous_key_hash is not None
                and client.previous_key_expires_at is not None and client.previous_key_expires_at > utcnow()
                and secrets.compare_digest(client.previous_key_hash, digest)):
            return client
    return None
