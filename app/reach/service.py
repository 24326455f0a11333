"""Commune assistants, assisted intake, urgency, the place of an item and voice transcripts.

Services only flush; the doors open the unit of work. Every change of an item leaves an event: urgency
(PRIORITY_CHANGED, which the deadline clocks follow), the interpreter mark and the transcript."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, delete, select

from app.accounts import service as accounts_service
from app.accounts.models import Account, ApiClient, AuthSession, Role
from app.accounts.permissions import is_coordinator
from app.agencies import service as agencies_service
from app.agencies.models import Commune
from app.attachments.service import StagedBatch
from app.cache import bump
from app.db import utcnow, vietnamese
from app.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from app.events import service as events
from app.events.chain import text_digest
from app.i18n import N_
from app.kinds import OPEN_STATES, Channel, EventType, Priority
from app.reach.models import LANGUAGE_LABELS, RELAY_LABELS, CommuneAssistant, ItemReach, Relay
from app.reach.schemas import REASON_MAX, AssistedDetails, ReachDetails
from app.submissions import permissions
from app.submissions import service as submissions_service
from app.submissions.contact import normalize_phone
from app.submissions.models import Submission
from app.submissions.schemas import SubmissionCreate, parse_submission
from app.text import fold

TRANSCRIPT_MAX = 20_000


# ------------------------------------------------------------------ assistants


def commune_of_admin(*, session: Session, actor: Account) -> Commune | None:
    """The commune whose People's Committee (UBND xã) the agency admin manages, if any."""
    if actor.role != Role.AGENCY_ADMIN or actor.agency_id is None:
        return None
    ref = agencies_service.reference(session=session)
    agency = ref.agency_by_id.get(actor.agency_id)
    return ref.commune_by_code.get(agency.commune_code) if agency and agency.commune_code else None


def may_manage_assistants(*, session: Session, actor: Account, commune: Commune | None) -> bool:
    """The coordinator for every commune; a commune's agency admin (UBND xã) for their own commune."""
    if is_coordinator(actor):
        return True
    own = commune_of_admin(session=session, actor=actor)
    return own is not None and commune is not None and own.id == commune.id


def create_assistant(
    *, session: Session, actor: Account | None, commune_code: str, username: str, display_name: str, email: str,
    phone: str, one_time_password: tuple[str, str],
) -> accounts_service.OneTimePassword:
    """A commune assistant account (must change the password at first login). `actor` None is the CLI."""
    commune = agencies_service.reference(session=session).commune_by_code.get(commune_code)
    if actor is not None and not may_manage_assistants(session=session, actor=actor, commune=commune):
        raise NotPermitted("Chỉ UBND xã của xã này hoặc Cơ quan thường trực được tạo tài khoản tổ công nghệ số.")
    errors = {}
    try:
        values = accounts_service._officer_values(session, username, display_name, email)
    except accounts_service.AccountInvalid as exc:
        errors.update(exc.errors)
        values = {}
    if commune is None:
        errors["commune_code"] = "Xã, phường không có trong danh mục."
    normalized = normalize_phone(phone) if phone.strip() else None
    if phone.strip() and normalized is None:
        errors["phone"] = "Số điện thoại không đúng dạng số Việt Nam (ví dụ 0912 345 678)."
    if errors:
        raise accounts_service.AccountInvalid(errors)
    password, password_hash = one_time_password
    try:
        account = accounts_service.create_account(session=session, role=Role.COMMUNE_ASSISTANT, agency_id=None,
                                                  password=password, password_hash=password_hash, actor=actor,
                                                  **values)
    except IntegrityError:
        raise accounts_service.AccountInvalid({"username": f"Tên đăng nhập “{values['username']}” đã có người "
                                               "dùng."}) from None
    session.add(CommuneAssistant(account_id=account.id, commune_id=commune.id, phone=normalized,
                                 created_by_account_id=actor.id if actor else None))
    session.flush()
    return accounts_service.OneTimePassword(account=account, password=password)


