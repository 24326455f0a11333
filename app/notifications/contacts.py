"""Where agencies and accounts are told things: an agency's shared inbox (one or more e-mails and phones, stored
comma-separated in `agencies.email` / `agencies.phone`) and each account's own e-mail and phone.

Reserved addresses: the demo data and the tests use only addresses no channel ever sends to: e-mail domains
reserved by RFC 2606/6761 (example.org, example.com, example.net and their subdomains; the .example, .test,
.invalid and .localhost top-level domains) and the phone block 0500 000 000–0500 999 999 (the 050 prefix is not
allocated to any network in Vietnam's numbering plan; the project reserves it for fictitious numbers). The flows
skip them and every sender refuses them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import can_edit_account_contact, can_edit_agency_contact
from app.agencies.models import Agency
from app.cache import bump
from app.db import vietnamese
from app.errors import Invalid
from app.events import service as events
from app.events.types import EventType
from app.submissions.contact import normalize_email, normalize_phone

RESERVED_EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
RESERVED_EMAIL_TLDS = ("example", "test", "invalid", "localhost")
RESERVED_PHONE_PREFIX = "0500"  # 0500 000 000 – 0500 999 999


class NotAllowed(Exception):
    """The actor may not change these contacts (pages answer 404)."""


def split(value: str | None) -> list[str]:
    """A stored or typed list: entries separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[,;]", value or "") if part.strip()]


def is_reserved_email(address: str) -> bool:
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    return (domain in RESERVED_EMAIL_DOMAINS or domain.endswith(tuple("." + d for d in RESERVED_EMAIL_DOMAINS))
            or domain.rpartition(".")[2] in RESERVED_EMAIL_TLDS)


def is_reserved_phone(phone: str) -> bool:
    normalized = normalize_phone(phone) or phone
    return normalized.startswith(RESERVED_PHONE_PREFIX)


def is_reserved(channel: str, address: str) -> bool:
    return is_reserved_email(address) if channel == "email" else is_reserved_phone(address)


@dataclass(frozen=True)
class _ListRules:
    normalize: Callable[[str], str | None]
    one: str  # "only one" message
    bad: str  # "{}" is the bad entry
    too_long: str
    max_length: int


_EMAILS = _ListRules(normalize_email, "Chỉ nhập một địa chỉ thư điện tử.", "Địa chỉ thư điện tử không hợp lệ: {}",
                     "Danh sách thư điện tử quá dài (tối đa 1000 ký tự).", 1000)
_PHONES = _ListRules(normalize_phone, "Chỉ nhập một số điện thoại.", "Số điện thoại không đúng dạng số Việt Nam: {}",
                     "Danh sách số điện thoại quá dài (tối đa 200 ký tự).", 200)


def _parse(parts: list[str], rules: _ListRules, field: str, many: bool) -> str | None:
    """The normalized list as stored (None when empty); Invalid names the first bad entry."""
    if not many and len(parts) > 1:
        raise Invalid({field: rules.one})
    out = []
    for part in parts:
        value = rules.normalize(part)
        if value is None:
            raise Invalid({field: rules.bad.format(part[:60])})
        out.append(value)
    joined = ", ".join(dict.fromkeys(out))
    if len(joined) > rules.max_length:
        raise Invalid({field: rules.too_long})
    return joined or None


def parse_emails(raw: str | None, *, field: str = "email", many: bool = True) -> str | None:
    """'a@x.vn, b@y.vn' (commas, semicolons or spaces between) → 'a@x.vn, b@y.vn'."""
    return _parse([p for part in split(raw) for p in part.split()], _EMAILS, field, many)


def parse_phones(raw: str | None, *, field: str = "phone", many: bool = True) -> str | None:
    """'0912 345 678; 0215 3825 111' (commas or semicolons between) → '0912345678, 02153825111'."""
    return _parse(split(raw), _PHONES, field, many)


def working(channel: str, value: str | None) -> list[str]:
    """The addresses of a stored list that a channel would send to (reserved ones left out)."""
    return [a for a in split(value) if not is_reserved(channel, a)]


def _record(session: Session, actor: Account | None, *, agency_id: int | None, account_id: int | None,
            changed: list[str]) -> None:
    if changed:
        events.record(session, EventType.CONTACT_CHANGED, actor=actor, actor_role=None if actor else "system",
                      agency_id=agency_id, subject_account_id=account_id, data={"changed": changed})


def set_agency_contact(*, session: Session, actor: Account | None, agency: Agency, email: str | None,
                       phone: str | None) -> Agency:
    """Replaces the agency's shared inbox (None leaves a part as it is; "" clears it). `actor` None: the shell."""
    if actor is not None and not can_edit_agency_contact(actor, agency.id):
        raise NotAllowed
    changed = []
    if email is not None:
        value = parse_emails(email)
        changed += ["email"] if value != agency.email else []
        agency.email = value
    if phone is not None:
        value = parse_phones(phone)
        changed += ["phone"] if value != agency.phone else []
        agency.phone = value
    session.add(agency)
    _record(session, actor, agency_id=agency.id, account_id=None, changed=changed)
    bump(session)  # recipients are cached per process
    session.flush()
    return agency


def set_account_contact(*, session: Session, actor: Account | None, account: Account, email: str | None,
                        phone: str | None) -> Account:
    if actor is not None and not can_edit_account_contact(actor, account):
        raise NotAllowed
    changed = []
    if email is not None:
        value = parse_emails(email, many=False)
        changed += ["email"] if value != account.email else []
        account.email = value
    if phone is not None:
        value = parse_phones(phone, many=False)
        changed += ["phone"] if value != account.phone else []
        account.phone = value
    session.add(account)
    _record(session, actor, agency_id=account.agency_id, account_id=account.id, changed=changed)
    bump(session)
    session.flush()
    return account


def agencies_without_contact(*, session: Session) -> list[Agency]:
    """Agencies nobody would hear from: no working address in the shared inbox and no active account of theirs
    with a working e-mail or phone (reserved demo addresses do not count)."""
    reachable: set[int] = set()
    for agency_id, email, phone in session.exec(select(Account.agency_id, Account.email, Account.phone).where(
            Account.is_active == True, col(Account.agency_id).is_not(None))):  # noqa: E712
        if working("email", email) or working("sms", phone):
            reachable.add(agency_id)
    agencies = session.exec(select(Agency).order_by(vietnamese(col(Agency.name)))).all()
    return [a for a in agencies if a.id not in reachable and not working("email", a.email)
            and not working("sms", a.phone)]
