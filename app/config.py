"""One place for every setting; values come from the environment (or a `.env` file)."""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Where the SQLite file, the initial credentials and uploads live.
    data_dir: Path = Field(default=PROJECT_ROOT / "var", alias="PAKN_DATA_DIR")
    # Empty means the embedded SQLite file `<data_dir>/pakn.db`.
    database_url: str = Field(default="", alias="DATABASE_URL")
    # Signs session cookies. Empty means: generate once and keep it in `<data_dir>/secret_key`.
    secret_key: str = Field(default="", alias="SECRET_KEY")
    # Seals secrets stored in the database (TOTP). Empty means: generate once and keep it in `<data_dir>/field_key`.
    field_key: str = Field(default="", alias="PAKN_FIELD_KEY")

    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8000, alias="PORT")
    workers: int = Field(default=2, alias="WORKERS")
    # uvicorn: idle keep-alive connections close after this; connections per worker beyond `max_connections`
    # are answered 503 at once (0: no cap). docs/operations.md lists the reverse proxy's timeouts in front.
    keepalive_seconds: int = Field(default=5, alias="PAKN_KEEPALIVE_SECONDS")
    max_connections: int = Field(default=0, alias="PAKN_MAX_CONNECTIONS")
    # Set behind a TLS-terminating proxy so cookies get the Secure flag even when uvicorn sees http.
    force_secure_cookies: bool = Field(default=False, alias="PAKN_SECURE_COOKIES")

    # Used in e-mails so that links point at the public site.
    public_base_url: str = Field(default="http://127.0.0.1:8000", alias="PAKN_PUBLIC_URL")

    smtp_host: str = Field(default="", alias="SMTP_HOST")  # empty: e-mail is queued but not sent
    smtp_port: int = Field(default=25, alias="SMTP_PORT")
    smtp_security: str = Field(default="none", alias="SMTP_SECURITY")  # none | starttls | ssl
    smtp_user: str = Field(default="", alias="SMTP_USER")
    smtp_password: str = Field(default="", alias="SMTP_PASSWORD")
    smtp_from: str = Field(default="PAKN Điện Biên <no-reply@pakn.dienbien.gov.vn>", alias="SMTP_FROM")
    smtp_timeout_seconds: float = Field(default=15, alias="SMTP_TIMEOUT")

    # The outbox worker runs inside each app process by default; `pakn worker` runs it on its own.
    worker_in_app: bool = Field(default=True, alias="PAKN_WORKER_IN_APP")
    worker_poll_seconds: float = Field(default=5, alias="PAKN_WORKER_POLL_SECONDS")
    email_max_attempts: int = Field(default=8, alias="PAKN_EMAIL_MAX_ATTEMPTS")

    # SMS through Kannel's sendsms HTTP interface (docs/operations.md, "SMS through Kannel"). Empty gateway: SMS is
    # "chưa cấu hình" on /admin and waits. Incoming SMS and delivery reports come back to /sms/kannel/… with the token.
    sms_gateway: str = Field(default="", alias="PAKN_SMS_GATEWAY")  # "" | kannel
    kannel_sendsms_url: str = Field(default="", alias="PAKN_KANNEL_SENDSMS_URL")
    kannel_user: str = Field(default="", alias="PAKN_KANNEL_USER")
    kannel_password: str = Field(default="", alias="PAKN_KANNEL_PASSWORD")
    sms_sender: str = Field(default="", alias="PAKN_SMS_SENDER")  # the short code or brand name shown to citizens
    sms_callback_token: str = Field(default="", alias="PAKN_SMS_CALLBACK_TOKEN")
    sms_diacritics: bool = Field(default=False, alias="PAKN_SMS_DIACRITICS")  # True: UCS-2, 70 characters a part
    sms_max_segments: int = Field(default=2, alias="PAKN_SMS_MAX_SEGMENTS")
    sms_stop_keyword: str = Field(default="TC", alias="PAKN_SMS_STOP_KEYWORD")
    sms_timeout_seconds: float = Field(default=10, alias="PAKN_SMS_TIMEOUT")
    sms_max_attempts: int = Field(default=6, alias="PAKN_SMS_MAX_ATTEMPTS")
    # Per recipient and hour, per channel: more waits for the next hour (a loop or a flood never reaches a phone).
    sms_per_recipient_hour: int = Field(default=6, alias="PAKN_SMS_PER_RECIPIENT_HOUR")
    email_per_recipient_hour: int = Field(default=60, alias="PAKN_EMAIL_PER_RECIPIENT_HOUR")
    # Zalo Notification Service (ZNS): templates approved by Zalo, sent by phone number; a refusal falls back to SMS.
    zalo_app_id: str = Field(default="", alias="PAKN_ZALO_APP_ID")
    zalo_secret: str = Field(default="", alias="PAKN_ZALO_SECRET")
    zalo_access_token: str = Field(default="", alias="PAKN_ZALO_ACCESS_TOKEN")
    # Renewed by the job `zalo_token_refresh` (app/notifications/zalo_tokens.py); single use, rotated by Zalo.
    zalo_refresh_token: str = Field(default="", alias="PAKN_ZALO_REFRESH_TOKEN")
    zalo_oauth_url: str = Field(default="https://oauth.zaloapp.com/v4/oa/access_token", alias="PAKN_ZALO_OAUTH_URL")
    zalo_api_url: str = Field(default="https://business.openapi.zalo.me/message/template", alias="PAKN_ZALO_API_URL")
    zalo_templates: str = Field(default="", alias="PAKN_ZALO_TEMPLATES")  # "receipt=123456,answered=234567,…"
    zalo_timeout_seconds: float = Field(default=10, alias="PAKN_ZALO_TIMEOUT")

    # Attachments (ảnh, tài liệu) on submissions and answers; stored under `<data_dir>/uploads`.
    attachment_max_files: int = Field(default=5, alias="PAKN_ATTACHMENT_MAX_FILES")
    attachment_max_bytes: int = Field(default=10 * 1024 * 1024, alias="PAKN_ATTACHMENT_MAX_BYTES")
    # Decoding an image costs memory per pixel: refuse bigger pictures (50 MP covers phone cameras).
    # Whole request bodies; 0 means "room for the maximum attachments plus 1 MiB of form fields".
    max_request_bytes: int = Field(default=0, alias="PAKN_MAX_REQUEST_BYTES")
    attachment_max_image_pixels: int = Field(default=50_000_000, alias="PAKN_ATTACHMENT_MAX_PIXELS")
    # PNG and WebP cannot be decoded at reduced scale (JPEGs are, with `draft`): a smaller limit keeps one decode
    # under ~100 MB (RGBA: 4 bytes a pixel). Images decoded at once per worker process (docs/security.md).
    attachment_max_decoded_pixels: int = Field(default=25_000_000, alias="PAKN_ATTACHMENT_MAX_DECODED_PIXELS")
    image_decodes_per_worker: int = Field(default=1, alias="PAKN_IMAGE_DECODES")

    session_max_age_hours: int = Field(default=12, alias="PAKN_SESSION_HOURS")
    # Sign-in (docs/security.md): failures per (account, address) and per address in a window of
    # `login_lock_minutes` refuse that address only; per account, after `login_max_failures` failures every further
    # attempt waits a delay that doubles (1 s, 2 s, 4 s … capped at `login_max_delay_seconds`), so a guesser slows
    # down but cannot lock the holder out. The holder is e-mailed at the threshold.
    login_max_failures: int = Field(default=5, alias="PAKN_LOGIN_MAX_FAILURES")
    login_lock_minutes: int = Field(default=15, alias="PAKN_LOGIN_LOCK_MINUTES")
    login_max_failures_per_ip: int = Field(default=30, alias="PAKN_LOGIN_MAX_FAILURES_PER_IP")
    login_max_delay_seconds: int = Field(default=300, alias="PAKN_LOGIN_MAX_DELAY_SECONDS")
    # Roles that must use a second factor (TOTP); they enrol at their next sign-in. Space-separated role values.
    totp_required_roles: str = Field(default="coordinator system_admin", alias="PAKN_TOTP_REQUIRED_ROLES")

    # Addresses (or networks) of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (app/clientaddr.py). Empty: none, the TCP peer is the client.
    trusted_proxies: str = Field(default="", alias="PAKN_TRUSTED_PROXIES")
    # Tracking-code secrecy: failed look-ups (wrong code or contact, on /track and the API's X-Sender-Contact)
    # allowed per code and per contact per day, and per address per hour.
    track_failures_per_code: int = Field(default=10, alias="PAKN_TRACK_FAILURES_PER_CODE")
    track_failures_per_contact: int = Field(default=10, alias="PAKN_TRACK_FAILURES_PER_CONTACT")
    track_failures_per_address: int = Field(default=30, alias="PAKN_TRACK_FAILURES_PER_ADDRESS")
    # Anonymous doors, per address per hour: the submit form `/`, the /track form, Open311 POST requests.
    # A commune assistant (issue 13) submits for many villagers: `assisted_submits_per_hour` is their allowance
    # (see app/web/limits.py, `submit_limit_for`).
    form_submits_per_hour: int = Field(default=10, alias="PAKN_FORM_SUBMITS_PER_HOUR")
    track_posts_per_hour: int = Field(default=60, alias="PAKN_TRACK_POSTS_PER_HOUR")
    open311_posts_per_hour: int = Field(default=120, alias="PAKN_OPEN311_POSTS_PER_HOUR")
    assisted_submits_per_hour: int = Field(default=120, alias="PAKN_ASSISTED_SUBMITS_PER_HOUR")

    # argon2id cost; tests lower it, production keeps the library's recommended defaults.
    argon2_time_cost: int = Field(default=3, alias="PAKN_ARGON2_TIME_COST")
    argon2_memory_kib: int = Field(default=65536, alias="PAKN_ARGON2_MEMORY_KIB")

    # Deadlines (SLA): office hours used for deadlines counted in working hours, as "HH:MM-HH:MM,HH:MM-HH:MM";
    # how often the sweep looks for deadline crossings; how many extensions an item may get without the
    # coordinator allowing more.
    working_hours: str = Field(default="07:30-11:30,13:30-17:00", alias="PAKN_WORKING_HOURS")
    sla_sweep_seconds: int = Field(default=60, alias="PAKN_SLA_SWEEP_SECONDS")
    sla_extensions_per_item: int = Field(default=1, alias="PAKN_SLA_EXTENSIONS_PER_ITEM")

    # API: requests per client per minute (a client row may override), how long idempotency keys are kept.
    api_rate_limit_per_minute: int = Field(default=120, alias="PAKN_API_RATE_LIMIT")
    api_idempotency_hours: int = Field(default=24, alias="PAKN_API_IDEMPOTENCY_HOURS")
    # Webhooks go only to https URLs on public addresses unless this is set (local development, tests).
    webhook_allow_private: bool = Field(default=False, alias="PAKN_WEBHOOK_ALLOW_PRIVATE")
    webhook_timeout_seconds: float = Field(default=10.0, alias="PAKN_WEBHOOK_TIMEOUT")
    # With the outbox's backoff (30 s doubling, capped at 6 h, ±20 % jitter) 16 tries span ~38 h, at least 30 h.
    webhook_max_attempts: int = Field(default=16, alias="PAKN_WEBHOOK_MAX_ATTEMPTS")
    open311_jurisdiction_id: str = Field(default="dienbien.gov.vn", alias="PAKN_OPEN311_JURISDICTION")

    # Reaching villages (app/reach): the service's SMS number printed on the QR posters, the TrueType font with
    # Vietnamese letters used for the posters' PDF (Debian: fonts-dejavu-core), how long an offline submission's
    # Idempotency-Key is kept (a village without signal may send days later).
    sms_number: str = Field(default="", alias="PAKN_SMS_NUMBER")
    poster_font: str = Field(default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", alias="PAKN_POSTER_FONT")

    # Audit checkpoints: the chain head (seq, hash, time) signed with HMAC-SHA256 under a key that is not in the
    # database, appended to a file outside it (docs/operations.md, "Audit trail"). Empty key: generated once and
    # kept in `<data_dir>/audit_key` (0600); empty file: `<data_dir>/audit-checkpoints.jsonl`.
    audit_key: str = Field(default="", alias="PAKN_AUDIT_KEY")
    audit_checkpoint_file: Path | None = Field(default=None, alias="PAKN_AUDIT_CHECKPOINTS")
    audit_checkpoint_seconds: int = Field(default=600, alias="PAKN_AUDIT_CHECKPOINT_SECONDS")

    # Initiatives (docs/initiatives.md): confirmed supports that flag an item for the Steering Committee (a challenge
    # may set its own); how long a support confirmation code stays valid and how many wrong tries it allows.
    support_threshold: int = Field(default=100, alias="PAKN_SUPPORT_THRESHOLD")
    support_code_minutes: int = Field(default=15, alias="PAKN_SUPPORT_CODE_MINUTES")
    support_code_attempts: int = Field(default=5, alias="PAKN_SUPPORT_CODE_ATTEMPTS")

    @property
    def effective_max_request_bytes(self) -> int:
        return self.max_request_bytes or self.attachment_max_files * self.attachment_max_bytes + 1024 * 1024

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'pakn.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def effective_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        return _secret_file(self.data_dir / "secret_key", create=True) or ""

    def effective_field_key(self) -> str:
        """Seals secrets kept in the database (app/sealed.py). Separate from the cookie key, so that rotating that
        one does not lock anybody out of two-factor sign-in; backed up apart from the database (docs/operations.md)."""
        return self.field_key or _secret_file(self.data_dir / "field_key", create=True) or ""

    def effective_audit_key(self, *, create: bool = False) -> bytes | None:
        """The checkpoint signing key; None if there is none yet and `create` is False (verifying never makes
        a new key: that would only turn every existing checkpoint into a forgery)."""
        if self.audit_key:
            return self.audit_key.encode()
        value = _secret_file(self.audit_key_path, create=create)
        return value.encode() if value else None

    @property
    def audit_key_path(self) -> Path:
        return self.data_dir / "audit_key"

    @property
    def effective_audit_checkpoint_file(self) -> Path:
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.jsonl"


def _secret_file(path: Path, *, create: bool) -> str | None:
    """A random secret kept in a 0600 file, generated on first use when `create`."""
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
