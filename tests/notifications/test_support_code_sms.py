"""A public support's one-time code by SMS through a real Kannel (issue 12 on issue 9's outbox): the phone receives
the code, typing it confirms the support."""

import re

from sqlmodel import select

from app.accounts.models import Role
from app.initiatives.models import Assessment
from app.notifications import sms, worker
from tests.conftest import csrf_from
from tests.initiatives.conftest import publish, staff


def test_the_support_code_reaches_the_phone_through_kannel(db, client, kannel, submit, make_account):
    item = submit(kind="initiative", field_code="giao-duc-so", title="Tủ sách số cho điểm trường bản",
                  content="Mỗi điểm trường bản có một máy đọc sách điện tử nạp sẵn sách.", publish_consent=True)
    publish(db, staff(make_account, "so-gddt", "admin-gd-sms", Role.AGENCY_ADMIN), item)
    db.commit()

    page = client.get(f"/sang-kien/{item.id}")
    r = client.post(f"/sang-kien/{item.id}/ung-ho", data={"csrf_token": csrf_from(page.text),
                                                          "contact": "0987 654 321"})
    assert r.status_code == 303
    worker.run_once(db, jobs=False)
    got = kannel.wait_messages(2, since=kannel.seen)  # the author's receipt, and the code
    [got] = [m for m in got if m.to == "84987654321"]
    assert sms.is_gsm7(got.text)
    assert got.text.startswith("PAKN: Ma xac nhan ung ho: ") and f"/sang-kien/{item.id}" in got.text
    code = re.search(r"(\d{6})", got.text).group(1)

    page = client.get(f"/sang-kien/{item.id}")
    r = client.post(f"/sang-kien/{item.id}/xac-nhan", data={"csrf_token": csrf_from(page.text), "code": code})
    assert r.status_code == 303
    db.expire_all()
    assert db.exec(select(Assessment.support_count).where(Assessment.submission_id == item.id)).one() == 1
