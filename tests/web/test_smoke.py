from tests.conftest import csrf_from


def test_home_page_shows_the_form(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Gửi ý kiến" in r.text
    assert "Xã Mường Nhé" in r.text
    csrf_from(r.text)
