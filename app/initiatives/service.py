"""Challenges, criteria sets, assessment (assessors, independent scores), decisions, implementation records and
what the public sees of published items (whether an item is published is app/publication's to decide). Services
only flush; the door's unit of work commits. Once-only rules are decided in the writing transaction: a unique
constraint with INSERT … ON CONFLICT DO NOTHING (one score sheet per assessor), or a conditional UPDATE on the row
as it is now (one decision per item)."""

import json
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.agencies import service as agencies_service
from app.agencies.models import Agency
from app.attachments.service import StagedBatch
from app.db import utcnow
from app.errors import Conflict, Invalid, InvalidTransition
from app.events import service as events
from app.i18n import N_
from app.initiatives import permissions as perms
from app.initiatives.models import (
    Assessment,
    AssessorAssignment,
    Challenge,
    ChallengeDocument,
    CriteriaSet,
    Criterion,
    Decision,
    Implementation,
    Maturity,
    ScoreSheet,
)
from app.kinds import EventType, Kind, State
from app.publication import public
from app.publication import service as publication_service
from app.publication.models import Publication, PublicationStatus
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.submissions.schemas import SubmissionCreate
from app.timefmt import LOCAL_TZ, format_date, format_number

ASSESSED_KINDS = frozenset({Kind.INITIATIVE, Kind.SOLUTION})
TEXT_MAX = 10_000

