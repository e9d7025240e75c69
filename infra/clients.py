"""Who sent a request: its client address, as the audit log and the rate limits record it."""

import ipaddress

from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from (``REMOTE_ADDR``), or None when it is not an IP address."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
