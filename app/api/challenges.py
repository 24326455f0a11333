"""/api/v1 public read of the initiatives domain (no key needed, like the reference data): the province's challenges
and the initiatives and solutions published with their authors' consent, with their support counts. Writes (a
solution, a support) go through the citizen pages: a support needs a person typing a code."""

from datetime import date, datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlmodel import Session

from app.agencies import service as agencies_service
from app.api.problems import ApiProblem
from app.db import get_session
from app.initiatives import service as initiatives_service
from app.initiatives.models import Challenge

router = APIRouter(prefix="/api/v1", tags=["initiatives"])


class CriterionOut(BaseModel):
    name: str
    weight: int


class ChallengeOut(BaseModel):
    id: int
    title: str
    field_code: str
    owner_agency_code: str
    opens_on: date
    closes_on: date
    is_open: bool
    solutions: int
    decided_at: datetime | None
    url: str


class PublicItemOut(BaseModel):
    id: int
    kind: str
    title: str
    content: str
    agency_code: str | None
    challenge_id: int | None
    supports: int
    decision: str | None
    published_at: datetime | None
    url: str


class ChallengeDetailOut(ChallengeOut):
    problem: str
    expected_outcome: str
    criteria: list[CriterionOut]
    outcome: str | None
    published_solutions: list[PublicItemOut]


def _challenge(session: Session, challenge: Challenge, counts: dict[int, int]) -> dict:
    ref = agencies_service.reference(session=session)
    field = next((f for f in ref.fields if f.id == challenge.field_id), None)
    return {"id": challenge.id, "title": challenge.title, "field_code": field.code if field else "",
            "owner_agency_code": ref.agency_by_id[challenge.owner_agency_id].code, "opens_on": challenge.opens_on,
            "closes_on": challenge.closes_on,
            "is_open": initiatives_service.is_open(challenge, initiatives_service.local_today()),
            "solutions": counts.get(challenge.id, 0), "decided_at": challenge.decided_at,
            "url": f"/bai-toan/{challenge.id}"}


def _item(p: initiatives_service.PublicItem) -> PublicItemOut:
    s, a = p.submission, p.assessment  # the text is the reviewed copy app/publication published
    return PublicItemOut(id=s.id, kind=s.kind.value, title=p.publication.title or "",
                         content=p.publication.question or "",
                         agency_code=p.agency.code if p.agency else None, challenge_id=a.challenge_id,
                         supports=a.support_count, decision=a.decision.value if a.decision else None,
                         published_at=p.publication.published_at, url=f"/sang-kien/{s.id}")


@router.get("/challenges", response_model=list[ChallengeOut], summary="Bài toán của tỉnh (đang nhận và đã đóng)")
def challenges(session: Session = Depends(get_session)):
    counts = initiatives_service.solution_counts(session=session)
    return [_challenge(session, c, counts) for c in initiatives_service.list_challenges(session=session)]


@router.get("/challenges/{challenge_id}", response_model=ChallengeDetailOut,
            summary="Một bài toán: vấn đề, tiêu chí, kết quả và giải pháp công khai",
            responses={404: {"description": "Không có bài toán này"}})
def challenge(challenge_id: int, session: Session = Depends(get_session)):
    found = session.get(Challenge, challenge_id) if 0 < challenge_id < 2**31 else None
    if found is None:
        raise ApiProblem(404, "Không có bài toán này.")
    counts = initiatives_service.solution_counts(session=session)
    return {**_challenge(session, found, counts), "problem": found.problem,
            "expected_outcome": found.expected_outcome, "outcome": found.outcome,
            "criteria": [{"name": c.name, "weight": c.weight}
                         for c in initiatives_service.criteria_of(session=session, set_id=found.criteria_set_id)],
            "published_solutions": [_item(p) for p in initiatives_service.published_items(
                session=session, challenge_id=found.id)]}


@router.get("/initiatives", response_model=list[PublicItemOut],
            summary="Sáng kiến, giải pháp công khai (tác giả đồng ý) và số người ủng hộ")
def published(session: Session = Depends(get_session)):
    return [_item(p) for p in initiatives_service.published_items(session=session)]
