"""Each attachment test gets its own upload folder, so "no file left on disk" is a plain listing."""

from pathlib import Path

import pytest

from app.config import get_settings


@pytest.fixture
def upload_root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    return tmp_path / "uploads"


def files_on_disk(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
