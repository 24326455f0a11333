"""Every step a sender hears about, walked once for the e-mail and the SMS tests: one item through accept,
information requested and given, an extension, the answer and closing; a second transferred; a third rejected."""

from dataclasses import dataclass

from app.accounts.models import Role
from app.sla import service as sla_service
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from tests.conftest import agency

QUESTION = "Vui lòng cho biết tên bản và số nhà gần nhất."
ANSWER = "Nhà mạng lắp trạm trong tháng 12."


@dataclass
class Walked:
    item: Submission  # accepted, info requested and given, extended, answered, closed
    moved: Submission  # transferred to Sở Y tế
    refused: Submission  # rejected: out of scope


def walk_every_step(db, submit, make_account, **sender) -> Walked:
    officer = make_account("so-khcn", username="cb-steps")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-steps")
    item = submit(title="Sóng 4G yếu tại bản Huổi Lếch", **sender)
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.request_info(session=db, submission=item, actor=officer, question=QUESTION)
    submissions_service.provide_info(session=db, submission=item, reply="Bản Huổi Lếch, gần nhà văn hoá.")
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=3,
                                        reason="Cần khảo sát trạm.")
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext, working_days=3, note="Đồng ý.")
    submissions_service.answer(session=db, submission=item, actor=officer, text=ANSWER)
    submissions_service.close(session=db, submission=item, actor=coordinator)
    moved = submit(title="Đường vào bản bị sạt lở", **{**sender, **({"notify_by": "both"} if sender else {})})
    submissions_service.transfer(session=db, submission=moved, actor=officer, to_agency=agency(db, "so-y-te"),
                                 reason="Thuộc lĩnh vực y tế.")
    refused = submit(title="Đề nghị hỗ trợ kinh phí cá nhân", **sender)
    submissions_service.reject(session=db, submission=refused, actor=officer, reason_code="out_of_scope",
                               detail="Việc này thuộc Sở Xây dựng.")
    db.commit()
    return Walked(item, moved, refused)
