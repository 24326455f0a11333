"""Static files with fingerprinted URLs: `static("css/app.css")` in a template gives `/static/css/app.css?v=<hash>`,
and a request carrying the right `v` is cached for a year (`immutable`); a changed file has a new hash, so a new
URL. Other static requests are revalidated (ETag) on every use."""

import hashlib
from functools import lru_cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=0, must-revalidate"


class FingerprintedStatic(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        query = scope.get("query_string", b"").decode("latin-1")
        given = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get("v")
        fresh = given is not None and response.status_code == 200 and given == fingerprint(
            str(Path(str(self.directory)) / path))
        response.headers["Cache-Control"] = LONG_CACHE if fresh else SHORT_CACHE
        return response


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def fingerprint(path: str) -> str | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def static_url_factory(directory: Path):
    def static(name: str) -> str:
        digest = fingerprint(str(directory / name))
        return f"/static/{name}" + (f"?v={digest}" if digest else "")
    return static
