"""Issue 10.4: decoding pictures sent by anonymous forms costs bounded memory. Sizes are read from the header and
checked before decoding (PNG and WebP, which cannot be decoded at reduced scale, have a lower limit than JPEG);
one decode at a time per process; no full-size copy while the thumbnail is made. The whole attack (six forms with
five large PNGs at once, against a real server) is measured by bench/image_memory.py (docs/security.md)."""

import io
import subprocess
import sys
import threading
import time

from PIL import Image

from app.attachments import service as attachments_service
from tests.conftest import csrf_from

FORM = {
    "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
    "title": "Ảnh rất lớn", "sender_type": "individual",
    "content": "Nội dung đủ dài để biểu mẫu nhận: sóng điện thoại yếu ở bản.",
    "sender_name": "Lò Văn Minh", "sender_phone": "0912 345 678", "consent": "on",
}


def png(side: int, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (side, side), (20, 120, 200, 255)[: len(mode)]).save(out, "PNG", compress_level=1)
    return out.getvalue()


def test_a_49_megapixel_png_is_refused_before_it_is_decoded(client):
    data = png(7000)
    assert len(data) < 1024 * 1024  # the attack costs the sender nothing
    page = client.get("/")
    started = time.monotonic()
    r = client.post("/", data={**FORM, "csrf_token": csrf_from(page.text)},
                    files=[("attachments", ("anh.png", data, "image/png"))])
    assert r.status_code == 422 and "quá lớn (7000×7000 điểm ảnh" in r.text
    assert time.monotonic() - started < 2  # the header is read; 196 MB of pixels are not


def test_one_decode_at_a_time_per_process():
    inside, overlap = [], []
    lock = threading.Lock()

    def decode():
        with attachments_service.decode_slot():
            with lock:
                inside.append(1)
                overlap.append(len(inside))
            time.sleep(0.05)
            with lock:
                inside.pop()

    threads = [threading.Thread(target=decode) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlap == [1] * 6


MEASURE = """
import resource, sys
from pathlib import Path
from app.attachments.service import _thumbnail
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data, size = _thumbnail(Path(sys.argv[1]), "image/png", "anh.png")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024, size[0], size[1])
"""


def test_the_largest_accepted_png_costs_one_copy_of_its_pixels(tmp_path):
    """25 MP RGBA is 100 MB of pixels; Pillow's own resize of an image with alpha made a second, premultiplied
    full-size copy (200 MB+ per picture)."""
    path = tmp_path / "lon.png"
    path.write_bytes(png(5000))
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True)
    grown_mb, width, height = map(int, out.stdout.split())
    assert (width, height) == (320, 320)
    assert grown_mb < 140, f"decoding a 25 MP RGBA PNG grew the process by {grown_mb} MB"
