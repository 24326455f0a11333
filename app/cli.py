"""The `pakn` command: database, seed data, accounts, API clients and the server."""

import os
from contextlib import contextmanager
from pathlib import Path

import typer
from alembic import command
from alembic.config import Config
from sqlmodel import Session, func, select

from app.accounts.models import Account
from app.agencies.models import Agency
from app.config import PROJECT_ROOT, get_settings
from app.db import get_engine, unit_of_work
from app.errors import Invalid
from app.notifications import contacts
from app.sla import cli as sla_cli
from app.wiring import register_subscribers

cli = typer.Typer(help="PAKN Điện Biên: công cụ quản trị.", no_args_is_help=True)
db_cli = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)
accounts_cli = typer.Typer(help="Tài khoản.", no_args_is_help=True)
api_client_cli = typer.Typer(help="Ứng dụng tích hợp (API).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(accounts_cli, name="accounts")
cli.add_typer(api_client_cli, name="api-client")
cli.add_typer(sla_cli.app)  # pakn calendar …, pakn sla …


def alembic_config() -> Config:
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def credentials_path() -> Path:
    return get_settings().data_dir / "initial-credentials.csv"


@db_cli.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Migrate the database to the latest schema (or REVISION)."""
    command.upgrade(alembic_config(), revision)
    typer.echo(f"Cơ sở dữ liệu đã ở phiên bản {revision}.")


@cli.command()
def seed(
    demo: bool = typer.Option(False, "--demo", help="Thêm vài trăm hồ sơ mẫu ở mọi trạng thái."),
    demo_if_new: bool = typer.Option(False, "--demo-if-new", help="Chỉ thêm hồ sơ mẫu nếu CSDL còn trống."),
    demo_count: int = typer.Option(300, "--demo-count"),
) -> None:
    """Load communes, the 130 agencies, fields, default rules and policies, and accounts (idempotent)."""
    from app.seed.demo import seed_demo
    from app.seed.initiatives import seed_initiatives_demo
    from app.seed.reference import seed_reference
    from app.submissions.models import Submission

    with Session(get_engine(), expire_on_commit=False) as session:
        was_empty = session.exec(select(func.count()).select_from(Submission)).one() == 0
        report = seed_reference(session=session, credentials_path=credentials_path())
        added = ", ".join(f"{n} {what}" for what, n in report.created.items()) or "không có gì mới"
        typer.echo(f"Dữ liệu danh mục: {added}.")
        if report.new_credentials:
            typer.echo(f"Mật khẩu ban đầu của {len(report.new_credentials)} tài khoản mới: {credentials_path()}")
        new_database = was_empty and "agencies" in report.created
        if demo or (demo_if_new and new_database):
            existing = session.exec(select(func.count()).select_from(Submission)).one()
            # A different seed each time, so a second `--demo` adds new items rather than copies.
            n = seed_demo(session=session, count=demo_count, rng_seed=2026 + existing)
            typer.echo(f"Đã nạp {n} hồ sơ mẫu (dữ liệu demo) vào cơ sở dữ liệu mới.")
            c = seed_initiatives_demo(session=session)
            typer.echo(f"Đã nạp {c} bài toán mẫu (xem /bai-toan) và một sáng kiến đã đưa vào thực tiễn.")
        elif demo_if_new:
            typer.echo("CSDL đã có dữ liệu: không nạp hồ sơ mẫu.")


@accounts_cli.command("create-assistant")
def create_assistant(
    name: str = typer.Argument(..., help="Họ và tên thành viên tổ công nghệ số cộng đồng"),
    commune: str = typer.Option(..., "--commune", help="Mã xã, phường, ví dụ xa-muong-nhe"),
    email: str = typer.Option(..., "--email", help="Thư điện tử nhận thông báo về hồ sơ đã nhập"),
    phone: str = typer.Option("", "--phone", help="Số điện thoại của tổ (in trên áp phích)"),
    username: str = typer.Option("", "--username", help="Tên đăng nhập (mặc định: tcns.<xã>.<tên>)"),
) -> None:
    """Create a commune assistant account (prints a one-time password)."""
    from app.accounts.service import AccountInvalid, new_one_time_password
    from app.reach.service import create_assistant as do_create
    from app.reach.service import default_username

    one_time_password = new_one_time_password()
    with Session(get_engine()) as session:
        try:
            with unit_of_work(session):
                issued = do_create(session=session, actor=None, commune_code=commune, display_name=name,
                                   username=username or default_username(commune, name), email=email, phone=phone,
                                   one_time_password=one_time_password)
                created = issued.account.username
        except AccountInvalid as exc:
            typer.echo("\n".join(exc.errors.values()), err=True)
            raise typer.Exit(1) from None
    typer.echo(f"Đã tạo tài khoản {created} (phải đổi mật khẩu ở lần đăng nhập đầu):")
    typer.echo(issued.password)


@accounts_cli.command("reset-password")
def reset_password(username: str = typer.Argument(..., help="Tên đăng nhập, ví dụ mã cơ quan: so-khcn")) -> None:
    """Give an account a new one-time password (printed); it must be changed at next login."""
    from app.accounts.passwords import generate_password
    from app.accounts.service import AuthError
    from app.accounts.service import reset_password as do_reset

    password = generate_password()
    with Session(get_engine()) as session:
        try:
            with unit_of_work(session):
                do_reset(session=session, username=username, new_password=password)
        except AuthError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    typer.echo(f"Mật khẩu mới của {username} (phải đổi ở lần đăng nhập đầu):")
    typer.echo(password)


@api_client_cli.command("create")
def api_client_create(
    name: str,
    scopes: str = typer.Option("submit read-own", help="Quyền: submit, read-own, webhooks (cách nhau bởi dấu cách)."),
    rate_limit: int = typer.Option(None, "--rate-limit", help="Số yêu cầu mỗi phút (mặc định PAKN_API_RATE_LIMIT)."),
) -> None:
    """Register an integrator; the key is printed once, on the last line."""
    from app.accounts.service import create_api_client

    with Session(get_engine()) as session, _auth_errors(), unit_of_work(session):
        new = create_api_client(session=session, name=name, scopes=scopes, rate_limit_per_minute=rate_limit)
        typer.echo(f"Đã tạo ứng dụng '{new.client.name}' (quyền: {new.client.scopes}). Khóa chỉ hiện một lần:")
    typer.echo(new.key)


@api_client_cli.command("rotate")
def api_client_rotate(
    name: str,
    grace_hours: float = typer.Option(0, "--grace-hours", help="Khóa cũ còn dùng được thêm bấy nhiêu giờ."),
) -> None:
    """Issue a new key (printed once, last line); the old key stops now or after the grace period."""
    from datetime import timedelta

    from app.accounts.service import get_api_client, rotate_api_key

    with Session(get_engine()) as session, _auth_errors(), unit_of_work(session):
        client = get_api_client(session=session, name_or_id=name)
        new = rotate_api_key(session=session, client=client, grace=timedelta(hours=grace_hours))
        until = f" đến {new.client.previous_key_expires_at:%Y-%m-%d %H:%M} UTC" if grace_hours else ""
        typer.echo(f"Khóa mới của '{client.name}'; khóa cũ còn dùng được{until or ': không'}. Khóa chỉ hiện một lần:")
    typer.echo(new.key)


@api_client_cli.command("revoke")
def api_client_revoke(name: str) -> None:
    """Stop every key of an integrator at once."""
    from app.accounts.service import get_api_client, revoke_api_client

    with Session(get_engine()) as session, _auth_errors(), unit_of_work(session):
        client = revoke_api_client(session=session, client=get_api_client(session=session, name_or_id=name))
        typer.echo(f"Đã thu hồi khóa của '{client.name}'.")


@api_client_cli.command("set")
def api_client_set(
    name: str,
    scopes: str = typer.Option(None, help="Các quyền mới, cách nhau bởi dấu cách."),
    rate_limit: int = typer.Option(None, "--rate-limit", help="Số yêu cầu mỗi phút; 0 = dùng mặc định."),
) -> None:
    """Change an integrator's scopes or rate limit."""
    from app.accounts.service import get_api_client, update_api_client

    with Session(get_engine()) as session, _auth_errors(), unit_of_work(session):
        client = get_api_client(session=session, name_or_id=name)
        update_api_client(session=session, client=client, scopes=scopes,
                          rate_limit_per_minute=rate_limit or None, clear_rate_limit=rate_limit == 0)
        limit = client.rate_limit_per_minute or f"mặc định ({get_settings().api_rate_limit_per_minute})"
        typer.echo(f"'{client.name}': quyền {client.scopes}; {limit} yêu cầu/phút.")


@api_client_cli.command("list")
def api_client_list() -> None:
    """Every integrator with its scopes, limit and state (never the keys)."""
    from app.accounts.models import ApiClient

    default = get_settings().api_rate_limit_per_minute
    with Session(get_engine()) as session:
        for c in session.exec(select(ApiClient).order_by(ApiClient.id)).all():
            state = "đã thu hồi" if c.revoked_at else "hoạt động"
            typer.echo(f"{c.id}\t{c.name}\t{c.scopes}\t{c.rate_limit_per_minute or default}/phút\t"
                       f"pakn_{c.key_prefix}_…\t{state}")


agencies_cli = typer.Typer(help="Cơ quan, đơn vị.", no_args_is_help=True)
cli.add_typer(agencies_cli, name="agencies")

_EMAIL_HELP = "Thư điện tử (nhiều địa chỉ cách nhau bởi dấu phẩy; \"\" để xóa)."
_PHONE_HELP = "Số điện thoại (nhiều số cách nhau bởi dấu phẩy; \"\" để xóa)."


def _show_contact(label: str, email: str | None, phone: str | None) -> None:
    typer.echo(f"{label}: thư điện tử {email or '—'}; điện thoại {phone or '—'}")


@agencies_cli.command("set-contact")
def agencies_set_contact(
    code: str = typer.Argument(..., help="Mã cơ quan, ví dụ so-y-te"),
    email: str = typer.Option(None, "--email", help=_EMAIL_HELP),
    phone: str = typer.Option(None, "--phone", help=_PHONE_HELP),
) -> None:
    """Set an agency's shared inbox: the e-mails and phones that hear of its new items at once."""
    with Session(get_engine()) as session:
        agency = session.exec(select(Agency).where(Agency.code == code)).first()
        if agency is None:
            typer.echo(f"Không có cơ quan mã “{code}”.", err=True)
            raise typer.Exit(1)
        with _invalid(), unit_of_work(session):
            contacts.set_agency_contact(session=session, actor=None, agency=agency, email=email, phone=phone)
        _show_contact(agency.name, agency.email, agency.phone)


@agencies_cli.command("without-contact")
def agencies_without_contact() -> None:
    """List the agencies nobody would hear from (no working e-mail or phone, nor any active account with one)."""
    with Session(get_engine()) as session:
        missing = contacts.agencies_without_contact(session=session)
        for agency in missing:
            typer.echo(f"{agency.code}\t{agency.name}")
        typer.echo(f"{len(missing)} cơ quan chưa có liên hệ nhận thông báo.", err=True)


@accounts_cli.command("set-contact")
def accounts_set_contact(
    username: str = typer.Argument(...),
    email: str = typer.Option(None, "--email", help="Thư điện tử (\"\" để xóa)."),
    phone: str = typer.Option(None, "--phone", help="Số điện thoại (\"\" để xóa)."),
) -> None:
    """Set an account's own e-mail and phone."""
    with Session(get_engine()) as session:
        account = session.exec(select(Account).where(Account.username == username.strip().lower())).first()
        if account is None:
            typer.echo(f"Không có tài khoản “{username}”.", err=True)
            raise typer.Exit(1)
        with _invalid(), unit_of_work(session):
            contacts.set_account_contact(session=session, actor=None, account=account, email=email, phone=phone)
        _show_contact(account.username, account.email, account.phone)


@contextmanager
def _invalid():
    try:
        yield
    except Invalid as exc:
        typer.echo("; ".join(str(v) for v in exc.errors.values()), err=True)
        raise typer.Exit(1) from None


@contextmanager
def _auth_errors():
    from app.accounts.service import AuthError

    try:
        yield
    except AuthError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


audit_cli = typer.Typer(help="Nhật ký kiểm toán.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")


@audit_cli.command("verify")
def audit_verify(
    no_files: bool = typer.Option(False, "--no-files", help="Không đọc lại nội dung tệp đính kèm trên đĩa."),
    checkpoints: Path = typer.Option(None, "--checkpoints", help="Tệp điểm neo (mặc định PAKN_AUDIT_CHECKPOINTS)."),
) -> None:
    """Check the audit trail: the hash chain (by seq), the signed checkpoints, each item's state, agency, answer
    and rating against its events, and each attachment (row and file) against the event that added it. Exit 1
    and name the first bad row of each kind if anything does not hold."""
    from app.audit import run

    with Session(get_engine()) as session:
        if session.get_bind().dialect.name == "postgresql":  # one snapshot for the whole check
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        report = run(session, checkpoint_file=checkpoints, check_files=not no_files)
    # Item and attachment rows name themselves ("hồ sơ DB-…", "tệp đính kèm #…"); chain rows get a prefix.
    labels = {"chain": "Chuỗi nhật ký", "checkpoints": "Điểm neo", "items": "Hồ sơ", "attachments": "Tệp đính kèm"}
    for area, label in labels.items():
        shown = [f for f in report.findings if f.area == area]
        prefix = f"{label}: " if area in ("chain", "checkpoints") else ""
        for finding in shown:
            typer.echo(f"{prefix}{finding.row}: {finding.problem}", err=True)
        if report.counts.get(area, 0) > len(shown):
            typer.echo(f"{label}: … và {report.counts[area] - len(shown)} lỗi khác.", err=True)
    if report.checkpoints == 0 and "checkpoints" not in report.counts:
        typer.echo(f"Chưa có điểm neo nào ({report.checkpoint_file}): chỉ kiểm tra được tính liền mạch của chuỗi; "
                   "chạy `pakn audit checkpoint`.", err=True)
    files = "" if report.files_checked else " (không đọc lại nội dung tệp)"
    summary = (f"{report.events} sự kiện, {report.checkpoints} điểm neo, {report.items} hồ sơ, "
               f"{report.attachments} tệp đính kèm{files}")
    if not report.ok:
        typer.echo(f"Nhật ký KHÔNG toàn vẹn: {sum(report.counts.values())} lỗi (đã kiểm tra {summary}).", err=True)
        raise typer.Exit(1)
    typer.echo(f"Nhật ký toàn vẹn: {summary}; chuỗi hash, điểm neo, trạng thái hồ sơ và tệp đính kèm đều khớp.")


@audit_cli.command("checkpoint")
def audit_checkpoint(
    checkpoints: Path = typer.Option(None, "--checkpoints", help="Tệp điểm neo (mặc định PAKN_AUDIT_CHECKPOINTS)."),
) -> None:
    """Sign the chain head (seq, hash, time) with the audit key and append it to the checkpoint file (the app also
    does this every PAKN_AUDIT_CHECKPOINT_SECONDS). Exit 1 if the chain since the last checkpoint does not hold."""
    from app.events.checkpoints import CheckpointRefused, take

    with Session(get_engine()) as session:
        try:
            taken = take(session, path=checkpoints)
        except CheckpointRefused as exc:
            typer.echo(f"Không ký điểm neo: {exc}", err=True)
            raise typer.Exit(1) from None
    path = checkpoints or get_settings().effective_audit_checkpoint_file
    if taken.checkpoint is None:
        where = f"seq {taken.previous.seq}" if taken.previous else "chuỗi còn trống"
        typer.echo(f"Không có sự kiện mới từ điểm neo trước ({where}): không ghi thêm.")
        return
    cp = taken.checkpoint
    typer.echo(f"Đã ký điểm neo seq {cp.seq} (sự kiện #{cp.event_id}, hash {cp.hash[:12]}…) vào {path}; "
               f"đã kiểm tra {taken.events_checked} sự kiện mới.")


attachments_cli = typer.Typer(help="Tệp đính kèm.", no_args_is_help=True)
cli.add_typer(attachments_cli, name="attachments")


@attachments_cli.command("verify")
def attachments_verify(
    delete_orphans: bool = typer.Option(False, "--delete-orphans",
                                        help="Xóa các tệp không thuộc hồ sơ nào (sót lại sau sự cố)."),
) -> None:
    """Check that every attachment's file is in the upload folder with the same SHA-256 (e.g. after a restore);
    exit 1 if one is missing or altered. Lists files no row refers to."""
    from app.attachments import storage
    from app.attachments.service import verify_storage

    with Session(get_engine()) as session:
        report = verify_storage(session=session)
    for label in report.missing:
        typer.echo(f"Thiếu tệp: {label}", err=True)
    for label in report.altered:
        typer.echo(f"Tệp đã bị thay đổi (SHA-256 không khớp): {label}", err=True)
    for path in report.orphans:
        typer.echo(f"Tệp không thuộc hồ sơ nào: {path}" + (" (đã xóa)" if delete_orphans else ""))
        if delete_orphans:
            storage.remove(path)
    typer.echo(f"Đã kiểm tra {report.checked} tệp đính kèm: {len(report.missing)} thiếu, {len(report.altered)} "
               f"bị thay đổi, {len(report.orphans)} không thuộc hồ sơ nào.")
    if not report.ok:
        raise typer.Exit(1)


@cli.command()
def worker() -> None:
    """Run the outbox worker (e-mails, webhooks) and periodic jobs in the foreground."""
    from app.main import register_jobs
    from app.notifications.worker import run_forever

    register_jobs()
    typer.echo("Đang chạy worker (Ctrl+C để dừng)…")
    run_forever()


@cli.command()
def setup() -> None:
    """Everything `make run` needs: migrate, seed, and demo items into a brand-new database."""
    get_settings().effective_secret_key()
    get_settings().effective_audit_key(create=True)
    db_upgrade("head")
    seed(demo=False, demo_if_new=True, demo_count=300)


@cli.command()
def serve(
    host: str = typer.Option(None), port: int = typer.Option(None), workers: int = typer.Option(None)
) -> None:
    """Run the web service (uvicorn with httptools and uvloop)."""
    import uvicorn

    s = get_settings()
    os.umask(0o077)  # files the service writes (database, uploads, checkpoints, secrets) are its own
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers or s.workers,
        http="httptools",
        loop="uvloop",
        # X-Forwarded-* are believed only from PAKN_TRUSTED_PROXIES, by app/clientaddr.py (uvicorn's default
        # trusts any local process).
        proxy_headers=False,
        access_log=False,
        # Slow clients: an idle keep-alive connection closes after PAKN_KEEPALIVE_SECONDS; uvicorn has no header
        # timeout of its own, so the reverse proxy's limits (docs/operations.md) bound slow headers and bodies.
        timeout_keep_alive=s.keepalive_seconds,
        limit_concurrency=s.max_connections or None,
        h11_max_incomplete_event_size=64 * 1024,
    )


def main() -> None:
    register_subscribers()
    cli()
