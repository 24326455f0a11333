"""System admin's landing page: accounts and API clients, never item contents."""

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, func, select

from app.accounts.models import Account, ApiClient, Role
from app.db import get_session
from app.web.common import PageError, current_account, render

router = APIRouter()


@router.get("/admin")
def admin_home(request: Request, actor: Account = Depends(current_account), session: Session = Depends(get_session)):
    if actor.role != Role.SYSTEM_ADMIN:
        raise PageError(403, "Không có quyền truy cập", "Trang này dành cho quản trị hệ thống.")
    counts = dict(session.exec(select(Account.role, func.count()).group_by(Account.role)).all())
    clients = session.exec(select(ApiClient).order_by(ApiClient.id)).all()
    return render(request, "admin/home.html", {"account": actor, "counts": counts, "clients": clients})
