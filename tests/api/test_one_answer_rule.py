"""What the sender sees after a reopen is decided once (issue 8, item 7): no door shows the old answer."""

from app.accounts.models import Role
from app.db import unit_of_work
from app.submissions import service
from tests.api.conftest import VALID, bearer
from tests.conftest import agency
from tests.web.test_workflow_pages import track

ANSWER = "Nhà mạng đã lắp thêm trạm phát sóng tại bản."


def test_after_a_reopen_no_door_shows_the_old_answer(client, db, make_account, make_client):
    """The citizen page used to show the old answer after a reopen while the API and Open311 hid it."""
    key = make_client(name="Ứng dụng kiểm tra").key
    code = client.post("/api/v1/submissions", json=VALID, headers=bearer(key)).json()["tracking_code"]
    item = service.get_by_code(session=db, code=code)
    officer = make_account("so-khcn")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dieu-phoi-thu")
    with unit_of_work(db):
        service.accept(session=db, submission=item, actor=officer)
        service.answer(session=db, submission=item, actor=officer, text=ANSWER)
        service.rate(session=db, submission=item, satisfied=False, comment="Vẫn mất sóng")
    assert ANSWER in track(client, code, contact="0912 345 678").text  # answered: shown
    with unit_of_work(db):
        service.reopen(session=db, submission=item, actor=coordinator, agency=agency(db, "vnpt"),
                       note="Giao VNPT xử lý lại")
    assert ANSWER not in client.get(f"/track/{code}").text
    assert client.get(f"/api/v1/submissions/{code}", headers=bearer(key)).json()["answer"] is None
