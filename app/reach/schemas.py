"""What reaching villages adds to a submission, read from a form or an API body and checked once."""

import re
from dataclasses import dataclass

from app.errors import Invalid
from app.i18n import N_
from app.reach.models import Language, Relay
from app.submissions.contact import normalize_phone
from app.text import normalize_input

SOURCE_TAG = re.compile(r"^[a-z0-9][a-z0-9:._-]{0,79}$")
REASON_MAX = 1_000
VILLAGE_MAX = 120
VOICE_CONTENT = N_("(Tin nhắn thoại: nội dung trong tệp ghi âm đính kèm.)")


@dataclass
class ReachDetails:
    """Urgency, place and source: any door may carry them (the web form, the API, Open311)."""

    urgent: bool = False
    urgent_reason: str | None = None
    village: str | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    source_tag: str | None = None

    def any(self) -> bool:
        return bool(self.urgent_reason or self.village or self.lat is not None or self.source_tag)


@dataclass
class AssistedDetails:
    """What the assistant records about the villager they help."""

    village: str
    relay: Relay
    relay_phone: str | None
    language: Language
    interpreter_helped: bool
    consent_witness: str


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    return " ".join(normalize_input(str(value)).split()) if value not in (None, "") else ""


def _float(raw: dict, name: str, low: float, high: float, errors: dict, message) -> float | None:
    value = raw.get(name)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors[name] = message
        return None
    if not low <= number <= high or number != number:
        errors[name] = message
        return None
    return number


def parse_details(raw: dict) -> ReachDetails:
    """Urgency (a reason is needed), the village, the point (both coordinates or none) and the source tag."""
    errors: dict = {}
    urgent = str(raw.get("urgent", "")).lower() in ("on", "true", "1", "yes")
    reason = _text(raw, "urgent_reason")[:REASON_MAX + 1] or None
    if urgent and (reason is None or len(reason) < 5):
        errors["urgent_reason"] = N_("Vui lòng cho biết vì sao việc này khẩn cấp (ít nhất 5 ký tự).")
    if reason and len(reason) > REASON_MAX:
        errors["urgent_reason"] = N_("Lý do khẩn cấp quá dài (tối đa %(max_length)s ký tự).", max_length=REASON_MAX)
    village = _text(raw, "village") or None
    if village and len(village) > VILLAGE_MAX:
        errors["village"] = N_("Tên bản, thôn quá dài (tối đa %(max_length)s ký tự).", max_length=VILLAGE_MAX)
    bad_point = N_("Vị trí không hợp lệ. Vui lòng lấy lại vị trí hoặc bỏ trống.")
    lat = _float(raw, "lat", -90, 90, errors, bad_point)
    lon = _float(raw, "lon", -180, 180, errors, bad_point)
    accuracy = _float(raw, "accuracy", 0, 1_000_000, errors, bad_point)
    if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
        errors["lat"] = bad_point
    tag = str(raw.get("source_tag") or "").strip().lower() or None
    if tag and not SOURCE_TAG.match(tag):
        tag = None  # a mangled link still submits; only the tag is lost
    if errors:
        raise Invalid(errors)
    return ReachDetails(urgent=urgent, urgent_reason=reason if urgent else None, village=village, lat=lat, lon=lon,
                        accuracy_m=accuracy if lat is not None else None, source_tag=tag)


def parse_assisted(raw: dict) -> AssistedDetails:
    errors: dict = {}
    village = _text(raw, "village")
    if len(village) < 2:
        errors["village"] = "Vui lòng nhập tên bản, thôn của người dân."
    elif len(village) > VILLAGE_MAX:
        errors["village"] = f"Tên bản, thôn quá dài (tối đa {VILLAGE_MAX} ký tự)."
    relay = Relay._value2member_map_.get(str(raw.get("relay", "")))
    if relay is None:
        errors["relay"] = "Vui lòng chọn số điện thoại nhận trả lời."
    phone = None
    if relay in (Relay.OWN, Relay.RELATIVE):
        phone = normalize_phone(str(raw.get("relay_phone") or ""))
        if phone is None:
            errors["relay_phone"] = "Số điện thoại không đúng dạng số Việt Nam (ví dụ 0912 345 678)."
    language = Language._value2member_map_.get(str(raw.get("language", "")))
    if language is None:
        errors["language"] = "Vui lòng chọn ngôn ngữ người dân đã nói."
    if str(raw.get("spoken_consent", "")) != "on":
        errors["spoken_consent"] = ("Vui lòng đọc to lời đồng ý cho người dân nghe và đánh dấu khi người dân "
                                    "đồng ý.")
    witness = _text(raw, "consent_witness")
    if not 2 <= len(witness) <= 120:
        errors["consent_witness"] = "Vui lòng ghi họ tên người làm chứng khi người dân đồng ý."
    if errors:
        raise Invalid(errors)
    return AssistedDetails(village=village, relay=relay, relay_phone=phone, language=language,  # type: ignore[arg-type]
                           interpreter_helped=str(raw.get("interpreter_helped", "")) == "on",
                           consent_witness=witness)


def fill_voice_only(raw: dict, *, has_voice: bool, field_name: str | None) -> dict:
    """A voice message may stand for the typed content: then the content says so and the title, if left empty,
    comes from the field."""
    if not has_voice:
        return raw
    filled = dict(raw)
    if not str(filled.get("content") or "").strip():
        filled["content"] = str(VOICE_CONTENT)
    if not str(filled.get("title") or "").strip() and field_name:
        filled["title"] = str(N_("Tin nhắn thoại về %(field)s", field=field_name))
    return filled
