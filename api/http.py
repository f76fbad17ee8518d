"""Request helpers shared by views and services."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """Return the client's IP: REMOTE_ADDR, or the address our trusted proxies saw."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        # Each trusted proxy appends the address it received from; the client is `hops` back.
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]
