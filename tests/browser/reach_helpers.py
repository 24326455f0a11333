"""Helpers for the browser tests of app/reach: the live server's database, a large photo."""

import io
import os
import random

from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.browser.conftest import BROWSER_DATABASE


def live_database_url(live_server) -> str:
    if os.environ.get("DATABASE_URL"):
        return make_url(os.environ["DATABASE_URL"]).set(database=BROWSER_DATABASE).render_as_string(
            hide_password=False)
    return f"sqlite:///{live_server.data_dir / 'pakn.db'}"


def live_rows(live_server, sql: str, **params) -> list:
    engine = create_engine(live_database_url(live_server))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def big_photo(width: int = 2400, height: int = 1800, seed: int = 7) -> bytes:
    """A phone-camera-sized JPEG with detail (≈ 1–2 MB), so that shrinking it matters."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (width // 8, height // 8), bytes(rng.randrange(256) for _ in
                                                                       range(width // 8 * height // 8 * 3)))
    image = small.resize((width, height), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()
