"""Security headers on every response (docs/security.md). A response that sets its own value keeps it (file
downloads carry a stricter sandbox CSP; the Swagger UI page allows its one inline script by hash).

- Content-Security-Policy: scripts, styles, images, fetches and forms only from this origin (htmx and every page
  script are files under /static); inline styles are allowed (htmx adds its indicator style); no plugins; no
  framing (`frame-ancestors 'none'`, and X-Frame-Options for old browsers). `blob:` media and images: recordings and
  photo previews made in the page (issue 13).
- Referrer-Policy same-origin: a status page's URL holds a tracking code; it never leaves in a Referer header.
- Permissions-Policy: geolocation and microphone for this origin only (location and voice messages, issue 13);
  camera, payment, USB and the rest off.
- Strict-Transport-Security on https (after TrustedProxyMiddleware, so a TLS-terminating proxy counts).
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "media-src 'self' blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
PERMISSIONS = ("geolocation=(self), microphone=(self), camera=(), payment=(), usb=(), serial=(), bluetooth=(), "
               "midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()")
HSTS = "max-age=31536000; includeSubDomains"
COMMON = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": PERMISSIONS,
    "cross-origin-opener-policy": "same-origin",
}


def csp_with_script_hashes(hashes: list[str]) -> str:
    """The policy with inline scripts allowed by their SHA-256 (base64), e.g. the Swagger UI page's."""
    allowed = " ".join(f"'sha256-{h}'" for h in hashes)
    return CSP.replace("script-src 'self'", f"script-src 'self' {allowed}")


PRIVATE = "private, max-age=0, must-revalidate"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    if name not in headers:
                        headers[name] = value
                if https and "strict-transport-security" not in headers:
                    headers["strict-transport-security"] = HSTS
                if "set-cookie" in headers and "public" in headers.get("cache-control", ""):
                    # A shared cache must never keep a response that sets somebody's cookie (their session, its
                    # CSRF token) and hand it to the next visitor: such a response is the browser's alone.
                    headers["cache-control"] = PRIVATE
            await send(message)

        await self.app(scope, receive, with_headers)
