"""Officers play a voice message on the item page, mark it as needing an interpreter and keep a Vietnamese
transcript beside the original (both audited)."""

from sqlmodel import col, select

from app.events.models import Event
from app.kinds import EventType
from app.reach.models import ItemReach
from app.submissions import service as submissions_service
from tests.attachments import files
from tests.attachments.conftest import upload_root  # noqa: F401 (fixture)
from tests.conftest import csrf_from, login
from tests.reach.conftest import staff


def _voice_item(client, db):
    page = client.get("/")
    response = client.post("/", data={
        "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe", "title": "", "content": "",
        "sender_name": "Giàng A Páo", "sender_phone": "0988123456", "consent": "on",
        "csrf_token": csrf_from(page.text)},
        files={"attachments": ("tin-nhan-thoai.webm", files.webm(5), "audio/webm")})
    return submissions_service.get_by_code(session=db, code=response.headers["location"].split("/")[2].split("?")[0])


def test_officer_plays_marks_and_transcribes(upload_root, client, db):  # noqa: F811
    item = _voice_item(client, db)
    officer = staff(db, item.agency_id)
    login(client, officer.username)
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert '<audio controls preload="none"' in page.text and 'type="audio/webm"' in page.text
    src = page.text.split('<audio controls preload="none" src="')[1].split('"')[0]
    played = client.get(src)
    assert played.status_code == 200 and played.headers["content-type"] == "audio/webm"
    assert played.headers["content-disposition"].startswith("inline")
    token = csrf_from(page.text)
    assert client.post(f"/officer/items/{item.tracking_code}/interpreter",
                       data={"csrf_token": token}).status_code == 303
    assert 'id="needs-interpreter"' in client.get(f"/officer/items/{item.tracking_code}").text
    short = client.post(f"/officer/items/{item.tracking_code}/transcript", data={"csrf_token": token,
                                                                              "transcript": "ab"})
    assert short.status_code == 422
    text = "Bản tôi chưa có sóng điện thoại, muốn gọi cấp cứu phải đi bộ lên đồi."
    assert client.post(f"/officer/items/{item.tracking_code}/transcript",
                       data={"csrf_token": token, "transcript": text}).status_code == 303
    assert text in client.get(f"/officer/items/{item.tracking_code}").text
    row = db.get(ItemReach, item.id)
    assert row.needs_interpreter and row.transcript == text
    types = db.exec(select(Event.type).where(Event.submission_id == item.id).order_by(col(Event.id))).all()
    assert EventType.INTERPRETER_NEEDED in types and EventType.TRANSCRIPT_SAVED in types
    # The original recording is still there, unchanged.
    assert client.get(src).content == files.webm(5)
