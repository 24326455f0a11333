"""Sends an outbox e-mail over SMTP (plain, STARTTLS or SSL, optional login) with the stdlib client."""

import smtplib
import ssl
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from app.config import get_settings
from app.notifications import contacts
from app.notifications.models import OutboxMessage
from app.notifications.worker import DeliveryResult


def build_message(message: OutboxMessage) -> MIMEText:
    """Built with email.header.Header: the newer EmailMessage folding drops the space between two
    encoded words on Python 3.11, which turns 'yếu tại' into 'yếutại' in Vietnamese subjects."""
    s = get_settings()
    email = MIMEText(message.body, "plain", "utf-8")
    email["From"] = formataddr(parseaddr(s.smtp_from), charset="utf-8")
    email["To"] = message.recipient
    email["Subject"] = Header(" ".join(message.subject.split()), "utf-8")  # one line: no header injection
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="pakn.dienbien.gov.vn")
    return email


def send_email(message: OutboxMessage) -> DeliveryResult:
    s = get_settings()
    if contacts.is_reserved_email(message.recipient):
        return DeliveryResult(ok=False, permanent=True, error="địa chỉ dành riêng cho dữ liệu mẫu: không gửi")
    if not s.smtp_host:
        return DeliveryResult(ok=False, error="SMTP_HOST is not set")
    try:
        if s.smtp_security == "ssl":
            client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        with client:
            if s.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                client.login(s.smtp_user, s.smtp_password)
            client.send_message(build_message(message))
    except smtplib.SMTPResponseException as exc:
        return DeliveryResult(ok=False, status_code=exc.smtp_code, error=str(exc.smtp_error)[:500])
    except (OSError, smtplib.SMTPException) as exc:
        return DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
    return DeliveryResult(ok=True, status_code=250)
