"""Issue 10.7: an agency that transferred an item away keeps a read-only view of it up to the transfer, nothing after:
not the new agency's events, answer or files, nor the item's current state, deadlines or rating."""

import io
import re

from sqlmodel import select

from app.attachments.models import Attachment
from app.attachments.service import IncomingFile, stage
from app.submissions import service
from tests.conftest import agency
from tests.security.test_image_memory import png


def test_former_holder_sees_up_to_its_transfer_and_nothing_after(client, login_as, submit, db, make_account):
    item = submit()
    old = login_as("so-khcn")
    service.add_note(session=db, submission=item, actor=old, text="Ghi chú của Sở KHCN trước khi chuyển")
    service.transfer(session=db, submission=item, actor=old, to_agency=agency(db, "vnpt"),
                     reason="Trạm BTS thuộc VNPT quản lý")
    new = make_account("vnpt")
    service.accept(session=db, submission=item, actor=new)
    service.add_note(session=db, submission=item, actor=new, text="Ghi chú nội bộ của VNPT sau khi nhận")
    batch = stage([IncomingFile("bien-ban-vnpt.png", io.BytesIO(png(40, "RGB")))])
    service.answer(session=db, submission=item, actor=new, text="VNPT đã lắp trạm phát sóng mới tại bản.",
                   batch=batch)
    db.commit()
    vnpt_file = db.exec(select(Attachment).where(Attachment.submission_id == item.id)).one()

    page = client.get(f"/officer/items/{item.tracking_code}")
    assert page.status_code == 200 and "chỉ xem phần đơn vị đã xử lý" in page.text
    assert "Ghi chú của Sở KHCN trước khi chuyển" in page.text and "Trạm BTS thuộc VNPT quản lý" in page.text
    for later in ("VNPT đã lắp trạm phát sóng mới", "Ghi chú nội bộ của VNPT", "bien-ban-vnpt", "Đã trả lời",
                  "Đơn vị xử lý: Viễn thông"):
        assert later not in page.text, later
    assert not re.search(r'id="item-state"', page.text)
    files = f"/officer/items/{item.tracking_code}/attachments/{vnpt_file.id}"
    assert client.get(files).status_code == 404
    assert client.get(files + "/thumbnail").status_code == 404


def test_the_new_holder_and_the_coordinator_see_everything(client, login_as, submit, db, make_account):
    from app.accounts.models import Role

    item = submit()
    old = make_account("so-khcn", username="old-khcn")
    service.transfer(session=db, submission=item, actor=old, to_agency=agency(db, "vnpt"), reason="Thuộc VNPT")
    new = make_account("vnpt", username="new-vnpt")
    service.accept(session=db, submission=item, actor=new)
    service.answer(session=db, submission=item, actor=new, text="VNPT đã lắp trạm phát sóng mới tại bản.")
    db.commit()
    login_as("so-khcn", Role.COORDINATOR)
    assert "VNPT đã lắp trạm phát sóng mới" in client.get(f"/officer/items/{item.tracking_code}").text
