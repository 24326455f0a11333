"""Issue 10.1: a tracking code is a secret the sender holds. It is never listed to the public, never confirmed to a
guesser, and guessing (codes for a phone number, or phone numbers for a code) is stopped after a few failures."""

import re

import pytest

from app.config import get_settings
from tests.api.conftest import VALID, bearer
from tests.conftest import csrf_from

BASE = "/open311/v2"
MISS = "Không tìm thấy hồ sơ khớp với mã tra cứu và thông tin liên hệ này"


def open311_form(key, **overrides):
    return {"api_key": key, "service_code": "feedback-ha-tang-so", "description": VALID["content"],
            "first_name": "Lò Văn", "last_name": "Minh", "phone": "0912345678", "lat": "22.2156", "long": "102.4312",
            "attribute[commune]": "xa-muong-nhe", "attribute[consent]": "true", **overrides}


def track(client, code, contact):
    token = csrf_from(client.get("/track").text)
    return client.post("/track", data={"code": code, "contact": contact, "csrf_token": token})


def test_anonymous_open311_lists_no_codes(client, submit, api_key):
    web = submit().tracking_code
    made = client.post(f"{BASE}/requests.json", data=open311_form(api_key)).json()[0]["service_request_id"]
    for params in ({}, {"start_date": "2000-01-01T00:00:00Z"}, {"service_request_id": f"{web},{made}"},
                   {"status": "open,closed"}):
        r = client.get(f"{BASE}/requests.json", params=params)
        assert r.status_code == 200 and r.json() == [], params
    # One item by id: not confirmed either, the same 404 as an unknown code.
    unknown = client.get(f"{BASE}/requests/DB-2026-ZZZZZZ.json")
    for code in (web, made):
        r = client.get(f"{BASE}/requests/{code}.json")
        assert r.status_code == unknown.status_code == 404
        assert r.json()[0]["description"].replace(code, "X") == unknown.json()[0]["description"].replace(
            "DB-2026-ZZZZZZ", "X")


def test_a_key_lists_only_the_clients_own_items(client, submit, make_client, api_key):
    web = submit().tracking_code
    mine = client.post(f"{BASE}/requests.json", data=open311_form(api_key)).json()[0]["service_request_id"]
    theirs = client.post(f"{BASE}/requests.json", data=open311_form(make_client().key)).json()[0][
        "service_request_id"]
    listed = {x["service_request_id"] for x in client.get(f"{BASE}/requests.json",
                                                           params={"api_key": api_key}).json()}
    assert mine in listed and web not in listed and theirs not in listed


def test_status_page_answers_unknown_and_someone_elses_code_alike(client, submit):
    existing = submit().tracking_code
    unknown = "DB-2026-ZZZZZZ"
    answers = [client.get(f"/track/{code}", follow_redirects=False) for code in (existing, unknown)]
    assert [a.status_code for a in answers] == [303, 303]
    locations = [a.headers["location"] for a in answers]
    assert locations == [f"/track?code={existing}", f"/track?code={unknown}"]
    # and the page behind the redirect is the empty look-up form in both cases
    pages = [client.get(loc).text.replace(code, "X") for loc, code in zip(locations, (existing, unknown),
                                                                           strict=True)]
    assert pages[0] == pages[1]


def test_track_form_answers_unknown_code_and_wrong_contact_alike(client, submit):
    existing = submit(sender_phone="0912345678").tracking_code
    wrong_contact = track(client, existing, "0987654321")
    unknown = track(client, "DB-2026-ZZZZZZ", "0987654321")
    assert wrong_contact.status_code == unknown.status_code == 422
    strip = [re.sub(r'value="[^"]*"', "", r.text) for r in (wrong_contact, unknown)]
    assert MISS in strip[0] and strip[0] == strip[1]


def test_guessing_contacts_for_one_code_stops_after_ten_failures(client, submit):
    victim = submit(sender_phone="0912345678").tracking_code
    for i in range(10):
        assert track(client, victim, f"09870000{i:02d}").status_code == 422
    r = track(client, victim, "0912345678")  # even the right contact waits: the code is under attack
    assert r.status_code == 429 and "tra cứu sai quá nhiều lần" in r.text and int(r.headers["Retry-After"]) > 0
    assert "/track/" not in r.headers.get("location", "")


def test_guessing_codes_for_one_phone_number_stops_after_ten_failures(client, submit):
    victim = submit(sender_phone="0912345678").tracking_code
    for i in range(10):
        assert track(client, f"DB-2026-ZZZZ{'23456789AB'[i]}Z", "0912 345 678").status_code == 422
    r = track(client, victim, "0912345678")  # the right code now: refused, the contact is being guessed
    assert r.status_code == 429 and "thử lại sau" in r.text


def test_one_address_trying_many_codes_and_contacts_is_stopped(client, submit, monkeypatch):
    monkeypatch.setattr(get_settings(), "track_failures_per_address", 5)
    victim = submit(sender_phone="0912345678").tracking_code
    for i in range(5):
        assert track(client, f"DB-2026-ZZZZ{'23456'[i]}Z", f"09870000{i:02d}").status_code == 422
    assert track(client, victim, "0912345678").status_code == 429


def test_the_api_contact_header_is_limited_the_same_way(client, submit, make_client):
    victim = submit(sender_phone="0912345678").tracking_code
    other = bearer(make_client().key)
    for i in range(10):
        r = client.get(f"/api/v1/submissions/{victim}", headers={**other, "X-Sender-Contact": f"09870000{i:02d}"})
        assert r.status_code == 404
    r = client.get(f"/api/v1/submissions/{victim}", headers={**other, "X-Sender-Contact": "0912345678"})
    assert r.status_code == 429 and r.headers["content-type"].startswith("application/problem+json")
    assert "thử lại sau" in r.json()["detail"] and int(r.headers["Retry-After"]) > 0


@pytest.mark.parametrize("door", ["track", "api"])
def test_right_contact_still_opens_the_item_below_the_limit(client, submit, make_client, door):
    item = submit(sender_phone="0912345678").tracking_code
    if door == "track":
        for i in range(3):
            track(client, item, f"09870000{i:02d}")
        r = track(client, item, "0912345678")
        assert r.status_code == 303 and r.headers["location"] == f"/track/{item}"
    else:
        r = client.get(f"/api/v1/submissions/{item}",
                       headers={**bearer(make_client().key), "X-Sender-Contact": "0912345678"})
        assert r.status_code == 200
