"""“Quên mã tra cứu?” on /track: the codes go to the phone or e-mail, the page says the same in every case."""

from fastapi import APIRouter, Depends, Form, Request
from sqlmodel import Session

from app.clientaddr import client_address
from app.db import get_session, unit_of_work
from app.errors import Invalid
from app.i18n import N_
from app.notifications import lost_codes
from app.web.common import render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])

DONE = N_("Nếu có hồ sơ được gửi kèm số điện thoại hoặc thư điện tử này, mã tra cứu của các hồ sơ đó vừa được gửi "
          "đến chính số điện thoại hoặc thư điện tử ấy. Vui lòng kiểm tra tin nhắn hoặc hộp thư.")
TOO_MANY = N_("Bạn đã yêu cầu quá nhiều lần. Vui lòng thử lại sau.")


@router.get("/track/quen-ma")
def lost_code_form(request: Request):
    return render(request, "citizen/lost_code.html", {"values": {}, "errors": {}, "done": None})


@router.post("/track/quen-ma")
def lost_code(request: Request, contact: str = Form("", max_length=254), session: Session = Depends(get_session)):
    try:
        parsed = lost_codes.parse_contact(contact)
    except Invalid as exc:
        return render(request, "citizen/lost_code.html", {"values": {"contact": contact}, "errors": exc.errors,
                                                           "done": None}, status_code=422)
    ip = client_address(request)
    with unit_of_work(session):  # the count stands even if sending fails
        by_address, by_contact = lost_codes.allowed(session, parsed, ip)
    if not by_address:
        return render(request, "citizen/lost_code.html", {"values": {}, "errors": {"contact": TOO_MANY},
                                                           "done": None}, status_code=429)
    if by_contact:  # over the per-contact limit: nothing more is sent, and the page says what it always says
        with unit_of_work(session):
            lost_codes.send_codes(session, parsed)
    return render(request, "citizen/lost_code.html", {"values": {}, "errors": {}, "done": DONE})
