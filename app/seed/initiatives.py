"""Demo challenges, solutions and an adopted initiative, so that a new user sees the initiatives feature: an open
challenge taking solutions, a closed one being ranked, and the adoption register with one agency off zero.

Everything goes through the domain services (events, clocks and messages as in real use). Idempotent: a challenge
whose title exists is not made again. Supports are not seeded (they need a person typing a code)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from app.accounts.models import Account, Role
from app.agencies.models import Agency
from app.db import utcnow
from app.initiatives import service
from app.initiatives.models import Challenge
from app.publication import service as publication_service
from app.seed.reference import COORDINATOR_USERNAME
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.submissions.schemas import SubmissionCreate


@dataclass(frozen=True)
class DemoSolution:
    title: str
    content: str
    sender: str
    email: str
    organisation: str
    maturity: str
    cost: int | None
    needs: str
    scores: tuple[int, ...] | None = None  # the owner agency's admin scores it (after acceptance)
    public: bool = False


@dataclass(frozen=True)
class DemoChallenge:
    title: str
    field: str
    owner: str
    problem: str
    outcome: str
    opened_days_ago: int
    open_days: int
    threshold: int | None
    solutions: tuple[DemoSolution, ...]


CHALLENGES = (
    DemoChallenge(
        title="Kỹ năng số cho người dân ở các bản chưa có sóng di động",
        field="xa-hoi-so", owner="so-khcn", opened_days_ago=12, open_days=60, threshold=30,
        problem="Khoảng 90 bản của tỉnh, nhiều nhất ở Mường Nhé, Nậm Pồ và Tủa Chùa, chưa có sóng di động ổn định. "
                "Tổ công nghệ số cộng đồng không thể hướng dẫn người dân dùng dịch vụ công trực tuyến, thanh toán "
                "không dùng tiền mặt hay tra cứu thông tin nông nghiệp bằng các khóa học trực tuyến.\n\n"
                "Tỉnh cần cách dạy và thực hành kỹ năng số không phụ thuộc mạng, bằng tiếng Mông, tiếng Thái và "
                "tiếng Việt, mà tổ công nghệ số cộng đồng tự vận hành được.",
        outcome="Mô hình dạy kỹ năng số không cần mạng, thí điểm ở ít nhất 10 bản trong năm đầu và nhân rộng được "
                "ra 100 bản với chi phí mỗi bản dưới 30 triệu đồng.",
        solutions=(
            DemoSolution(
                title="Máy chủ học tập ngoại tuyến đặt tại nhà văn hóa bản",
                content="Một máy tính nhỏ (Raspberry Pi) phát Wi-Fi nội bộ tại nhà văn hóa, nạp sẵn bài học video "
                        "ngắn bằng tiếng Mông và tiếng Thái, bản mô phỏng cổng dịch vụ công để thực hành. Tổ công "
                        "nghệ số cập nhật bài học bằng thẻ nhớ mỗi tháng khi xuống xã.",
                sender="Lò Văn Thanh", email="thanh.lv@example.vn", organisation="Nhóm khởi nghiệp Bản Số",
                maturity="prototype", cost=18_000_000, needs="Cho thí điểm tại 3 bản của xã Mường Nhé; điện mặt "
                                                             "trời cho nhà văn hóa chưa có điện lưới.",
                public=True),
            DemoSolution(
                title="Sổ tay kỹ năng số bằng tranh và mã QR ngoại tuyến",
                content="Bộ sổ tay in màu, mỗi trang một việc (cài ứng dụng ngân hàng, tra cứu hồ sơ), có hình minh "
                        "họa từng bước và lời thoại tiếng Mông; giáo viên điểm trường dùng để dạy phụ huynh.",
                sender="Giàng Thị Mai", email="mai.gt@example.vn", organisation="Trường PTDTBT TH Nậm Pồ",
                maturity="idea", cost=6_000_000, needs="Kinh phí in 2.000 cuốn; hỗ trợ biên dịch tiếng Mông."),
        ),
    ),
    DemoChallenge(
        title="Truy xuất nguồn gốc sản phẩm OCOP bằng mã QR",
        field="nong-nghiep-so", owner="so-nnmt", opened_days_ago=70, open_days=60, threshold=None,
        problem="Tỉnh có hơn 100 sản phẩm OCOP (gạo Điện Biên, chè Shan tuyết Tủa Chùa, mật ong, cà phê Mường Ảng) "
                "nhưng phần lớn chưa có cách truy xuất nguồn gốc mà người mua và sàn thương mại điện tử tin được. "
                "Các hợp tác xã nhỏ không đủ người để nhập liệu trên các hệ thống phức tạp.",
        outcome="Giải pháp truy xuất mà một hợp tác xã 10 hộ tự dùng được bằng điện thoại, kết nối Cổng truy xuất "
                "nguồn gốc quốc gia, triển khai cho 30 sản phẩm OCOP trong năm.",
        solutions=(
            DemoSolution(
                title="Nhật ký sản xuất bằng Zalo Mini App cho hợp tác xã",
                content="Hộ sản xuất chụp ảnh và ghi nhật ký (bón phân, thu hoạch) qua Zalo Mini App; khi đóng gói, "
                        "hợp tác xã in tem QR dẫn đến nhật ký lô hàng, đồng bộ lên Cổng truy xuất quốc gia.",
                sender="Nguyễn Văn Hùng", email="hung.nv@example.vn",
                organisation="Công ty TNHH Nông nghiệp số Tây Bắc",
                maturity="in_use", cost=250_000_000, needs="Danh sách hợp tác xã OCOP và đầu mối ở mỗi xã.",
                scores=(4, 5, 5, 4, 4), public=True),
            DemoSolution(
                title="Tem QR chống giả cho mật ong Tủa Chùa",
                content="Tem QR dùng một lần, cào lớp phủ để kích hoạt, kèm nhật ký đàn ong của từng hộ.",
                sender="Sùng A Páo", email="pao.sa@example.vn", organisation="HTX Ong mật Tủa Chùa",
                maturity="prototype", cost=60_000_000, needs="Hỗ trợ in tem đợt đầu.", scores=(4, 4, 3, 3, 4)),
            DemoSolution(
                title="Chuỗi khối cho truy xuất gạo Điện Biên",
                content="Ghi toàn bộ chuỗi cung ứng gạo lên chuỗi khối riêng của tỉnh.",
                sender="Trần Minh Đức", email="duc.tm@example.vn", organisation="Nhóm nghiên cứu Đại học Tây Bắc",
                maturity="idea", cost=1_200_000_000, needs="Kinh phí đề tài cấp tỉnh.", scores=(5, 2, 3, 2, 1)),
        ),
    ),
)

INITIATIVE = SubmissionCreate(
    kind="initiative", field_code="y-te-so", commune_code="xa-muong-nhe",
    title="Đặt lịch khám qua Zalo cho trạm y tế xã",
    content="Trạm y tế xã nhận đặt lịch khám qua Zalo OA; người ở bản xa biết trước giờ khám, đỡ đi lại và chờ.",
    sender_name="Vàng Thị Dung", sender_email="dung.vt@example.vn", consent=True)


def _account(session: Session, username: str) -> Account | None:
    return session.exec(select(Account).where(Account.username == username)).first()


def _agency(session: Session, code: str) -> Agency:
    return session.exec(select(Agency).where(Agency.code == code)).one()


def _scores(session: Session, assessment, values: tuple[int, ...]) -> dict:
    criteria = service.criteria_of(session=session, set_id=assessment.criteria_set_id)
    return {f"score_{c.id}": str(v) for c, v in zip(criteria, values, strict=False)}


def seed_initiatives_demo(*, session: Session, now: datetime | None = None) -> int:
    """Adds the demo challenges (with their solutions) and one adopted initiative; returns the challenges added."""
    now = now or utcnow()
    coordinator = _account(session, COORDINATOR_USERNAME) or session.exec(
        select(Account).where(Account.role == Role.COORDINATOR)).first()
    if coordinator is None:
        return 0
    today = service.local_today(now)
    added = 0
    for demo in CHALLENGES:
        if session.exec(select(Challenge.id).where(Challenge.title == demo.title)).first():
            continue
        opened = now - timedelta(days=demo.opened_days_ago)
        form = service.parse_challenge(session, {
            "title": demo.title, "problem": demo.problem, "expected_outcome": demo.outcome, "field_code": demo.field,
            "owner_agency_code": demo.owner, "criteria_set_id": str(service.default_set(session=session).id),
            "opens_on": (today - timedelta(days=demo.opened_days_ago)).isoformat(),
            "closes_on": (today - timedelta(days=demo.opened_days_ago) + timedelta(days=demo.open_days)).isoformat(),
            "support_threshold": str(demo.threshold or "")})
        challenge = service.publish_challenge(session=session, actor=coordinator, form=form, now=opened)
        session.commit()
        owner_admin = _account(session, demo.owner)  # the agency admin account is named after the agency
        for number, solution in enumerate(demo.solutions, start=1):
            sent = opened + timedelta(days=number * 3)
            data = SubmissionCreate(kind="solution", field_code=demo.field, commune_code="xa-muong-nhe",
                                    title=solution.title, content=solution.content, sender_type="organisation",
                                    sender_name=solution.sender, sender_email=solution.email, consent=True)
            details = service.SolutionDetails(organisation=solution.organisation, team=None,
                                              maturity=service.Maturity(solution.maturity),
                                              estimated_cost=solution.cost, needs=solution.needs,
                                              consent_to_publish=solution.public)
            item = service.submit_solution(session=session, challenge_id=challenge.id, data=data, details=details,
                                           now=sent)
            session.commit()
            if owner_admin is None:
                continue
            submissions_service.accept(session=session, submission=item, actor=owner_admin,
                                       now=sent + timedelta(hours=20))
            if solution.public:  # the agency reviews the copy app/publication proposes, and publishes it
                draft = publication_service.draft(session=session, submission=item, row=None)
                publication_service.publish(session=session, submission=item, actor=owner_admin, title=draft.title,
                                            question=draft.question, answer=draft.answer,
                                            now=sent + timedelta(days=1))
            if solution.scores:
                service.assign_assessor(session=session, actor=owner_admin, submission=item, account=owner_admin,
                                        now=sent + timedelta(days=1))
                assessment = service.get_assessment(session=session, submission_id=item.id)
                service.submit_scores(session=session, actor=owner_admin, submission=item,
                                      values=_scores(session, assessment, solution.scores),
                                      now=sent + timedelta(days=2))
            session.commit()
        added += 1
    _adopted_initiative(session, now)
    return added


def _adopted_initiative(session: Session, now: datetime) -> None:
    """One initiative of Sở Y tế, adopted and put into practice this year (the register's indicator moves)."""
    if session.exec(select(Submission.id).where(Submission.title == INITIATIVE.title)).first():
        return
    admin = _account(session, "so-y-te")
    if admin is None:
        return
    start = now - timedelta(days=30)
    if start.year != now.year:  # early January: the whole story in the last hours, inside this year
        start = now - timedelta(hours=2)
    step = (now - start) / 25
    item = submissions_service.submit(session=session, data=INITIATIVE, now=start)
    session.commit()
    if item.agency_id != admin.agency_id:
        return
    submissions_service.accept(session=session, submission=item, actor=admin, now=start + step)
    service.assign_assessor(session=session, actor=admin, submission=item, account=admin,
                            now=start + 2 * step)
    assessment = service.get_assessment(session=session, submission_id=item.id)
    service.submit_scores(session=session, actor=admin, submission=item,
                          values=_scores(session, assessment, (4, 5, 5, 4, 5)), now=start + 5 * step)
    service.decide(session=session, actor=admin, submission=item, now=start + 8 * step,
                   form=service.parse_decision({"decision": "adopted", "publish_scores": "on",
                                                "reason": "Giảm thời gian chờ khám; trạm y tế tự vận hành được."}))
    service.record_implementation(session=session, actor=admin, submission=item, now=start + 20 * step,
                                  values={"unit": "Trạm y tế xã Mường Nhé",
                                          "started_on": service.local_today(start + 15 * step).isoformat(),
                                          "what_changed": "Người dân đặt lịch qua Zalo OA; trạm gọi lại xác nhận.",
                                          "result": "Thời gian chờ khám trung bình giảm từ 2 giờ xuống 30 phút."})
    session.commit()
