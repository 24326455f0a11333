"""System admin's pages: accounts, API clients and undeliverable messages, never item contents."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, func, select

from app.accounts.models import Account, ApiClient, Role
from app.db import get_session
from app.notifications import service as notifications_service
from app.notifications.models import OutboxMessage
from app.web.common import PageError, current_account, render, require_csrf

router = APIRouter(prefix="/admin", dependencies=[Depends(require_csrf)])


def system_admin(actor: Account = Depends(current_account)) -> Account:
    if actor.role != Role.SYSTEM_ADMIN:
        raise PageError(403, "Không có quyền truy cập", "Trang này dành cho quản trị hệ thống.")
    return actor


@router.get("")
def admin_home(request: Request, actor: Account = Depends(system_admin), session: Session = Depends(get_session)):
    counts = dict(session.exec(select(Account.role, func.count()).group_by(Account.role)).all())
    clients = session.exec(select(ApiClient).order_by(ApiClient.id)).all()
    outbox = dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    context = {"account": actor, "counts": counts, "clients": clients, "outbox": outbox,
               "dead": notifications_service.failed_messages(session=session),
               "message": request.session.pop("flash", None)}
    return render(request, "admin/home.html", context)


@router.post("/outbox/{message_id}/retry")
def retry(request: Request, message_id: int, actor: Account = Depends(system_admin),
          session: Session = Depends(get_session)):
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != "dead":
        raise PageError(404, "Không tìm thấy thư", "Thư không tồn tại hoặc không ở trạng thái gửi lỗi.",
                        back_url="/admin")
    notifications_service.retry_message(session=session, message=message)
    request.session["flash"] = f"Đã đưa thư #{message_id} vào hàng đợi gửi lại."
    return RedirectResponse("/admin", status_code=303)
