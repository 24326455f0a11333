"""Peak memory of the image-decoding attack of issue 10.4: six anonymous forms at once, each with five large PNGs
(under 1 MB each on the wire), against a real server; prints each worker's peak RSS (VmHWM from /proc).

Run (from the project root; starts and stops its own server on a throw-away SQLite database):
    .venv/bin/python bench/image_memory.py                      # 49-megapixel PNGs (7000×7000 RGBA)
    .venv/bin/python bench/image_memory.py --side 4000          # the largest PNG the current limit lets through
    .venv/bin/python bench/image_memory.py --project /tmp/old   # the same against another checkout (before/after)
"""

import argparse
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def big_png(side: int, colour: tuple[int, int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (side, side), colour).save(out, "PNG", optimize=False, compress_level=9)
    return out.getvalue()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def peak_rss_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    return hwm, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", default=str(ROOT), help="checkout to serve (default: this one)")
    parser.add_argument("--side", type=int, default=7000, help="PNG width = height (7000: 49 MP)")
    parser.add_argument("--forms", type=int, default=6)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="pakn-imgmem-")
    env = {**os.environ, "PAKN_DATA_DIR": data_dir, "PAKN_ARGON2_TIME_COST": "1", "PAKN_ARGON2_MEMORY_KIB": "1024",
           "PAKN_WORKER_IN_APP": "false", "PYTHONPATH": args.project, "PAKN_FORM_SUBMITS_PER_HOUR": "1000"}
    env.pop("DATABASE_URL", None)
    python = sys.executable
    subprocess.run([python, "-c", "from app.cli import main; main()", "db", "upgrade"],  # noqa: S603
                   env=env, cwd=args.project,
                   check=True, capture_output=True)
    subprocess.run([python, "-c", "from app.cli import main; main()", "seed"], env=env,  # noqa: S603
                   cwd=args.project, check=True, capture_output=True)
    server = subprocess.Popen(  # noqa: S603
        [python, "-m", "uvicorn", "app.main:create_app", "--factory", "--port", str(args.port),
         "--workers", str(args.workers), "--log-level", "warning"],
        env=env, cwd=args.project, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        workers = children(server.pid)
        time.sleep(1)
        before = {pid: peak_rss_mb(pid) for pid in workers}
        pictures = [big_png(args.side, (i * 40 % 256, 90, 160, 200)) for i in range(args.files)]
        print(f"{args.forms} forms × {args.files} PNGs of {args.side}×{args.side} RGBA "
              f"({args.side * args.side / 1e6:.0f} MP, {max(len(p) for p in pictures) / 1024:.0f} KB each)")
        statuses = []

        def send(n: int) -> None:
            with httpx.Client(base_url=base, timeout=300) as client:
                page = client.get("/")
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
                form = {"csrf_token": token, "kind": "feedback", "field_code": "ha-tang-so",
                        "commune_code": "xa-muong-nhe", "title": f"Thử bộ nhớ {n}", "sender_type": "individual",
                        "content": "Nội dung thử đo bộ nhớ khi giải mã ảnh lớn gửi kèm biểu mẫu.",
                        "sender_name": "Người thử", "sender_phone": "0912345678", "consent": "on"}
                files = [("attachments", (f"anh-{i}.png", p, "image/png")) for i, p in enumerate(pictures)]
                started = time.monotonic()
                r = client.post("/", data=form, files=files)
                statuses.append((r.status_code, round(time.monotonic() - started, 1)))

        threads = [threading.Thread(target=send, args=(n,)) for n in range(args.forms)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("answers (status, seconds):", sorted(statuses))
        for pid in workers:
            hwm, rss = peak_rss_mb(pid)
            print(f"worker {pid}: peak RSS {hwm:.0f} MB (before the attack {before[pid][0]:.0f} MB), "
                  f"RSS now {rss:.0f} MB")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
