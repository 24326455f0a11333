"""Display formats: Asia/Ho_Chi_Minh on screen, Vietnamese number and date conventions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TZ)


def format_datetime(value: datetime | None) -> str:
    """22/11/2026 14:05, in Vietnam time."""
    return to_local(value).strftime("%d/%m/%Y %H:%M") if value else ""


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime("%d/%m/%Y")


def format_number(value: int | float | None, decimals: int = 0) -> str:
    """1.234.567,5: dot groups thousands, comma marks decimals."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
