"""Officer pages of the initiatives domain: an item's assessment (assessors, independent scores, decision,
implementation record; its publication is reviewed on app/publication's page), challenges (publish, edit, rank,
decide), criteria sets, and the adoption register with its exports."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.accounts.models import Account
from app.accounts.permissions import is_coordinator
from app.agencies import service as agencies_service
from app.attachments import service as attachments_service
from app.attachments.http import uploads_from_form
from app.db import get_session, unit_of_work
from app.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from app.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Column, attachment_disposition, csv_text, xlsx_bytes
from app.initiatives import permissions as perms
from app.initiatives import register as register_queries
from app.initiatives import service as initiatives_service
from app.initiatives.models import Assessment, Challenge
from app.kinds import KIND_LABELS
from app.publication import service as publication_service
from app.publication.models import PublicationStatus
from app.submissions.models import Submission
from app.web.common import PageError, coordinator_only, current_handler, form_data, render, require_csrf
from app.web.officer import submission_for_handler

router = APIRouter(prefix="/officer", dependencies=[Depends(require_csrf)])


def _not_found() -> PageError:
    return PageError(404, "Không tìm thấy hồ sơ", "Hồ sơ không tồn tại hoặc không thuộc đơn vị của bạn.",
                     back_url="/officer/inbox")


def assessed_item(submission: Submission = Depends(submission_for_handler),
                  actor: Account = Depends(current_handler)) -> Submission:
    """An initiative or solution whose assessment this account may see: the holding agency's staff or the coordinator
    (a former holder keeps the item page, not the assessment)."""
    if submission.kind not in initiatives_service.ASSESSED_KINDS or not perms.may_view(actor, submission):
        raise _not_found()
    return submission


def _assessment_context(session: Session, actor: Account, submission: Submission, **extra) -> dict:
    assessment = initiatives_service.get_assessment(session=session, submission_id=submission.id)
    shown = assessment or Assessment(submission_id=submission.id,
                                     criteria_set_id=initiatives_service.default_set(session=session).id)
    challenge = session.get(Challenge, shown.challenge_id) if shown.challenge_id else None
    assigned = initiatives_service.is_assessor(session=session, submission_id=submission.id, account_id=actor.id)
    mine = initiatives_service.own_sheet(session=session, submission_id=submission.id, account_id=actor.id)
    decided = shown.decision is not None
    publication = publication_service.for_submission(session=session, submission_id=submission.id)
    ref = agencies_service.reference(session=session)
    can = {
        "assign": perms.may_assign(actor, submission) and not decided,
        "score": perms.may_score(actor, submission, assigned=assigned) and mine is None and not decided,
        "decide": perms.may_decide(actor, submission, challenge_id=shown.challenge_id) and not decided
        and submission.state == "in_progress",
        "shortlist": perms.may_shortlist(actor) and challenge is not None and not decided,
        "implement": perms.may_record_implementation(actor, submission) and shown.decision in ("adopted", "pilot"),
        # Publication is app/publication's: its review page (/officer/cong-khai/{code}) publishes the copy.
        "publish": publication is not None and publication.status != PublicationStatus.WITHDRAWN
        and publication_service.may_publish(actor, submission) and publication_service.publishable(submission),
    }
    assessors = initiatives_service.assessors(session=session, submission_id=submission.id)
    context = {
        "account": actor, "item": submission, "assessment": shown, "challenge": challenge,
        "agency": ref.agency_by_id.get(submission.agency_id),
        "assessors": assessors,
        "candidates": [a for a in initiatives_service.assessor_candidates(session=session, submission=submission)
                       if a.id not in {p.id for p in assessors}] if can["assign"] else [],
        "assigned": assigned, "mine": mine,
        "board": initiatives_service.score_board(session=session, submission=submission, assessment=shown,
                                                 viewer=actor),
        "implementation": initiatives_service.get_implementation(session=session, submission_id=submission.id),
        "evidence": [a for a in attachments_service.for_submission(session=session, submission_id=submission.id)
                     if a.owner == "agency"],
        "uploads": attachments_service.upload_rules(),
        "decision_labels": initiatives_service.DECISION_LABELS,
        "maturities": initiatives_service.MATURITY_LABELS,
        "can": can, "publication": publication, "errors": {}, "values": {}, "message": None,
    }
    context.update(extra)
    return context


@router.get("/items/{code}/tham-dinh")
def assessment_page(request: Request, submission: Submission = Depends(assessed_item),
                    actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    context = _assessment_context(session, actor, submission, message=request.session.pop("flash", None))
    return render(request, "initiatives/assessment.html", context)


def _account(session: Session, raw: str) -> Account | None:
    return session.get(Account, int(raw)) if raw.isdigit() else None


ACTIONS = {
    "assessors": (lambda s, sub, a, v, b: initiatives_service.assign_assessor(
        session=s, actor=a, submission=sub, account=_account(s, v.get("account_id", ""))),
        "Đã phân công người thẩm định."),
    "scores": (lambda s, sub, a, v, b: initiatives_service.submit_scores(session=s, actor=a, submission=sub, values=v),
               "Đã ghi điểm của bạn. Bây giờ bạn xem được điểm của các thành viên khác."),
    "shortlist": (lambda s, sub, a, v, b: initiatives_service.set_shortlist(
        session=s, actor=a, submission=sub, on=v.get("on") == "1"), "Đã cập nhật danh sách rút gọn."),
    "decide": (lambda s, sub, a, v, b: initiatives_service.decide(
        session=s, actor=a, submission=sub, form=initiatives_service.parse_decision(v)),
        "Đã ghi quyết định; người gửi được thông báo kết quả và lý do."),
    "implementation": (lambda s, sub, a, v, b: initiatives_service.record_implementation(
        session=s, actor=a, submission=sub, values=v, batch=b), "Đã ghi nhận kết quả triển khai."),
}


@router.post("/items/{code}/tham-dinh/{action}")
def assessment_action(request: Request, action: str, submission: Submission = Depends(assessed_item),
                      actor: Account = Depends(current_handler), form: FormData = Depends(form_data),
                      session: Session = Depends(get_session)):
    spec = ACTIONS.get(action)
    if spec is None:
        raise PageError(404, "Không tìm thấy trang", "Thao tác này không có trên hệ thống.")
    run, done = spec
    values = {k: str(v)[:20_000] for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        batch = attachments_service.stage(uploads_from_form(form)) if action == "implementation" else None
        with attachments_service.unit_with_files(session, batch):
            run(session, submission, actor, values, batch)
    except Invalid as exc:
        errors = exc.errors
    except (InvalidTransition, NotPermitted, Conflict) as exc:
        errors = {"action": str(exc.args[0]) if exc.args else str(exc)}
    else:
        request.session["flash"] = done
        back = request.query_params.get("back", "")
        own = f"/officer/items/{submission.tracking_code}/tham-dinh"
        target = back if back.startswith("/officer/bai-toan/") else own
        return RedirectResponse(target, status_code=303)
    session.rollback()
    context = _assessment_context(session, actor, submission, errors=errors, values=values)
    return render(request, "initiatives/assessment.html", context, status_code=422)


# ------------------------------------------------------------------ challenges


def _challenge_form_context(session: Session, actor: Account, values: dict, errors: dict) -> dict:
    ref = agencies_service.reference(session=session)
    owners = ref.agencies if is_coordinator(actor) else [a for a in ref.agencies if a.id == actor.agency_id]
    return {"account": actor, "values": values, "errors": errors, "fields": ref.fields, "owners": owners,
            "sets": initiatives_service.list_sets(session=session), "uploads": attachments_service.upload_rules()}


CHALLENGE_FIELDS = ("title", "problem", "expected_outcome", "field_code", "owner_agency_code", "criteria_set_id",
                    "opens_on", "closes_on", "support_threshold")


def _manager(actor: Account = Depends(current_handler)) -> Account:
    if not perms.may_manage_challenges(actor):
        raise PageError(403, "Không có quyền truy cập", "Trang này dành cho Cơ quan thường trực và quản trị đơn vị.")
    return actor


@router.get("/bai-toan")
def challenges(request: Request, actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    owner = None if is_coordinator(actor) else actor.agency_id
    ref = agencies_service.reference(session=session)
    return render(request, "initiatives/manage_list.html", {
        "account": actor, "challenges": initiatives_service.list_challenges(session=session, owner_agency_id=owner),
        "counts": initiatives_service.solution_counts(session=session), "agencies": ref.agency_by_id,
        "may_create": perms.may_manage_challenges(actor), "today": initiatives_service.local_today()})


@router.get("/bai-toan/moi")
def challenge_new(request: Request, actor: Account = Depends(_manager), session: Session = Depends(get_session)):
    ref = agencies_service.reference(session=session)
    owner = ref.agency_by_id.get(actor.agency_id)
    values = {"owner_agency_code": owner.code if owner else "",
              "criteria_set_id": str(initiatives_service.default_set(session=session).id),
              "opens_on": initiatives_service.local_today().isoformat()}
    return render(request, "initiatives/challenge_form.html", _challenge_form_context(session, actor, values, {}))


@router.post("/bai-toan/moi")
def challenge_create(request: Request, actor: Account = Depends(_manager), form: FormData = Depends(form_data),
                     session: Session = Depends(get_session)):
    values = {k: str(form.get(k, ""))[:20_000] for k in CHALLENGE_FIELDS}
    try:
        parsed = initiatives_service.parse_challenge(session, values)
        batch = attachments_service.stage(uploads_from_form(form))
        with attachments_service.unit_with_files(session, batch):
            challenge = initiatives_service.publish_challenge(session=session, actor=actor, form=parsed, batch=batch)
    except Invalid as exc:
        errors = exc.errors
    except NotPermitted as exc:
        errors = {"owner_agency_code": str(exc.args[0])}
    else:
        request.session["flash"] = "Đã công bố bài toán."
        return RedirectResponse(f"/officer/bai-toan/{challenge.id}", status_code=303)
    session.rollback()
    return render(request, "initiatives/challenge_form.html",
                  _challenge_form_context(session, actor, values, errors), status_code=422)


def _managed_challenge(challenge_id: int, actor: Account = Depends(current_handler),
                       session: Session = Depends(get_session)) -> Challenge:
    challenge = session.get(Challenge, challenge_id)
    if challenge is None or not (is_coordinator(actor) or challenge.owner_agency_id == actor.agency_id):
        raise PageError(404, "Không tìm thấy bài toán", "Bài toán không có hoặc không do đơn vị bạn chủ trì.",
                        back_url="/officer/bai-toan")
    return challenge


def _challenge_values(session: Session, challenge: Challenge) -> dict:
    ref = agencies_service.reference(session=session)
    field = next((f for f in ref.fields if f.id == challenge.field_id), None)
    return {"title": challenge.title, "problem": challenge.problem, "expected_outcome": challenge.expected_outcome,
            "field_code": field.code if field else "", "owner_agency_code": ref.agency_by_id[challenge.owner_agency_id]
            .code, "criteria_set_id": str(challenge.criteria_set_id), "opens_on": challenge.opens_on.isoformat(),
            "closes_on": challenge.closes_on.isoformat(), "support_threshold": str(challenge.support_threshold or "")}


def _manage_context(session: Session, actor: Account, challenge: Challenge, **extra) -> dict:
    context = {
        **_challenge_form_context(session, actor, _challenge_values(session, challenge), {}),
        "challenge": challenge,
        "ranking": initiatives_service.ranking(session=session, challenge_id=challenge.id),
        "criteria": initiatives_service.criteria_of(session=session, set_id=challenge.criteria_set_id),
        "documents": initiatives_service.documents(session=session, challenge_id=challenge.id),
        "may_edit": perms.may_publish_challenge(actor, challenge.owner_agency_id) and challenge.decided_at is None,
        "may_decide": perms.may_shortlist(actor) and challenge.decided_at is None
        and initiatives_service.local_today() > challenge.closes_on,
        "decision_labels": initiatives_service.DECISION_LABELS, "maturities": initiatives_service.MATURITY_LABELS,
        "message": None, "outcome_errors": {}, "outcome": "",
    }
    context.update(extra)
    return context


@router.get("/bai-toan/{challenge_id}")
def challenge_manage(request: Request, challenge: Challenge = Depends(_managed_challenge),
                     actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    context = _manage_context(session, actor, challenge, message=request.session.pop("flash", None))
    return render(request, "initiatives/manage.html", context)


@router.post("/bai-toan/{challenge_id}")
def challenge_update(request: Request, challenge: Challenge = Depends(_managed_challenge),
                     actor: Account = Depends(current_handler), form: FormData = Depends(form_data),
                     session: Session = Depends(get_session)):
    values = {k: str(form.get(k, ""))[:20_000] for k in CHALLENGE_FIELDS}
    try:
        parsed = initiatives_service.parse_challenge(session, values)
        batch = attachments_service.stage(uploads_from_form(form))
        with attachments_service.unit_with_files(session, batch):
            initiatives_service.update_challenge(session=session, actor=actor, challenge=challenge, form=parsed,
                                                 batch=batch)
    except Invalid as exc:
        errors = exc.errors
    except (NotPermitted, InvalidTransition) as exc:
        errors = {"action": str(exc.args[0])}
    else:
        request.session["flash"] = "Đã lưu bài toán."
        return RedirectResponse(f"/officer/bai-toan/{challenge.id}", status_code=303)
    session.rollback()
    context = _manage_context(session, actor, challenge)
    context.update(values=values, errors=errors)
    return render(request, "initiatives/manage.html", context, status_code=422)


@router.post("/bai-toan/{challenge_id}/ket-qua")
def challenge_outcome(request: Request, challenge: Challenge = Depends(_managed_challenge),
                      actor: Account = Depends(current_handler), form: FormData = Depends(form_data),
                      session: Session = Depends(get_session)):
    outcome = str(form.get("outcome", ""))[:20_000]
    try:
        with unit_of_work(session):
            initiatives_service.decide_challenge(session=session, actor=actor, challenge=challenge, outcome=outcome)
    except Invalid as exc:
        errors = exc.errors
    except (NotPermitted, InvalidTransition, Conflict) as exc:
        errors = {"outcome": str(exc.args[0])}
    else:
        request.session["flash"] = "Đã công bố kết quả bài toán."
        return RedirectResponse(f"/officer/bai-toan/{challenge.id}", status_code=303)
    session.rollback()
    context = _manage_context(session, actor, challenge, outcome_errors=errors, outcome=outcome)
    return render(request, "initiatives/manage.html", context, status_code=422)


# ------------------------------------------------------------------ criteria sets


def _criteria_page(request: Request, session: Session, actor: Account, *, errors: dict | None = None,
                   values: dict | None = None, status: int = 200):
    sets = initiatives_service.list_sets(session=session)
    rows = {s.id: initiatives_service.criteria_of(session=session, set_id=s.id) for s in sets}
    return render(request, "initiatives/criteria.html", {
        "account": actor, "sets": sets, "rows": rows, "errors": errors or {}, "values": values or {},
        "message": request.session.pop("flash", None)}, status_code=status)


@router.get("/tieu-chi")
def criteria_page(request: Request, actor: Account = Depends(coordinator_only),
                  session: Session = Depends(get_session)):
    return _criteria_page(request, session, actor)


@router.post("/tieu-chi")
def criteria_save(request: Request, actor: Account = Depends(coordinator_only), form: FormData = Depends(form_data),
                  session: Session = Depends(get_session)):
    values = {k: str(form.get(k, ""))[:5000] for k in ("set_id", "name", "criteria")}
    values["make_default"] = form.get("make_default") == "on"
    try:
        with unit_of_work(session):
            initiatives_service.save_set(session=session, actor=actor,
                                         set_id=int(values["set_id"]) if values["set_id"].isdigit() else None,
                                         name=values["name"], criteria_text=values["criteria"],
                                         make_default=values["make_default"])
    except Invalid as exc:
        session.rollback()
        return _criteria_page(request, session, actor, errors={**exc.errors, "set_id": values["set_id"]},
                              values=values, status=422)
    request.session["flash"] = "Đã lưu bộ tiêu chí."
    return RedirectResponse("/officer/tieu-chi", status_code=303)


# ------------------------------------------------------------------ adoption register


def _year(raw: str | None) -> int:
    today = initiatives_service.local_today()
    try:
        year = int(raw or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@router.get("/sang-kien")
def register_page(request: Request, actor: Account = Depends(current_handler),
                  session: Session = Depends(get_session)):
    year = _year(request.query_params.get("year"))
    agency_id = None if is_coordinator(actor) else actor.agency_id
    rows = register_queries.register(session=session, year=year, agency_id=agency_id)
    context = {
        "account": actor, "year": year, "rows": rows, "today": initiatives_service.local_today(),
        "totals": [sum(getattr(r, k) for r in rows) for k in ("received", "assessed", "adopted", "piloted",
                                                               "in_practice")],
        "indicator": register_queries.indicator(session=session, year=year) if agency_id is None else None,
        "at_zero": register_queries.agencies_at_zero(session=session, year=year) if agency_id is None else [],
        "flagged": register_queries.flagged(session=session, agency_id=agency_id),
        "kinds": KIND_LABELS,
    }
    return render(request, "initiatives/register.html", context)


@router.get("/sang-kien/so-theo-doi.{fmt}")
def register_export(fmt: str, request: Request, actor: Account = Depends(current_handler),
                    session: Session = Depends(get_session)):
    if fmt not in ("csv", "xlsx"):
        raise PageError(404, "Không tìm thấy trang", "Định dạng xuất không hỗ trợ.")
    year = _year(request.query_params.get("year"))
    agency_id = None if is_coordinator(actor) else actor.agency_id
    headings, rows = register_queries.export_rows(session=session, year=year, agency_id=agency_id)
    name = f"so-theo-doi-sang-kien-{year}.{fmt}"
    if fmt == "csv":
        return Response(csv_text(headings, rows), media_type=CSV_MEDIA_TYPE,
                        headers={"Content-Disposition": attachment_disposition(name)})
    columns = [Column(headings[0], 22), Column(headings[1], 48), *[Column(h, 14, "0") for h in headings[2:]]]
    body = xlsx_bytes(f"Sáng kiến {year}", columns, rows,
                      totals=["Tổng", "", *[("=SUM", i) for i in range(2, len(headings))]])
    return Response(body, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": attachment_disposition(name)})

