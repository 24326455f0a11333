"""How long from an event to delivery through the outbox worker (docs/notifications.md, "Event to delivery").

  .venv/bin/python bench/notify_latency.py [--items 20] [--poll 5]

A scratch SQLite database, a real SMTP server (aiosmtpd) and a real Kannel with fakesmsc as the operator
(tests/notifications/kannel.py). The worker runs as it does in the app (WorkerThread, PAKN_WORKER_POLL_SECONDS).
Items are submitted one at a time at random moments (0–2 s apart); for each, the clock starts when its transaction
commits (the SUBMITTED event, which queues the receipt) and stops when
- e-mail: the SMTP server has the whole message (aiosmtpd's DATA hook);
- SMS: Kannel calls our dlr-url with type 1 ("delivered to the handset", reported by the fake operator).
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="pakn-notify-bench-"))
os.environ.update({"PAKN_DATA_DIR": str(DATA), "DATABASE_URL": f"sqlite:///{DATA / 'pakn.db'}",
                   "SECRET_KEY": "notify-latency-bench", "PAKN_WORKER_IN_APP": "false"})

from aiosmtpd.controller import Controller  # noqa: E402
from alembic import command  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.cli import alembic_config  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.db import get_engine, unit_of_work  # noqa: E402
from app.notifications.channels import callback_token  # noqa: E402
from app.notifications.models import OutboxMessage  # noqa: E402
from app.notifications.worker import WorkerThread  # noqa: E402
from app.seed.reference import seed_reference  # noqa: E402
from app.submissions import service as submissions_service  # noqa: E402
from app.submissions.schemas import SubmissionCreate  # noqa: E402
from app.wiring import register_subscribers  # noqa: E402
from tests.notifications import kannel as kannel_helper  # noqa: E402


class Inbox:
    def __init__(self):
        self.arrivals: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.arrivals[str(message_from_bytes(envelope.content, policy=policy.default)["Subject"])] = time.time()
        return "250 OK"


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    return (f"{name}: n={len(values)} median {statistics.median(values):.2f} s, p95 {p95:.2f} s, "
            f"max {values[-1]:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--poll", type=float, default=get_settings().worker_poll_seconds)
    args = parser.parse_args()
    command.upgrade(alembic_config(), "head")
    register_subscribers()
    with Session(get_engine()) as session:
        seed_reference(session=session, credentials_path=DATA / "credentials.csv")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=kannel_helper.free_port())
    smtp.start()
    gateway = kannel_helper.start_kannel(DATA / "kannel", incoming_sig=callback_token("incoming"))
    s = get_settings()
    s.smtp_host, s.smtp_port = "127.0.0.1", smtp.port
    s.sms_gateway, s.kannel_sendsms_url = "kannel", gateway.sendsms_url
    s.kannel_user, s.kannel_password, s.sms_sender = kannel_helper.USER, kannel_helper.PASSWORD, "8088"
    s.public_base_url, s.sms_per_recipient_hour = gateway.relay.base_url, 1000
    worker = WorkerThread(args.poll)
    worker.start()
    committed: dict[str, float] = {}
    sms_ids: dict[int, str] = {}
    try:
        rng = random.Random(9)
        for n in range(args.items):
            time.sleep(rng.uniform(0, 2))
            by_email = n % 2 == 0
            data = SubmissionCreate(
                kind="feedback", field_code="ha-tang-so", commune_code="xa-muong-nhe", consent=True,
                title=f"Đo thời gian thông báo số {n + 1}", content="Nội dung thử để đo thời gian gửi thông báo.",
                sender_name="Người đo thử", notify_by="email" if by_email else "sms", sender_phone=f"0912{n:06d}",
                sender_email=f"do.thoi.gian{n}@thu-nghiem.vn" if by_email else None)
            with Session(get_engine()) as session:
                with unit_of_work(session):  # as a request does (on SQLite: in the writers' queue)
                    item = submissions_service.submit(session=session, data=data)
                committed[item.tracking_code] = time.time()
                if not by_email:
                    sms_ids[item.id] = item.tracking_code
        kannel_helper.wait_for(lambda: len(inbox.arrivals) >= args.items // 2 and sum(
            1 for _, p in gateway.relay.arrivals if "type=1&" in p) >= args.items - args.items // 2,
            timeout=args.poll * 4 + 60, what="every receipt delivered")
    finally:
        worker.stop()
        worker.join(timeout=30)
        gateway.stop()
        smtp.stop()
        shutil.rmtree(DATA, ignore_errors=True)
    email = [at - committed[subject.split("[")[1].split("]")[0]] for subject, at in inbox.arrivals.items()]
    with Session(get_engine()) as session:
        message_item = {m.id: sms_ids[m.submission_id] for m in session.exec(
            select(OutboxMessage).where(OutboxMessage.channel == "sms")) if m.submission_id in sms_ids}
    delivered = {}
    for at, path in gateway.relay.arrivals:
        if "type=1&" in path:
            message_id = int(path.split("id=")[1].split("&")[0])
            delivered.setdefault(message_id, at)
    sms = [at - committed[message_item[i]] for i, at in delivered.items() if i in message_item]
    print(f"worker poll interval {args.poll} s, {args.items} items (half e-mail, half SMS)")
    print(summary("e-mail: commit → SMTP server has the message", email))
    print(summary("SMS: commit → Kannel reports delivered (fake operator)", sms))


if __name__ == "__main__":
    main()
