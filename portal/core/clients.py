"""Who is asking: the client address used for rate limits."""

from __future__ import annotations

from flask import request


def client_address() -> str:
    # ProxyFix (configured by PORTAL_PROXY_COUNT) has already put the real address here.
    return request.remote_addr or "unknown"