def managed_assistant(*, session: Session, actor: Account, account_id: int) -> Account:
    """The assistant `account_id` if `actor` manages their commune; NotPermitted otherwise (never says why)."""
    account = session.get(Account, account_id)
    profile = assistant_profile(session=session, account=account) if account else None
    commune = session.get(Commune, profile.commune_id) if profile else None
    if profile is None or not may_manage_assistants(session=session, actor=actor, commune=commune):
        raise NotPermitted("Không tìm thấy tài khoản.")
    return account


def set_assistant_active(*, session: Session, actor: Account, account: Account, active: bool) -> Account:
    """Locks an assistant out at once (a lost phone, someone who left the team: every session ends) or lets them
    back in; audited like an officer's account."""
    if account.is_active == active:
        raise Invalid({"account": "Tài khoản đang hoạt động." if active else "Tài khoản này đã bị khóa."})
    account.is_active = active
    session.add(account)
    if not active:
        session.exec(delete(AuthSession).where(AuthSession.account_id == account.id))
    events.record(session, EventType.ACCOUNT_ENABLED if active else EventType.ACCOUNT_DISABLED, actor=actor,
                  subject_account_id=account.id)
    session.flush()
    return account


def assistant_profile(*, session: Session, account: Account) -> CommuneAssistant | None:
    if account.role != Role.COMMUNE_ASSISTANT:
        return None
    return session.get(CommuneAssistant, account.id)


def assistants(*, session: Session, commune_id: int | None = None) -> list[tuple[Account, CommuneAssistant]]:
    query = select(Account, CommuneAssistant).join(CommuneAssistant, col(CommuneAssistant.account_id) == Account.id)
    if commune_id is not None:
        query = query.where(CommuneAssistant.commune_id == commune_id)
    return list(session.exec(query.order_by(col(CommuneAssistant.commune_id),
                                            vietnamese(col(Account.display_name)))).all())


def team_phone(*, session: Session, commune_id: int) -> str | None:
    """The phone of the commune's digital-technology team printed on posters: the first assistant's."""
    return session.exec(
        select(CommuneAssistant.phone).join(Account, col(Account.id) == CommuneAssistant.account_id)
        .where(CommuneAssistant.commune_id == commune_id, col(CommuneAssistant.phone).is_not(None),
               Account.is_active == True)  # noqa: E712
        .order_by(col(CommuneAssistant.created_at))
    ).first()


# ------------------------------------------------------------------ items


def submit(
    *, session: Session, data: SubmissionCreate, details: ReachDetails, source: Channel = Channel.WEB,
    batch: StagedBatch | None = None, origin: dict | None = None, assisted: AssistedDetails | None = None,
    assistant: Account | None = None, now: datetime | None = None,
) -> Submission:
    """A new item with its urgency, place and source (and, for assisted intake, the villager's details)."""
    now = now or utcnow()
    if details.urgent:
        data = data.model_copy(update={"priority": Priority.URGENT})
    submission = submissions_service.submit(session=session, data=data, source=source, batch=batch, origin=origin,
                                            now=now)
    if details.any() or assisted is not None:
        row = ItemReach(submission_id=submission.id, urgent_reason=details.urgent_reason,
                        village=details.village, lat=details.lat, lon=details.lon, accuracy_m=details.accuracy_m,
                        source_tag=details.source_tag, created_at=now)
        if assisted is not None and assistant is not None:
            row.assistant_account_id = assistant.id
            row.village = assisted.village
            row.relay = assisted.relay
            row.language = assisted.language
            row.interpreter_helped = assisted.interpreter_helped
            row.consent_witness = assisted.consent_witness
            row.spoken_consent_at = now
        session.add(row)
        session.flush()
    return submission


def assisted_submission(
    *, session: Session, assistant: Account, raw: dict, assisted: AssistedDetails
) -> SubmissionCreate:
    """The item as the core knows it: the villager is the sender, in the assistant's commune; their contact is the
    relay phone, or the assistant's phone and e-mail when the villager has none (answers go through the
    assistant)."""
    profile = assistant_profile(session=session, account=assistant)
    if profile is None:
        raise NotPermitted("Tài khoản này không thuộc tổ công nghệ số cộng đồng của xã nào.")
    commune = session.get(Commune, profile.commune_id)
    values = {k: raw.get(k) for k in ("kind", "field_code", "title", "content")}
    values.update(sender_name=raw.get("sender_name"), commune_code=commune.code if commune else "",
                  sender_address=f"{assisted.village}, {commune.name}" if commune else assisted.village, consent=True)
    if assisted.relay == Relay.NONE:
        values.update(sender_phone=profile.phone, sender_email=assistant.email)
    else:
        values.update(sender_phone=assisted.relay_phone)
    return parse_submission({k: v for k, v in values.items() if v not in (None, "")})


