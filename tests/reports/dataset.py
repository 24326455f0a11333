"""A dataset with known answers for every figure (app/reports): items across quarters of 2026, the National Day
holidays (31/8 swapped off, 1–2/9), a transfer, a pause for information, an extension, a reopening, a rejection,
published and withdrawn consent. Every expected figure below is worked out by hand in the comments."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.accounts.models import Account, Role
from app.accounts.service import create_account
from app.agencies.models import Agency
from app.kinds import Channel
from app.publication import service as publication
from app.sla import service as sla_service
from app.submissions import service
from app.timefmt import LOCAL_TZ
from tests.conftest import PASSWORD, agency, submission_data

SECRET_PHONE = "0987654321"
SECRET_EMAIL = "an.nguyen.rieng@example.vn"
SECRET_ADDRESS = "Số 99 đường Võ Nguyên Giáp"
UNCONSENTED = "NOIDUNGKHONGCONGKHAI"  # in the text of items without (or with withdrawn) consent
WITHDRAWN = "RUTLAICONGKHAI"
ANSWER = "Sở đã làm việc với nhà mạng; trạm phát sóng mới hoạt động từ tuần sau."
PUBLISHED_TITLE = "Sóng 4G yếu ở một bản vùng cao"
PUBLISHED_QUESTION = "Sóng điện thoại rất yếu, không gọi được cấp cứu."


def at(day: int, month: int, hour: int = 8, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


@dataclass
class Dataset:
    khcn: Agency
    yte: Agency
    officer: Account
    yte_officer: Account
    coordinator: Account
    items: dict
    published_id: int
    withdrawn_id: int


def _account(db: Session, code: str, role: Role, username: str) -> Account:
    account = create_account(session=db, username=username, display_name="Cán bộ báo cáo", role=role,
                             agency_id=agency(db, code).id, password=PASSWORD)
    account.must_change_password = False
    return account


def build(db: Session) -> Dataset:
    khcn, yte = agency(db, "so-khcn"), agency(db, "so-y-te")
    officer = _account(db, "so-khcn", Role.OFFICER, "bc-khcn")
    yte_officer = _account(db, "so-y-te", Role.OFFICER, "bc-yte")
    coordinator = _account(db, "so-khcn", Role.COORDINATOR, "bc-dieu-phoi")
    db.flush()
    items = {}

    def new(name, when, *, kind="feedback", field="ha-tang-so", commune="xa-muong-nhe", source=Channel.WEB,
            consent=False, text=UNCONSENTED):
        data = submission_data(kind=kind, field_code=field, commune_code=commune, publish_consent=consent,
                               title=f"Ý kiến {name} về hạ tầng số",
                               content=f"Nội dung {name}: {text}. Gọi {SECRET_PHONE} hoặc {SECRET_EMAIL}.",
                               sender_name="Nguyễn Văn An", sender_phone=SECRET_PHONE, sender_email=SECRET_EMAIL,
                               sender_address=SECRET_ADDRESS)
        items[name] = service.submit(session=db, data=data, source=source, now=when)
        return items[name]

    def accept(item, when, actor=officer):
        service.accept(session=db, submission=item, actor=actor, now=when)

    def answer(item, when, actor=officer):
        service.answer(session=db, submission=item, actor=actor, text=ANSWER, now=when)

    # I1: accepted Mon 6/7 09:00, answered Wed 8/7 09:00 = 2.0 working days, on time; rated satisfied 9/7;
    # consent, published 10/7 (the one published item of Q3).
    i1 = new("I1", at(6, 7), consent=True, text="sóng yếu ở bản")
    accept(i1, at(6, 7, 9))
    answer(i1, at(8, 7, 9))
    service.rate(session=db, submission=i1, satisfied=True, now=at(9, 7))
    published = publication.publish(session=db, submission=i1, actor=officer, title=PUBLISHED_TITLE,
                                    question=PUBLISHED_QUESTION, answer=ANSWER, now=at(10, 7))
    # I2 (API, petition, Sìn Thầu): accepted Mon 3/8 08:00, paused Tue 4/8 08:00 (1.0 day used), resumed Mon 10/8
    # 08:00, answered Wed 12/8 08:00 (2.0 more) = 3.0 days, on time; rated not satisfied 13/8.
    i2 = new("I2", at(3, 8, 7, 30), kind="petition", commune="xa-sin-thau", source=Channel.API)
    accept(i2, at(3, 8))
    service.request_info(session=db, submission=i2, actor=officer, question="Xin cho biết tên bản cụ thể?",
                         now=at(4, 8))
    service.provide_info(session=db, submission=i2, reply="Bản Huổi Lếch, gần trường tiểu học.", now=at(10, 8))
    answer(i2, at(12, 8))
    service.rate(session=db, submission=i2, satisfied=False, comment="Chưa thoả đáng", now=at(13, 8))
    # I3: to Sở Y tế (y-te-so) Mon 7/9, transferred to Sở KHCN Tue 8/9 08:00 (Sở Y tế: 1 transferred), accepted
    # 8/9 09:00, due 10 working days later (22/9 17:00), answered Mon 28/9 09:00: late, 14.0 working days.
    i3 = new("I3", at(7, 9), field="y-te-so")
    service.transfer(session=db, submission=i3, actor=yte_officer, to_agency=khcn,
                     reason="Thuộc lĩnh vực hạ tầng số", now=at(8, 9))
    accept(i3, at(8, 9, 9))
    answer(i3, at(28, 9, 9))
    # I4 (solution, Sìn Thầu): accepted Fri 28/8 08:00, answered Thu 3/9 08:00. Mon 31/8 (swapped off), Tue 1/9
    # and Wed 2/9 (National Day) are not working days: 7.0 h on Friday + 0.5 h on Thursday = 1.0 day (4.0 without).
    i4 = new("I4", at(28, 8, 7, 40), kind="solution", commune="xa-sin-thau")
    accept(i4, at(28, 8))
    answer(i4, at(3, 9))
    # I5: rejected Wed 15/7 from "assigned" (never accepted).
    i5 = new("I5", at(13, 7), kind="petition")
    service.reject(session=db, submission=i5, actor=officer, reason_code="out_of_scope",
                   detail="Việc này không thuộc lĩnh vực tiếp nhận của hệ thống.", now=at(15, 7))
    # I6 (Open311, initiative, Sìn Thầu): accepted Tue 14/7 09:00, answered Wed 15/7 09:00 (1.0); rated not
    # satisfied 16/7 (the rating is cleared by the reopening); reopened Fri 17/7 08:00, accepted 17/7 09:00,
    # answered Mon 20/7 09:00 (1.0): two answers, two acceptances.
    i6 = new("I6", at(13, 7, 10), kind="initiative", commune="xa-sin-thau", source=Channel.OPEN311)
    accept(i6, at(14, 7, 9))
    answer(i6, at(15, 7, 9))
    service.rate(session=db, submission=i6, satisfied=False, now=at(16, 7))
    service.reopen(session=db, submission=i6, actor=coordinator, agency=khcn, note="Xem xét lại đề xuất",
                   now=at(17, 7))
    accept(i6, at(17, 7, 9))
    answer(i6, at(20, 7, 9))
    # I7: to Sở Y tế Wed 16/9, never accepted: its accept clock is overdue now.
    new("I7", at(16, 9), field="y-te-so")
    # I8: received in Q2 (15/6), accepted Mon 29/6 08:00 (Q2), answered Wed 1/7 08:00 (Q3): 2.0 days, on time.
    i8 = new("I8", at(15, 6))
    accept(i8, at(29, 6))
    answer(i8, at(1, 7))
    # I9: consent, accepted Mon 6/7 10:00, answered Tue 7/7 10:00 (1.0), published 8/7, withdrawn 20/7.
    i9 = new("I9", at(6, 7, 9), consent=True, text=WITHDRAWN)
    accept(i9, at(6, 7, 10))
    answer(i9, at(7, 7, 10))
    withdrawn = publication.publish(session=db, submission=i9, actor=officer, title=f"Bản công khai {WITHDRAWN}",
                                    question=f"Câu hỏi {WITHDRAWN} đã xoá thông tin.", answer=ANSWER, now=at(8, 7))
    withdrawn_id = withdrawn.id
    publication.withdraw(session=db, submission=i9, now=at(20, 7))
    # I10: received in Q4 (Mon 5/10), accepted 5/10: its answer clock (due 19/10) is overdue now.
    i10 = new("I10", at(5, 10))
    accept(i10, at(5, 10, 9))
    # I11: accepted Mon 6/7 08:00, due Mon 20/7 17:00; extension of 5 working days asked 15/7, granted 16/7 (due
    # 27/7 17:00); answered Thu 23/7 08:00: on time thanks to the extension, 13.0 working days.
    i11 = new("I11", at(6, 7, 7, 30))
    accept(i11, at(6, 7))
    extension = sla_service.request_extension(session=db, submission=i11, actor=officer, working_days=5,
                                              reason="Chờ nhà mạng khảo sát vị trí đặt trạm.", now=at(15, 7))
    sla_service.grant_extension(session=db, actor=coordinator, extension=extension, note="Đồng ý gia hạn",
                                now=at(16, 7))
    answer(i11, at(23, 7))
    db.commit()
    return Dataset(khcn, yte, officer, yte_officer, coordinator, items, published.id, withdrawn_id)


# Q3/2026, worked out above.
Q3_TOTAL = dict(received=9, accepted=8, transferred=1, rejected=1, answered=9, on_time=8, late=1, median_days=2.0,
                p90_days=14.0, rated=2, satisfied=1, at_risk_now=0, overdue_now=2)
Q3_KHCN = dict(received=8, accepted=8, transferred=0, rejected=1, answered=9, on_time=8, late=1, median_days=2.0,
               p90_days=14.0, rated=2, satisfied=1, at_risk_now=0, overdue_now=1)
Q3_YTE = dict(received=1, accepted=0, transferred=1, rejected=0, answered=0, on_time=0, late=0, median_days=None,
              p90_days=None, rated=0, satisfied=0, at_risk_now=0, overdue_now=1)
# Mường Nhé: I1, I3, I5, I7, I9, I11 received; answers I1 2, I3 14 (late), I8 2, I9 1, I11 13 → median 2.0.
Q3_MUONG_NHE = dict(received=6, answered=5, on_time=4, late=1, median_days=2.0, rated=1, satisfied=1, overdue_now=2)
# Sìn Thầu: I2, I4, I6 received; answers I2 3, I4 1, I6 1, I6 1 → median 1.0.
Q3_SIN_THAU = dict(received=3, answered=4, on_time=4, late=0, median_days=1.0, rated=1, satisfied=0, overdue_now=0)
Q3_KINDS = {"feedback": 5, "petition": 2, "initiative": 1, "solution": 1}
Q3_CHANNELS = {"web": 7, "api": 1, "open311": 1}
