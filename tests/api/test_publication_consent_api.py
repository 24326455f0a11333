"""The API and Open311 take the separate publication consent too (app/publication)."""

from app.publication import service as publication
from app.publication.models import PublicationStatus
from app.submissions import service
from tests.api.conftest import VALID
from tests.api.test_open311 import created


def consent_of(db, code):
    item = service.get_by_code(session=db, code=code)
    return publication.for_submission(session=db, submission_id=item.id)


def test_api_submission_with_and_without_publication_consent(client, db, auth):
    with_consent = client.post("/api/v1/submissions", json={**VALID, "publish_consent": True},
                               headers={**auth, "Idempotency-Key": "cong-khai-1"})
    assert with_consent.status_code == 201, with_consent.text
    assert consent_of(db, with_consent.json()["tracking_code"]).status == PublicationStatus.CONSENTED
    without = client.post("/api/v1/submissions", json=VALID, headers={**auth, "Idempotency-Key": "cong-khai-2"})
    assert consent_of(db, without.json()["tracking_code"]) is None


def test_open311_publication_consent_attribute(client, db, api_key):
    definition = client.get("/open311/v2/services/feedback-ha-tang-so.json").json()
    assert "publish_consent" in {a["code"] for a in definition["attributes"]}
    yes = created(client, api_key, **{"attribute[publish_consent]": "true"}).json()[0]["service_request_id"]
    no = created(client, api_key).json()[0]["service_request_id"]
    assert consent_of(db, yes).status == PublicationStatus.CONSENTED
    assert consent_of(db, no) is None