DECISION_LABELS = {
    Decision.ADOPTED: N_("Được áp dụng"),
    Decision.PILOT: N_("Thí điểm"),
    Decision.RECOGNISED: N_("Ghi nhận, chưa áp dụng"),
    Decision.NOT_ADOPTED: N_("Không áp dụng"),
}
MATURITY_LABELS = {
    Maturity.IDEA: N_("Ý tưởng"),
    Maturity.PROTOTYPE: N_("Đã có sản phẩm mẫu"),
    Maturity.IN_USE: N_("Đã áp dụng ở nơi khác"),
}


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def insert_for(session: Session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _text(values: dict, name: str, label: str, errors: dict, *, minimum: int = 1, maximum: int = TEXT_MAX,
          required: bool = True) -> str | None:
    value = " ".join(str(values.get(name) or "").split(" ")).strip()
    if not value:
        if required:
            errors[name] = f"Vui lòng nhập {label.lower()}."
        return None
    if len(value) < minimum:
        errors[name] = f"{label} quá ngắn (ít nhất {minimum} ký tự)."
    elif len(value) > maximum:
        errors[name] = f"{label} quá dài (tối đa {maximum} ký tự)."
    return value


def _date(values: dict, name: str, label: str, errors: dict, *, required: bool = True) -> date | None:
    raw = str(values.get(name) or "").strip()
    if not raw:
        if required:
            errors[name] = f"Vui lòng chọn {label.lower()}."
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"{label} không đúng dạng ngày (năm-tháng-ngày)."
        return None


def _int(values: dict, name: str, label: str, errors: dict, *, minimum: int, maximum: int) -> int | None:
    raw = str(values.get(name) or "").replace(".", "").replace(" ", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        errors[name] = f"{label} phải là số nguyên từ {format_number(minimum)} đến {format_number(maximum)}."
        return None
    return int(raw)


# ------------------------------------------------------------------ criteria sets


def default_set(*, session: Session) -> CriteriaSet:
    """The default set (migration 0020 inserts it; sets are never deleted, and making one default unmarks the
    others), else the oldest set."""
    found = session.exec(select(CriteriaSet).order_by(col(CriteriaSet.is_default).desc(),
                                                      col(CriteriaSet.id))).first()
    if found is None:
        raise InvalidTransition("Chưa có bộ tiêu chí thẩm định nào: Cơ quan thường trực cần tạo một bộ.")
    return found


def list_sets(*, session: Session) -> list[CriteriaSet]:
    return list(session.exec(select(CriteriaSet).order_by(col(CriteriaSet.is_default).desc(),
                                                          col(CriteriaSet.name))).all())


def criteria_of(*, session: Session, set_id: int) -> list[Criterion]:
    return list(session.exec(select(Criterion).where(Criterion.set_id == set_id)
                             .order_by(col(Criterion.position), col(Criterion.id))).all())


def parse_criteria(text: str) -> tuple[list[tuple[str, int]], str | None]:
    """Lines "name | weight" → [(name, weight)], or an error message."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, weight = line.rpartition("|")
        name = name.strip()
        if not sep or not name or not weight.strip().isdigit() or not 1 <= int(weight) <= 100:
            return [], f"Dòng {number}: ghi “tên tiêu chí | trọng số” với trọng số từ 1 đến 100."
        if len(name) > 120:
            return [], f"Dòng {number}: tên tiêu chí quá dài (tối đa 120 ký tự)."
        rows.append((name, int(weight)))
    if not rows:
        return [], "Vui lòng ghi ít nhất một tiêu chí."
    if len(rows) > 12:
        return [], "Tối đa 12 tiêu chí trong một bộ."
    if len({n.lower() for n, _ in rows}) != len(rows):
        return [], "Hai tiêu chí trùng tên."
    return rows, None


def save_set(*, session: Session, actor: Account, set_id: int | None, name: str, criteria_text: str,
             make_default: bool = False, now: datetime | None = None) -> CriteriaSet:
    """Creates or rewrites a criteria set. Scores already given keep the criteria they were given against (each
    score sheet holds its criteria's names and weights), so a set may change at any time."""
    now = now or utcnow()
    perms.require(perms.may_edit_criteria(actor), "Chỉ Cơ quan thường trực sửa bộ tiêu chí thẩm định.")
    errors: dict = {}
    name = _text({"name": name}, "name", "Tên bộ tiêu chí", errors, minimum=3, maximum=200)
    rows, problem = parse_criteria(criteria_text)
    if problem:
        errors["criteria"] = problem
    criteria_set = session.get(CriteriaSet, set_id) if set_id else None
    if set_id and criteria_set is None:
        errors["name"] = "Không tìm thấy bộ tiêu chí."
    if not errors:
        clash = session.exec(select(CriteriaSet.id).where(CriteriaSet.name == name)).first()
        if clash is not None and clash != set_id:
            errors["name"] = "Đã có bộ tiêu chí cùng tên."
    if errors:
        raise Invalid(errors)
    if criteria_set is None:
        criteria_set = CriteriaSet(name=name, created_at=now)
        session.add(criteria_set)
    criteria_set.name = name
    criteria_set.updated_at = now
    session.flush()
    # A criterion kept by name keeps its id (score sheets refer to it); removed ones go, new ones are added.
    existing = {c.name.lower(): c for c in criteria_of(session=session, set_id=criteria_set.id)}
    for position, (criterion_name, weight) in enumerate(rows):
        kept = existing.pop(criterion_name.lower(), None)
        if kept is None:
            session.add(Criterion(set_id=criteria_set.id, position=position, name=criterion_name, weight=weight))
        else:
            kept.name, kept.position, kept.weight = criterion_name, position, weight
    for removed in existing.values():
        session.delete(removed)
    if make_default:
        session.execute(update(CriteriaSet).where(col(CriteriaSet.id) != criteria_set.id)
                        .values(is_default=False).execution_options(synchronize_session="fetch"))
        criteria_set.is_default = True
    session.flush()
    events.record(session, EventType.CRITERIA_CHANGED, now=now, actor=actor, agency_id=actor.agency_id,
                  data={"criteria_set_id": criteria_set.id, "name": name,
                        "criteria": [{"name": n, "weight": w} for n, w in rows], "default": make_default})
    return criteria_set


# ------------------------------------------------------------------ challenges


@dataclass
class ChallengeForm:
    title: str
    problem: str
    expected_outcome: str
    field_id: int
    owner_agency_id: int
    criteria_set_id: int
    opens_on: date
    closes_on: date
    support_threshold: int | None


def parse_challenge(session: Session, values: dict) -> ChallengeForm:
    errors: dict = {}
    ref = agencies_service.reference(session=session)
    title = _text(values, "title", "Tên bài toán", errors, minimum=10, maximum=200)
    problem = _text(values, "problem", "Mô tả vấn đề", errors, minimum=30)
    outcome = _text(values, "expected_outcome", "Kết quả mong đợi", errors, minimum=10)
    field_ = ref.field_by_code.get(str(values.get("field_code") or ""))
    if field_ is None:
        errors["field_code"] = "Vui lòng chọn lĩnh vực."
    owner = ref.agency_by_code.get(str(values.get("owner_agency_code") or ""))
    if owner is None:
        errors["owner_agency_code"] = "Vui lòng chọn cơ quan chủ trì."
    set_raw = str(values.get("criteria_set_id") or "")
    criteria_set = session.get(CriteriaSet, int(set_raw)) if set_raw.isdigit() else None
    if criteria_set is None:
        errors["criteria_set_id"] = "Vui lòng chọn bộ tiêu chí thẩm định."
    opens = _date(values, "opens_on", "Ngày mở", errors)
    closes = _date(values, "closes_on", "Ngày hết hạn", errors)
    if opens and closes and closes < opens:
        errors["closes_on"] = "Ngày hết hạn phải sau ngày mở."
    threshold = _int(values, "support_threshold", "Ngưỡng ủng hộ", errors, minimum=1, maximum=1_000_000)
    if errors:
        raise Invalid(errors)
    return ChallengeForm(title=title, problem=problem, expected_outcome=outcome, field_id=field_.id,
                         owner_agency_id=owner.id, criteria_set_id=criteria_set.id, opens_on=opens, closes_on=closes,
                         support_threshold=threshold)


def _store_documents(session: Session, challenge: Challenge, batch: StagedBatch | None, now: datetime) -> list:
    if not batch:
        return []
    rows = [ChallengeDocument(challenge_id=challenge.id, original_name=f.name, content_type=f.content_type,
                              size=f.size, sha256=f.sha256, storage_key=f.key, created_at=now) for f in batch.files]
    session.add_all(rows)
    session.flush()
    batch.place_all()
    return [{"id": r.id, "name": r.original_name, "sha256": r.sha256, "size": r.size} for r in rows]


def publish_challenge(*, session: Session, actor: Account, form: ChallengeForm, batch: StagedBatch | None = None,
                      now: datetime | None = None) -> Challenge:
    now = now or utcnow()
    perms.require(perms.may_publish_challenge(actor, form.owner_agency_id),
                  "Đơn vị chỉ công bố bài toán do chính đơn vị chủ trì.")
    challenge = Challenge(**form.__dict__, created_by_account_id=actor.id, created_at=now, updated_at=now)
    session.add(challenge)
    session.flush()
    files = _store_documents(session, challenge, batch, now)
    events.record(session, EventType.CHALLENGE_PUBLISHED, now=now, actor=actor, agency_id=form.owner_agency_id,
                  public_note=form.title, data={"challenge_id": challenge.id, "files": files,
                                                "closes_on": form.closes_on.isoformat()})
    return challenge


def update_challenge(*, session: Session, actor: Account, challenge: Challenge, form: ChallengeForm,
                     batch: StagedBatch | None = None, now: datetime | None = None) -> Challenge:
    now = now or utcnow()
    perms.require(perms.may_publish_challenge(actor, challenge.owner_agency_id)
                  and perms.may_publish_challenge(actor, form.owner_agency_id),
                  "Đơn vị chỉ sửa bài toán do chính đơn vị chủ trì.")
    if challenge.decided_at is not None:
        raise InvalidTransition("Bài toán đã công bố kết quả, không sửa được nữa.")
    changed = {k: v.isoformat() if isinstance(v, date) else v for k, v in form.__dict__.items()
               if getattr(challenge, k) != v}
    for key, value in form.__dict__.items():
        setattr(challenge, key, value)
    challenge.updated_at = now
    session.flush()
    files = _store_documents(session, challenge, batch, now)
    events.record(session, EventType.CHALLENGE_UPDATED, now=now, actor=actor, agency_id=challenge.owner_agency_id,
                  data={"challenge_id": challenge.id, "changed": changed, "files": files})
    return challenge


def is_open(challenge: Challenge, today: date) -> bool:
    return challenge.opens_on <= today <= challenge.closes_on and challenge.decided_at is None


def documents(*, session: Session, challenge_id: int) -> list[ChallengeDocument]:
    return list(session.exec(select(ChallengeDocument).where(ChallengeDocument.challenge_id == challenge_id)
                             .order_by(col(ChallengeDocument.id))).all())


def solution_counts(*, session: Session) -> dict[int, int]:
    return dict(session.exec(select(Assessment.challenge_id, func.count()).where(
        col(Assessment.challenge_id).is_not(None)).group_by(col(Assessment.challenge_id))).all())


def list_challenges(*, session: Session, owner_agency_id: int | None = None) -> list[Challenge]:
    stmt = select(Challenge).order_by(col(Challenge.closes_on).desc(), col(Challenge.id).desc())
    if owner_agency_id is not None:
        stmt = stmt.where(Challenge.owner_agency_id == owner_agency_id)
    return list(session.exec(stmt).all())


@dataclass
class SolutionDetails:
    organisation: str | None
    team: str | None
    maturity: Maturity | None
    estimated_cost: int | None
    needs: str | None
    consent_to_publish: bool


def _optional(values: dict, name: str, maximum: int, message, errors: dict) -> str | None:
    value = str(values.get(name) or "").strip()
    if len(value) > maximum:
        errors[name] = message
    return value or None


def parse_solution_details(values: dict) -> SolutionDetails:
    """The solution's own fields; messages are N_() (the form is a citizen page, also shown in English)."""
    errors: dict = {}
    organisation = _optional(values, "organisation", 200, N_("Tên tổ chức quá dài (tối đa 200 ký tự)."), errors)
    team = _optional(values, "team", 2000, N_("Danh sách nhóm thực hiện quá dài (tối đa 2.000 ký tự)."), errors)
    needs = _optional(values, "needs", 5000, N_("Đề xuất hỗ trợ quá dài (tối đa 5.000 ký tự)."), errors)
    raw = str(values.get("maturity") or "")
    maturity = Maturity(raw) if raw in Maturity._value2member_map_ else None
    if maturity is None:
        errors["maturity"] = N_("Vui lòng chọn mức độ hoàn thiện của giải pháp.")
    cost_raw = str(values.get("estimated_cost") or "").replace(".", "").replace(",", "").replace(" ", "").strip()
    cost = None
    if cost_raw:
        if cost_raw.isdigit() and len(cost_raw) <= 15:
            cost = int(cost_raw)
        else:
            errors["estimated_cost"] = N_("Kinh phí dự kiến ghi bằng số đồng, ví dụ 250.000.000.")
    if errors:
        raise Invalid(errors)
    return SolutionDetails(organisation=organisation, team=team, maturity=maturity, estimated_cost=cost,
                           needs=needs, consent_to_publish=bool(values.get("publish_consent")))


def submit_solution(*, session: Session, challenge_id: int, data: SubmissionCreate, details: SolutionDetails,
                    batch: StagedBatch | None = None, now: datetime | None = None) -> Submission:
    """A solution to a challenge, sent to the challenge's owner agency. Whether the challenge still takes solutions
    is decided here, inside the writing transaction, on the challenge row as it is now (FOR SHARE on PostgreSQL: a
    concurrent edit of the dates waits for this submission, or this one sees the new dates)."""
    now = now or utcnow()
    challenge = session.exec(select(Challenge).where(Challenge.id == challenge_id)
                             .with_for_update(read=True).execution_options(populate_existing=True)).first()
    if challenge is None:
        raise Invalid({"action": "Bài toán không tồn tại."})
    today = local_today(now)
    if today < challenge.opens_on:
        raise InvalidTransition(N_("Bài toán bắt đầu nhận giải pháp từ ngày %(opens)s.",
                                   opens=format_date(challenge.opens_on)))
    if not is_open(challenge, today):
        raise InvalidTransition(N_("Bài toán đã hết hạn nhận giải pháp (hạn cuối %(closes)s). Nội dung bạn đã nhập "
                                   "vẫn còn dưới đây: hãy lưu lại để gửi dưới dạng sáng kiến hoặc cho bài toán khác.",
                                   closes=format_date(challenge.closes_on)))
    owner = agencies_service.reference(session=session).agency_by_id[challenge.owner_agency_id]
    # The consent to publication travels with the SUBMITTED event: app/publication keeps it (one place decides).
    data = data.model_copy(update={"kind": Kind.SOLUTION, "publish_consent": details.consent_to_publish})
    submission = submissions_service.submit(
        session=session, data=data, now=now, batch=batch,
        route_to=(owner, f"Giải pháp cho bài toán “{challenge.title}”: giao {owner.name} (cơ quan chủ trì)."))
    session.add(Assessment(
        submission_id=submission.id, challenge_id=challenge.id, criteria_set_id=challenge.criteria_set_id,
        organisation=details.organisation, team=details.team, maturity=details.maturity,
        estimated_cost=details.estimated_cost, needs=details.needs, created_at=now))
    session.flush()
    return submission


def decide_challenge(*, session: Session, actor: Account, challenge: Challenge, outcome: str,
                     now: datetime | None = None) -> Challenge:
    now = now or utcnow()
    perms.require(perms.may_shortlist(actor), "Chỉ Cơ quan thường trực công bố kết quả bài toán.")
    errors: dict = {}
    outcome = _text({"outcome": outcome}, "outcome", "Kết quả", errors, minimum=20)
    if errors:
        raise Invalid(errors)
    if local_today(now) <= challenge.closes_on:
        raise InvalidTransition("Chỉ công bố kết quả sau khi bài toán hết hạn nhận giải pháp.")
    done = session.execute(update(Challenge).where(col(Challenge.id) == challenge.id,
                                                   col(Challenge.decided_at).is_(None))
                           .values(outcome=outcome, decided_at=now, updated_at=now)
                           .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise Conflict("Kết quả bài toán đã được công bố.")
    for key, value in {"outcome": outcome, "decided_at": now}.items():
        set_committed_value(challenge, key, value)
    events.record(session, EventType.CHALLENGE_DECIDED, now=now, actor=actor, agency_id=challenge.owner_agency_id,
                  public_note=outcome, data={"challenge_id": challenge.id})
    return challenge


# ------------------------------------------------------------------ assessment


def get_assessment(*, session: Session, submission_id: int) -> Assessment | None:
    return session.get(Assessment, submission_id)


def ensure_assessment(*, session: Session, submission: Submission, now: datetime | None = None) -> Assessment:
    """The item's assessment row, made with the default criteria set on first need (INSERT … ON CONFLICT DO NOTHING,
    so two first uses at once make one row)."""
    if submission.kind not in ASSESSED_KINDS:
        raise InvalidTransition("Chỉ sáng kiến và giải pháp được thẩm định.")
    found = session.get(Assessment, submission.id)
    if found is not None:
        return found
    set_id = default_set(session=session).id
    table = Assessment.__table__
    session.execute(insert_for(session)(table).values(
        submission_id=submission.id, criteria_set_id=set_id, shortlisted=False, scores_published=False,
        support_count=0, created_at=now or utcnow()).on_conflict_do_nothing(index_elements=["submission_id"]))
    return session.get(Assessment, submission.id)


def assessors(*, session: Session, submission_id: int) -> list[Account]:
    return list(session.exec(select(Account).join(AssessorAssignment, col(AssessorAssignment.account_id) == Account.id)
                             .where(AssessorAssignment.submission_id == submission_id)
                             .order_by(col(AssessorAssignment.id))).all())


def assessor_candidates(*, session: Session, submission: Submission) -> list[Account]:
    if submission.agency_id is None:
        return []
    rows = session.exec(select(Account).where(Account.agency_id == submission.agency_id,
                                              Account.is_active == True)  # noqa: E712
                        .order_by(col(Account.display_name))).all()
    return [a for a in rows if perms.may_be_assessor(a, submission)]


def assign_assessor(*, session: Session, actor: Account, submission: Submission, account: Account | None,
                    now: datetime | None = None) -> bool:
    """Adds an assessor from the owner agency's staff; False if already assigned."""
    now = now or utcnow()
    perms.require(perms.may_assign(actor, submission),
                  "Chỉ quản trị đơn vị chủ trì hoặc Cơ quan thường trực phân công người thẩm định.")
    assessment = ensure_assessment(session=session, submission=submission, now=now)
    if assessment.decision is not None:
        raise InvalidTransition("Hồ sơ đã có quyết định, không phân công thêm người thẩm định.")
    if account is None or not perms.may_be_assessor(account, submission):
        raise Invalid({"account_id": "Người thẩm định phải là cán bộ đang hoạt động của đơn vị chủ trì."})
    table = AssessorAssignment.__table__
    new_id = session.execute(insert_for(session)(table).values(
        submission_id=submission.id, account_id=account.id, assigned_by_account_id=actor.id, assigned_at=now)
        .on_conflict_do_nothing(index_elements=["submission_id", "account_id"]).returning(table.c.id)).scalar()
    if new_id is None:
        return False
    submissions_service.record_event(session, submission, EventType.ASSESSOR_ASSIGNED, now=now, actor=actor,
                                     from_state=submission.state, subject_account=account,
                                     internal_note=f"Phân công {account.display_name} thẩm định.",
                                     data={"account_id": account.id})
    return True


def is_assessor(*, session: Session, submission_id: int, account_id: int) -> bool:
    return session.exec(select(AssessorAssignment.id).where(AssessorAssignment.submission_id == submission_id,
                                                            AssessorAssignment.account_id == account_id)).first() \
        is not None


def own_sheet(*, session: Session, submission_id: int, account_id: int) -> ScoreSheet | None:
    return session.exec(select(ScoreSheet).where(ScoreSheet.submission_id == submission_id,
                                                 ScoreSheet.account_id == account_id)).first()


def weighted_mean(scores: list[dict]) -> float:
    total = sum(s["weight"] for s in scores)
    return round(sum(s["weight"] * s["score"] for s in scores) / total, 4) if total else 0.0


def submit_scores(*, session: Session, actor: Account, submission: Submission, values: dict,
                  now: datetime | None = None) -> ScoreSheet:
    """One assessor's scores (1–5 per criterion, with an optional comment), submitted once: the unique constraint on
    (item, assessor) decides, so a second submission (or a double click) gets Conflict and changes nothing."""
    now = now or utcnow()
    assigned = is_assessor(session=session, submission_id=submission.id, account_id=actor.id)
    perms.require(perms.may_score(actor, submission, assigned=assigned),
                  "Chỉ người thẩm định được phân công của đơn vị chủ trì chấm điểm hồ sơ này.")
    assessment = ensure_assessment(session=session, submission=submission, now=now)
    if assessment.decision is not None:
        raise InvalidTransition("Hồ sơ đã có quyết định, không chấm điểm nữa.")
    errors: dict = {}
    scores = []
    for criterion in criteria_of(session=session, set_id=assessment.criteria_set_id):
        raw = str(values.get(f"score_{criterion.id}") or "").strip()
        if raw not in ("1", "2", "3", "4", "5"):
            errors[f"score_{criterion.id}"] = f"Vui lòng chấm “{criterion.name}” từ 1 đến 5."
            continue
        comment = str(values.get(f"comment_{criterion.id}") or "").strip()
        if len(comment) > 2000:
            errors[f"comment_{criterion.id}"] = "Nhận xét quá dài (tối đa 2.000 ký tự)."
        scores.append({"criterion_id": criterion.id, "name": criterion.name, "weight": criterion.weight,
                       "score": int(raw), "comment": comment})
    if errors:
        raise Invalid(errors)
    mean = weighted_mean(scores)
    table = ScoreSheet.__table__
    new_id = session.execute(insert_for(session)(table).values(
        submission_id=submission.id, account_id=actor.id, scores=json.dumps(scores, ensure_ascii=False),
        weighted_mean=mean, submitted_at=now)
        .on_conflict_do_nothing(index_elements=["submission_id", "account_id"]).returning(table.c.id)).scalar()
    if new_id is None:
        raise Conflict("Bạn đã chấm điểm hồ sơ này; mỗi người thẩm định chấm một lần.")
    submissions_service.record_event(session, submission, EventType.SCORED, now=now, actor=actor,
                                     from_state=submission.state, data={"weighted_mean": mean})
    return session.get(ScoreSheet, new_id)


@dataclass
class ScoreBoard:
    criteria: list[Criterion]
    sheets: list[dict] = field(default_factory=list)  # {account, scores: {criterion_id: {score, comment}}, mean}
    hidden: bool = False  # the viewer is an assessor who has not scored: others' scores are not shown
    count: int = 0
    mean: float | None = None
    spread: float | None = None  # highest minus lowest weighted mean
    stdev: float | None = None
    per_criterion: dict[int, float] = field(default_factory=dict)


def _sheets(session: Session, submission_id: int) -> list[ScoreSheet]:
    return list(session.exec(select(ScoreSheet).where(ScoreSheet.submission_id == submission_id)
                             .order_by(col(ScoreSheet.submitted_at), col(ScoreSheet.id))).all())


def summarise(sheets: list[ScoreSheet]) -> tuple[float | None, float | None, float | None]:
    means = [s.weighted_mean for s in sheets]
    if not means:
        return None, None, None
    stdev = statistics.pstdev(means) if len(means) > 1 else 0.0
    return round(statistics.fmean(means), 2), round(max(means) - min(means), 2), round(stdev, 2)


def score_board(*, session: Session, submission: Submission, assessment: Assessment,
                viewer: Account | None) -> ScoreBoard:
    """The scores side by side, as `viewer` may see them (None: the sender after a decision with published
    scores)."""
    board = ScoreBoard(criteria=criteria_of(session=session, set_id=assessment.criteria_set_id))
    sheets = _sheets(session, submission.id)
    board.count = len(sheets)
    if viewer is not None:
        assigned = is_assessor(session=session, submission_id=submission.id, account_id=viewer.id)
        scored = any(s.account_id == viewer.id for s in sheets)
        if not perms.may_see_scores(viewer, submission, assigned=assigned, scored=scored):
            board.hidden = True
            return board
    names = dict(session.exec(select(Account.id, Account.display_name)
                              .where(col(Account.id).in_([s.account_id for s in sheets]))).all()) if sheets else {}
    totals: dict[int, list[int]] = {}
    for number, sheet in enumerate(sheets, start=1):
        items = json.loads(sheet.scores)
        for item in items:
            totals.setdefault(item["criterion_id"], []).append(item["score"])
        board.sheets.append({"assessor": names.get(sheet.account_id, "") if viewer is not None
                             else f"Thành viên {number}",
                             "scores": {i["criterion_id"]: i for i in items}, "mean": sheet.weighted_mean,
                             "at": sheet.submitted_at})
    known = {c.id for c in board.criteria}
    for sheet in board.sheets:  # a criterion removed from the set after it was scored still shows its scores
        for cid, item in sheet["scores"].items():
            if cid not in known:
                known.add(cid)
                board.criteria.append(Criterion(id=cid, set_id=assessment.criteria_set_id, position=999,
                                                name=f"{item['name']} (đã bỏ khỏi bộ tiêu chí)",
                                                weight=item["weight"]))
    board.per_criterion = {k: round(statistics.fmean(v), 2) for k, v in totals.items()}
    board.mean, board.spread, board.stdev = summarise(sheets)
    return board


def set_shortlist(*, session: Session, actor: Account, submission: Submission, on: bool,
                  now: datetime | None = None) -> Assessment:
    now = now or utcnow()
    perms.require(perms.may_shortlist(actor), "Chỉ Cơ quan thường trực lập danh sách rút gọn.")
    assessment = ensure_assessment(session=session, submission=submission, now=now)
    if assessment.shortlisted != on:
        assessment.shortlisted = on
        session.flush()
        submissions_service.record_event(session, submission, EventType.SHORTLISTED, now=now, actor=actor,
                                         from_state=submission.state, data={"shortlisted": on})
    return assessment


@dataclass
class DecisionForm:
    decision: Decision
    reason: str
    pilot_unit: str | None
    pilot_start: date | None
    publish_scores: bool


def parse_decision(values: dict) -> DecisionForm:
    errors: dict = {}
    raw = str(values.get("decision") or "")
    decision = Decision(raw) if raw in Decision._value2member_map_ else None
    if decision is None:
        errors["decision"] = "Vui lòng chọn kết quả thẩm định."
    reason = _text(values, "reason", "Lý do", errors, minimum=10)
    unit = start = None
    if decision == Decision.PILOT:
        unit = _text(values, "pilot_unit", "Đơn vị thí điểm", errors, minimum=3, maximum=200)
        start = _date(values, "pilot_start", "Ngày bắt đầu thí điểm", errors)
    if errors:
        raise Invalid(errors)
    return DecisionForm(decision=decision, reason=reason, pilot_unit=unit, pilot_start=start,
                        publish_scores=bool(values.get("publish_scores")))


def decision_text(form: DecisionForm, mean: float | None) -> str:
    lines = [f"Kết quả thẩm định: {DECISION_LABELS[form.decision]}."]
    if form.decision == Decision.PILOT:
        lines.append(f"Thí điểm tại {form.pilot_unit} từ ngày {format_date(form.pilot_start)}.")
    lines.append(f"Lý do: {form.reason}")
    if form.publish_scores and mean is not None:
        lines.append(f"Điểm thẩm định bình quân (có trọng số): {format_number(mean, 2)}/5.")
    return "\n".join(lines)


def decide(*, session: Session, actor: Account, submission: Submission, form: DecisionForm,
           now: datetime | None = None) -> Assessment:
    """Records the decision once (a conditional UPDATE on the assessment) and ends the item's handling as an answer
    does (`submissions.service.conclude`: the sender reads the decision and its reasons, the 30-working-day
    assessment clock stops, recorded as a DECIDED event)."""
    now = now or utcnow()
    assessment = ensure_assessment(session=session, submission=submission, now=now)
    perms.require(perms.may_decide(actor, submission, challenge_id=assessment.challenge_id),
                  "Cơ quan thường trực quyết định giải pháp cho bài toán; sáng kiến do đơn vị chủ trì quyết định."
                  if assessment.challenge_id else "Chỉ đơn vị chủ trì quyết định kết quả thẩm định.")
    if submission.state != State.IN_PROGRESS:
        raise InvalidTransition("Chỉ quyết định hồ sơ đơn vị chủ trì đã tiếp nhận và đang thẩm định.")
    mean, _spread, _stdev = summarise(_sheets(session, submission.id))
    done = session.execute(
        update(Assessment).where(col(Assessment.submission_id) == submission.id, col(Assessment.decision).is_(None))
        .values(decision=form.decision, decision_reason=form.reason, pilot_unit=form.pilot_unit,
                pilot_start=form.pilot_start, scores_published=form.publish_scores, decided_at=now,
                decided_by_account_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise Conflict("Hồ sơ vừa được người khác quyết định. Vui lòng tải lại trang.")
    session.refresh(assessment)
    submissions_service.conclude(
        session=session, submission=submission, actor=actor, text=decision_text(form, mean),
        event_type=EventType.DECIDED, public_note=DECISION_LABELS[form.decision], now=now,
        data={"decision": form.decision.value, "pilot_unit": form.pilot_unit,
              "pilot_start": form.pilot_start.isoformat() if form.pilot_start else None,
              "scores_published": form.publish_scores, "weighted_mean": mean})
    return assessment


# ------------------------------------------------------------------ implementation


def get_implementation(*, session: Session, submission_id: int) -> Implementation | None:
    return session.get(Implementation, submission_id)


def record_implementation(*, session: Session, actor: Account, submission: Submission, values: dict,
                          batch: StagedBatch | None = None, now: datetime | None = None) -> Implementation:
    """How an adopted or piloted item was put into practice (written again to update it); evidence files are stored
    as the agency's attachments to the item, under the audit chain like any attachment."""
    now = now or utcnow()
    perms.require(perms.may_record_implementation(actor, submission),
                  "Chỉ đơn vị chủ trì ghi nhận kết quả triển khai.")
    assessment = get_assessment(session=session, submission_id=submission.id)
    if assessment is None or assessment.decision not in (Decision.ADOPTED, Decision.PILOT):
        raise InvalidTransition("Chỉ ghi nhận triển khai cho sáng kiến, giải pháp được áp dụng hoặc thí điểm.")
    errors: dict = {}
    unit = _text(values, "unit", "Đơn vị triển khai", errors, minimum=3, maximum=200)
    started = _date(values, "started_on", "Ngày bắt đầu", errors)
    changed = _text(values, "what_changed", "Nội dung thay đổi", errors, minimum=10)
    result = _text(values, "result", "Kết quả", errors, required=False)
    if started and started > local_today(now):
        errors["started_on"] = "Ngày bắt đầu không được sau hôm nay."
    if errors:
        raise Invalid(errors)
    record = session.get(Implementation, submission.id)
    if record is None:
        record = Implementation(submission_id=submission.id, agency_id=submission.agency_id or actor.agency_id,
                                unit=unit, started_on=started, what_changed=changed, recorded_by_account_id=actor.id,
                                recorded_at=now)
        session.add(record)
    record.unit, record.started_on, record.what_changed, record.result = unit, started, changed, result
    record.updated_at = now
    session.flush()
    submissions_service.record_event(
        session, submission, EventType.IMPLEMENTATION_RECORDED, now=now, actor=actor, from_state=submission.state,
        public_note=f"Đưa vào thực tiễn tại {unit} từ ngày {format_date(started)}.",
        data={"unit": unit, "started_on": started.isoformat(), "evidence_files": len(batch or [])})
    submissions_service.attach(session=session, submission=submission, batch=batch, actor=actor, now=now)
    return record


# ------------------------------------------------------------------ publication (app/publication decides)


@dataclass
class PublicItem:
    """A published initiative or solution: its reviewed copy (`publication`: the only text the public sees) and
    its assessment (support count, decision)."""
    submission: Submission
    assessment: Assessment
    publication: Publication
    agency: Agency | None
    challenge: Challenge | None


def _published(session: Session):
    return (select(Submission, Assessment, Publication)
            .join(Assessment, col(Assessment.submission_id) == Submission.id)
            .join(Publication, col(Publication.submission_id) == Submission.id)
            .where(public.is_public()))


def public_item(*, session: Session, submission_id: int) -> PublicItem | None:
    """The item if app/publication says it is published (with its author's consent), else None."""
    found = session.exec(_published(session).where(Submission.id == submission_id)).first()
    if found is None:
        return None
    submission, assessment, publication = found
    ref = agencies_service.reference(session=session)
    return PublicItem(submission, assessment, publication, ref.agency_by_id.get(submission.agency_id),
                      session.get(Challenge, assessment.challenge_id) if assessment.challenge_id else None)


def published_items(*, session: Session, challenge_id: int | None = None, limit: int = 200) -> list[PublicItem]:
    stmt = _published(session).order_by(col(Assessment.support_count).desc(), col(Submission.id).desc()).limit(limit)
    if challenge_id is not None:
        stmt = stmt.where(Assessment.challenge_id == challenge_id)
    ref = agencies_service.reference(session=session)
    return [PublicItem(s, a, p, ref.agency_by_id.get(s.agency_id), None) for s, a, p in session.exec(stmt).all()]


def support_counts(*, session: Session, submission_ids: list[int]) -> dict[int, int]:
    """Confirmed supports of these items (for /cong-khai and the open data: only published items are asked)."""
    if not submission_ids:
        return {}
    return dict(session.exec(select(Assessment.submission_id, Assessment.support_count)
                             .where(col(Assessment.submission_id).in_(submission_ids))).all())


# ------------------------------------------------------------------ ranking (a challenge's solutions)


@dataclass
class Ranked:
    submission: Submission
    assessment: Assessment
    mean: float | None
    spread: float | None
    sheets: int


def ranking(*, session: Session, challenge_id: int) -> list[Ranked]:
    """The challenge's solutions by weighted score (mean of the assessors' weighted means), unscored last."""
    rows = session.exec(select(Submission, Assessment).join(Assessment, col(Assessment.submission_id) == Submission.id)
                        .where(Assessment.challenge_id == challenge_id)).all()
    ids = [s.id for s, _ in rows]
    by_item: dict[int, list[ScoreSheet]] = {}
    if ids:
        for sheet in session.exec(select(ScoreSheet).where(col(ScoreSheet.submission_id).in_(ids))).all():
            by_item.setdefault(sheet.submission_id, []).append(sheet)
    ranked = []
    for submission, assessment in rows:
        mean, spread, _ = summarise(by_item.get(submission.id, []))
        ranked.append(Ranked(submission, assessment, mean, spread, len(by_item.get(submission.id, []))))
    ranked.sort(key=lambda r: (r.mean is None, -(r.mean or 0), r.submission.id))
    return ranked


def support_threshold(*, session: Session, assessment: Assessment, default: int) -> int:
    if assessment.challenge_id:
        challenge = session.get(Challenge, assessment.challenge_id)
        if challenge is not None and challenge.support_threshold:
            return challenge.support_threshold
    return default


def status_view(*, session: Session, submission: Submission) -> dict | None:
    """What the sender's status page shows of an initiative or solution: whether it is public (and its support
    count), the offer to consent to publication if they have not yet (app/publication), and the scores if the agency
    published them with the decision. None for other kinds (no query)."""
    if submission.kind not in ASSESSED_KINDS:
        return None
    assessment = get_assessment(session=session, submission_id=submission.id)
    board = None
    if assessment is not None and assessment.decision is not None and assessment.scores_published:
        board = score_board(session=session, submission=submission, assessment=assessment, viewer=None)
    publication = publication_service.for_submission(session=session, submission_id=submission.id)
    return {"assessment": assessment, "board": board, "publication": publication,
            "public": assessment is not None and publication is not None
            and publication.status == PublicationStatus.PUBLISHED}

