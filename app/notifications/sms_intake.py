"""SMS intake: an SMS to the service number that is no command (app/notifications/incoming.py) becomes an item.

- The item goes to the coordinator's triage (channel "sms", field "Khác", the sender's phone as the contact, no
  name): an SMS says nothing of its field, and triage sends it on. The receipt SMS (flows.sender_message) carries
  the tracking code and the TRACUU command to follow it.
- Its commune comes from the text ("xã Mường Nhé", "muong nhe" without diacritics), else from the phone's previous
  item. If neither says, the text waits a day as a draft (`sms_drafts`, one per phone) and the reply asks "Bạn ở xã,
  phường nào?"; the next SMS naming a commune turns the draft into the item, one that does not is added to it.
  Taking the draft is `DELETE … RETURNING`: of two SMS racing for one draft, one makes the item.
- A long SMS arrives joined: Kannel reassembles concatenated parts (`sms-combine-concatenated-mo`,
  docs/operations.md) before it calls us.
- Abuse limits per phone (app/throttle): INTAKE_HOUR and INTAKE_DAY items or drafts; the first refused SMS of a
  window gets one reply saying so, later ones none (a flood costs us no SMS). incoming.MESSAGES_IN still caps
  every SMS of a phone.
"""

import re
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app import throttle
from app.agencies import service as agencies_service
from app.agencies.models import Commune
from app.kinds import Channel, Kind
from app.notifications import flows
from app.notifications.incoming import IncomingSms
from app.notifications.models import SmsDraft
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.submissions.schemas import CONTENT_MAX, CONTENT_MIN, SubmissionCreate
from app.text import fold, normalize_input

INTAKE_HOUR = throttle.Limit("sms.intake.hour", 3, timedelta(hours=1))
INTAKE_DAY = throttle.Limit("sms.intake.day", 6, timedelta(days=1))
DRAFT_KEPT = timedelta(days=1)
FIELD_CODE = "khac"
SENDER_NAME = "Người gửi qua SMS"
TRIAGE_NOTE = "Nhận qua SMS: chưa rõ lĩnh vực, cần phân loại."
TITLE_WORDS = 12
TITLE_LENGTH = 80
_PREFIXES = ("xa", "phuong", "x", "p", "tt", "thi tran")


def receive(session: Session, sms: IncomingSms, rest: str) -> None:
    """The fallback of incoming SMS (registered in app/wiring.py)."""
    text = normalize_input(sms.text)[:CONTENT_MAX]
    for limit in (INTAKE_HOUR, INTAKE_DAY):
        decision = throttle.hit(session, limit, sms.phone, now=sms.received_at)
        if not decision.allowed:
            if decision.count == limit.limit + 1:
                flows.queue_reply(session, sms.phone, flows.intake_too_many())
            return
    draft = _take_draft(session, sms.phone, sms)
    commune = find_commune(session, text)
    if draft is not None:
        if commune is None:  # a second part, or an answer we could not read: keep collecting
            _keep_draft(session, sms, f"{draft}\n{text}")
            flows.queue_reply(session, sms.phone, flows.intake_ask_commune())
            return
        content = draft if _names_only(text) else f"{draft}\n{text}"
    else:
        content = text
        if len(content) < CONTENT_MIN:
            flows.queue_reply(session, sms.phone, flows.intake_too_short())
            return
        commune = commune or _previous_commune(session, sms.phone)
        if commune is None:
            _keep_draft(session, sms, content)
            flows.queue_reply(session, sms.phone, flows.intake_ask_commune())
            return
    submissions_service.submit(
        session=session, source=Channel.SMS, now=sms.received_at, triage=TRIAGE_NOTE,
        origin={"sms_to": sms.to} if sms.to else None,
        data=SubmissionCreate(kind=Kind.FEEDBACK, field_code=FIELD_CODE, commune_code=commune.code,
                              title=title_of(content), content=content[:CONTENT_MAX],
                              sender_name=SENDER_NAME, sender_phone=sms.phone, consent=True))


def title_of(text: str) -> str:
    """The first words of the message, cut at a word: what the officer's list shows."""
    words = " ".join(text.split()).split(" ")
    title = " ".join(words[:TITLE_WORDS])
    if len(title) > TITLE_LENGTH:
        title = title[:TITLE_LENGTH].rsplit(" ", 1)[0]
    if title != " ".join(words):
        title += "…"
    return title if len(title) >= 5 else f"Tin nhắn: {title}"


def _names(session: Session) -> list[tuple[str, Commune]]:
    """(folded name without "xã"/"phường", commune), longest first."""
    named = []
    for commune in agencies_service.reference(session=session).communes:
        folded = fold(commune.name)
        for prefix in ("xa ", "phuong "):
            if folded.startswith(prefix):
                folded = folded[len(prefix):]
        named.append((folded, commune))
    return sorted(named, key=lambda n: -len(n[0]))


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split()) + " "


def find_commune(session: Session, text: str) -> Commune | None:
    """The commune the text names: one written after "xã"/"phường" first, else the only one named at all."""
    words = _words(text)
    named = _names(session)
    for candidates in ([c for name, c in named if any(f" {p} {name} " in words for p in _PREFIXES)],
                       [c for name, c in named if f" {name} " in words]):
        distinct = {c.id: c for c in candidates}
        if len(distinct) == 1:
            return next(iter(distinct.values()))
        if len(distinct) > 1:
            return None
    return None


def _names_only(text: str) -> bool:
    """An answer to "which commune?" that says nothing more (it is not added to the item's content)."""
    return len(_words(text).split()) <= 5


def _previous_commune(session: Session, phone: str) -> Commune | None:
    commune_id = session.exec(select(Submission.commune_id).where(Submission.sender_phone == phone)
                              .order_by(col(Submission.created_at).desc()).limit(1)).first()
    return session.get(Commune, commune_id) if commune_id else None


def _take_draft(session: Session, phone: str, sms: IncomingSms) -> str | None:
    """The phone's draft, removed as it is read (once: a concurrent SMS finds none); an old one is dropped."""
    row = session.execute(delete(SmsDraft).where(col(SmsDraft.phone) == phone)
                          .returning(SmsDraft.text, SmsDraft.updated_at)).first()
    if row is None or row.updated_at < sms.received_at - DRAFT_KEPT:
        return None
    return row.text


def _keep_draft(session: Session, sms: IncomingSms, text: str) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(SmsDraft).values(phone=sms.phone, text=text[:CONTENT_MAX], updated_at=sms.received_at)
    session.execute(stmt.on_conflict_do_update(index_elements=["phone"],
                                               set_={"text": stmt.excluded.text,
                                                     "updated_at": stmt.excluded.updated_at}))


def purge_drafts(session: Session, now) -> int:
    """Drafts nobody completed within a day (a periodic job)."""
    return session.execute(delete(SmsDraft).where(col(SmsDraft.updated_at) < now - DRAFT_KEPT)).rowcount or 0
