"""The client's address, as every abuse limit counts it.

Behind a reverse proxy the TCP peer is the proxy: the real address is in `X-Forwarded-For`. That header is written
by whoever sends the request, so it is believed only when the peer is one of the proxies listed in
`PAKN_TRUSTED_PROXIES` (addresses or networks, comma-separated); then the right-most address that is not itself a
trusted proxy is the client (RFC 7239's rule for a chain of proxies). `X-Forwarded-Proto` from a trusted proxy sets
the scheme (Secure cookies, HSTS). Anyone else's forwarded headers are ignored: a local process or a client cannot
pick the address its attempts are counted under.

uvicorn's own proxy-header handling is off (`pakn serve`), so this middleware is the one place that decides.
"""

import ipaddress
from functools import lru_cache

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache
def parse_networks(raw: str) -> tuple[Network, ...]:
    networks = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return tuple(networks)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address: the peer itself unless it is a trusted proxy."""
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from the proxy: count under the proxy rather than a made-up key
    return hops[0] if hops else peer


class TrustedProxyMiddleware:
    def __init__(self, app: ASGIApp, trusted: str):
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.networks and scope.get("client"):
            peer, port = scope["client"]
            if _is_trusted(peer, self.networks):
                headers = {k.lower(): v for k, v in scope.get("headers") or []}
                forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
                scope = dict(scope)
                scope["client"] = (forwarded_client(peer, forwarded, self.networks), port)
                proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else ("wss" if proto == "https" else "ws")
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The address abuse limits count under (after TrustedProxyMiddleware). An IPv6 client counts by its /64: one
    subscriber line or phone usually gets a whole /64, so counting single addresses would let it rotate freely."""
    host = request.client.host if request.client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip.ipv4_mapped) if isinstance(ip, ipaddress.IPv6Address) else host
