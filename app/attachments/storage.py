"""Where attachment bytes live: `<data_dir>/uploads/ab/cd/<key>`, outside the static folder, under random keys.

Only this module touches the upload folder, so another backend (a shared mount, object storage) replaces it alone.
A file is written to `uploads/tmp/` first, checked there, and moved into place (an atomic rename on the same file
system) only inside the database transaction that records it; the caller removes it again if that transaction
fails, so the folder never holds a file the database does not know about (see service.py).
"""

import hashlib
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from app.config import get_settings

KEY_RE = re.compile(r"^[0-9a-f]{32}$")
TEMP_SUFFIX = ".part"


def root() -> Path:
    return get_settings().data_dir / "uploads"


def temp_dir() -> Path:
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_key() -> str:
    """128 random bits, hex: unguessable and safe as a file name on every file system."""
    return secrets.token_hex(16)


def path_for(key: str) -> Path:
    """The final place of a stored file. Keys come from the database, but are checked anyway: never a path."""
    if not KEY_RE.fullmatch(key or ""):
        raise ValueError("invalid storage key")
    return root() / key[:2] / key[2:4] / key


def new_temp_file() -> Path:
    fd, name = tempfile.mkstemp(dir=temp_dir(), suffix=TEMP_SUFFIX)
    os.close(fd)
    return Path(name)


def write_temp(data: bytes) -> Path:
    path = new_temp_file()
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return path


def place(temp: Path, key: str) -> Path:
    """Moves a checked temp file to its final place (atomic rename)."""
    final = path_for(key)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, final)
    return final


def remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def stored_files() -> list[Path]:
    """Every file in its final place (`ab/cd/<key>`), temp files excluded."""
    base = root()
    if not base.is_dir():
        return []
    return [p for p in base.glob("??/??/*") if p.is_file() and KEY_RE.fullmatch(p.name)]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def sweep_temp(max_age_seconds: float = 3600) -> int:
    """Deletes temp files a crashed request left behind (a request stages its files within seconds)."""
    folder = root() / "tmp"
    if not folder.is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    removed = 0
    for path in folder.glob(f"*{TEMP_SUFFIX}"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
