"""Bytes a citizen downloads per page (HTML + CSS + the form's deferred script), raw and gzipped: the weak-3G budget.

Run: .venv/bin/python bench/page_weight.py   (uses a throw-away SQLite database)
"""

import gzip
import os
import tempfile

os.environ["PAKN_DATA_DIR"] = tempfile.mkdtemp(prefix="pakn-bench-")
os.environ.setdefault("PAKN_ARGON2_TIME_COST", "1")
os.environ.setdefault("PAKN_ARGON2_MEMORY_KIB", "1024")

from alembic import command  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.cli import alembic_config  # noqa: E402
from app.db import get_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.seed.reference import seed_reference  # noqa: E402


def main() -> None:
    command.upgrade(alembic_config(), "head")
    with Session(get_engine()) as session:
        seed_reference(session=session, credentials_path=None)
    client = TestClient(create_app())
    print(f"{'page':<28}{'bytes':>10}{'gzip':>10}")
    for label, path in [("submit form /", "/"), ("track form /track", "/track"), ("stylesheet", "/static/css/app.css"),
                        ("form script", "/static/js/submit.js"), ("icon", "/static/favicon.svg")]:
        body = client.get(path).content
        print(f"{label:<28}{len(body):>10,}{len(gzip.compress(body, 6)):>10,}")


if __name__ == "__main__":
    main()
