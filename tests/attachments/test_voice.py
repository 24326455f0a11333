"""Voice messages are checked like every other file: by their content (the audio must read as what it claims to be)
and by their duration (at most 5 minutes), never by their name."""

import io

import pytest

from app.attachments.service import AttachmentRefused, IncomingFile, stage
from tests.attachments import files


def one(name, data):
    return IncomingFile(name, io.BytesIO(data))


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("ghi-am.wav", files.wav(3), "audio/wav"),
    ("ghi-am.mp3", files.mp3(3), "audio/mpeg"),
    ("tin-nhan-thoai.webm", files.webm(4), "audio/webm"),
    ("khong-duoi", files.webm(2), "audio/webm"),  # the content decides, and the name gets the extension
])
def test_recordings_are_recognised_by_their_content(upload_root, name, data, expected):
    batch = stage([one(name, data)])
    try:
        assert batch.files[0].content_type == expected
        assert batch.files[0].name.endswith((".wav", ".mp3", ".webm"))
    finally:
        batch.discard()


@pytest.mark.parametrize(("name", "data"), [
    ("gia.mp3", b"ID3" + bytes(600)),  # an MP3 tag and no audio
    ("gia.webm", files.webm(3, video=True)),  # a video is not a voice message
    ("gia.wav", b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(40)),
])
def test_fake_or_video_recordings_are_refused(upload_root, name, data):
    with pytest.raises(AttachmentRefused) as exc:
        stage([one(name, data)])
    assert "không phải âm thanh" in exc.value.message


@pytest.mark.parametrize("data", [files.wav(302), files.webm(303)])
def test_recordings_longer_than_five_minutes_are_refused(upload_root, data):
    with pytest.raises(AttachmentRefused) as exc:
        stage([one("dai.wav", data)])
    assert "tối đa 5 phút" in exc.value.message


def test_a_voice_message_stands_for_the_content_on_the_citizen_form(client, db):
    from app.submissions import service as submissions_service

    page = client.get("/")
    assert 'accept="audio/*' in page.text and "data-recorder" in page.text
    response = client.post("/", data={
        "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe", "title": "", "content": "",
        "sender_name": "Giàng A Páo", "sender_phone": "0988123456", "consent": "on",
        "csrf_token": page.text.split('name="csrf_token" value="')[1].split('"')[0]},
        files={"attachments": ("tin-nhan-thoai.webm", files.webm(5), "audio/webm")})
    assert response.status_code == 303, response.text
    item = submissions_service.get_by_code(session=db, code=response.headers["location"].split("/")[2].split("?")[0])
    assert item.title.startswith("Tin nhắn thoại về") and "tệp ghi âm" in item.content