def reach_of(*, session: Session, submission_id: int) -> ItemReach | None:
    return session.get(ItemReach, submission_id)


def _row(session: Session, submission: Submission, now: datetime) -> ItemReach:
    row = session.get(ItemReach, submission.id)
    if row is None:
        row = ItemReach(submission_id=submission.id, created_at=now)
        session.add(row)
    return row


def record_point(*, session: Session, submission: Submission, lat: float, lon: float,
                 accuracy_m: float | None = None) -> ItemReach:
    """The point an API or Open311 client sent with a new item."""
    row = _row(session, submission, submission.created_at)
    row.lat, row.lon, row.accuracy_m = lat, lon, accuracy_m
    session.flush()
    return row


def set_priority(*, session: Session, submission: Submission, actor: Account, urgent: bool, reason: str,
                 now: datetime | None = None) -> Submission:
    """Triage or the holding agency sets or removes urgency, with a reason; the deadline clocks follow the
    PRIORITY_CHANGED event (app/sla/flows.py)."""
    now = now or utcnow()
    if not permissions.may_note(actor, submission):
        raise NotPermitted(N_("Bạn không có quyền xử lý hồ sơ này."))
    if submission.state not in OPEN_STATES:
        raise InvalidTransition("Chỉ đổi mức khẩn cấp của hồ sơ đang xử lý.")
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= REASON_MAX:
        raise Invalid({"priority_reason": f"Vui lòng ghi lý do (5–{REASON_MAX} ký tự)."})
    new = Priority.URGENT if urgent else Priority.NORMAL
    old = submission.priority
    if new == old:
        raise Invalid({"priority_reason": "Hồ sơ đã ở mức này."})
    stmt = (update(Submission).where(col(Submission.id) == submission.id, col(Submission.priority) == old)
            .values(priority=new, updated_at=now).execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        raise Conflict(submissions_service.LOST_RACE)
    set_committed_value(submission, "priority", new)
    row = _row(session, submission, now)
    row.urgent_reason = reason if urgent else None
    session.flush()
    submissions_service.record_event(session, submission, EventType.PRIORITY_CHANGED, now=now, actor=actor,
                                     from_state=submission.state, internal_note=reason,
                                     data={"from": old.value, "to": new.value})
    return submission


def mark_interpreter(*, session: Session, submission: Submission, actor: Account,
                     now: datetime | None = None) -> Submission:
    now = now or utcnow()
    permissions.require_note(actor, submission)
    row = _row(session, submission, now)
    if row.needs_interpreter:
        raise Invalid({"interpreter": "Hồ sơ đã được đánh dấu cần phiên dịch."})
    row.needs_interpreter = True
    session.flush()
    submissions_service.record_event(session, submission, EventType.INTERPRETER_NEEDED, now=now, actor=actor,
                                     from_state=submission.state)
    return submission


def save_transcript(*, session: Session, submission: Submission, actor: Account, text: str,
                    now: datetime | None = None) -> Submission:
    """The Vietnamese transcript typed by an officer, kept beside the voice message (which stays as it was)."""
    now = now or utcnow()
    permissions.require_note(actor, submission)
    text = (text or "").strip()
    if not 5 <= len(text) <= TRANSCRIPT_MAX:
        raise Invalid({"transcript": f"Bản dịch tiếng Việt phải có từ 5 đến {TRANSCRIPT_MAX} ký tự."})
    row = _row(session, submission, now)
    row.transcript, row.transcript_at = text, now
    session.flush()
    submissions_service.record_event(session, submission, EventType.TRANSCRIPT_SAVED, now=now, actor=actor,
                                     from_state=submission.state, data={"transcript_sha256": text_digest(text)})
    return submission


# ------------------------------------------------------------------ the web forms' offline queue

WEB_QUEUE_CLIENT = "Biểu mẫu web (hàng đợi ngoại tuyến)"


def web_queue_client_id(*, session: Session) -> int | None:
    """The internal API client under which the web forms' queued submissions keep their Idempotency-Keys (it has
    no key: nobody can call the API as it)."""
    return session.exec(select(ApiClient.id).where(ApiClient.name == WEB_QUEUE_CLIENT)).first()


def ensure_web_queue_client(*, session: Session) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    session.execute(insert(ApiClient.__table__).values(
        name=WEB_QUEUE_CLIENT, key_prefix="web-queue", key_hash=secrets.token_hex(32), scopes="",
        created_at=now, revoked_at=now).on_conflict_do_nothing(index_elements=["name"]))
    bump(session)


# ------------------------------------------------------------------ the assistant's items


@dataclass
class AssistedItem:
    submission: Submission
    reach: ItemReach


def assisted_items(*, session: Session, assistant: Account, limit: int = 200) -> list[AssistedItem]:
    rows = session.exec(
        select(Submission, ItemReach).join(ItemReach, col(ItemReach.submission_id) == Submission.id)
        .where(ItemReach.assistant_account_id == assistant.id)
        .order_by(col(Submission.created_at).desc(), col(Submission.id).desc()).limit(limit)
    ).all()
    return [AssistedItem(s, r) for s, r in rows]


def assisted_item(*, session: Session, assistant: Account, code: str) -> AssistedItem | None:
    """The item if this assistant entered it; None otherwise (never says whether it exists)."""
    submission = submissions_service.get_by_code(session=session, code=code)
    if submission is None:
        return None
    row = session.get(ItemReach, submission.id)
    if row is None or row.assistant_account_id != assistant.id:
        return None
    return AssistedItem(submission, row)


def assistant_emails(*, session: Session, submission: Submission) -> list[str]:
    """Where the assistant who entered the item hears about it (for app/notifications/flows.py)."""
    if submission.source != Channel.ASSISTED:
        return []
    email = session.exec(
        select(Account.email).join(ItemReach, col(ItemReach.assistant_account_id) == Account.id)
        .where(ItemReach.submission_id == submission.id, Account.is_active == True)  # noqa: E712
    ).first()
    return [email] if email else []


def officer_view(*, session: Session, submission: Submission, attachments: list) -> dict:
    """What the officer's item page shows of assisted intake, urgency, place and voice messages."""
    row = session.get(ItemReach, submission.id) if submission.id else None
    assistant = session.get(Account, row.assistant_account_id) if row and row.assistant_account_id else None
    return {
        "row": row, "assistant": assistant,
        "profile": session.get(CommuneAssistant, assistant.id) if assistant else None,
        "languages": LANGUAGE_LABELS, "relays": RELAY_LABELS,
        "voices": [a for a in attachments if a.content_type.startswith("audio/")],
    }


def default_username(commune_code: str, name: str) -> str:
    """tcns.<commune>.<name folded>, e.g. tcns.xa-muong-nhe.lo-thi-mai (the CLI's default)."""
    words = "-".join(fold(name).split())
    base = f"tcns.{commune_code.removeprefix('xa-').removeprefix('phuong-')}.{words}"
    return "".join(ch for ch in base.lower() if ch.isalnum() or ch in ".-")[:64].strip(".-")


def known_villages(*, session: Session, commune_ids: list[int], limit: int = 500) -> dict[int, list[str]]:
    """Villages named on items of these communes (for the posters page's quick links), by commune."""
    rows = session.exec(
        select(Submission.commune_id, ItemReach.village).join(ItemReach, col(ItemReach.submission_id) == Submission.id)
        .where(col(Submission.commune_id).in_(commune_ids), col(ItemReach.village).is_not(None))
        .distinct().limit(limit)
    ).all()
    found: dict[int, list[str]] = {}
    for commune_id, village in rows:
        found.setdefault(commune_id, []).append(village)
    return {k: sorted(set(v)) for k, v in found.items()}
