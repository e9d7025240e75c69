"""Where webhooks may connect: the guard against server-side request forgery.

A webhook URL is typed by an API client, so the platform must not become its way into the
private network. A target is refused unless every address its host resolves to is public
(loopback and private ranges only when ``WEBHOOK_ALLOW_LOOPBACK`` / ``WEBHOOK_ALLOW_PRIVATE_TARGETS``
say so; link-local, multicast, reserved and unspecified never). The check runs when an endpoint is
created and again before every delivery, and ``PinnedConnection`` then connects to the very
addresses it checked, so a DNS answer that changes between check and connect (rebinding) cannot
redirect the POST. No redirect is ever followed.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class WebhookTargetRefused(Exception):
    """The URL's host does not resolve, or resolves to an address webhooks may not reach; its
    message says so in the active language."""


# Why a host is refused, by the kind of address it resolves to.
_REFUSALS = {
    "loopback": _("Webhooks may not reach %(host)s: it resolves to %(address)s, a loopback address."),
    "link-local": _("Webhooks may not reach %(host)s: it resolves to %(address)s, a link-local address."),
    "multicast": _("Webhooks may not reach %(host)s: it resolves to %(address)s, a multicast address."),
    "reserved": _("Webhooks may not reach %(host)s: it resolves to %(address)s, a reserved address."),
    "unspecified": _("Webhooks may not reach %(host)s: it resolves to %(address)s, an unspecified address."),
    "private": _("Webhooks may not reach %(host)s: it resolves to %(address)s, a private address."),
}


def _address_refusal(address: str) -> tuple[str, str] | None:
    """Why webhooks may not connect to ``address`` (the kind of address it is, a key of
    ``_REFUSALS``, and the address as checked), or None.

    Loopback is allowed by ``WEBHOOK_ALLOW_LOOPBACK`` or ``WEBHOOK_ALLOW_PRIVATE_TARGETS``; other
    private ranges (RFC 1918, unique-local, shared 100.64/10) by the latter only. Link-local
    (home of cloud metadata services), multicast, reserved and unspecified (0.0.0.0 reaches the
    local host) addresses are never allowed: no webhook receiver lives there.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        allowed = settings.WEBHOOK_ALLOW_LOOPBACK or settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
        return None if allowed else ("loopback", str(ip))
    for kind in ("link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-"), str(ip)
    if ip.is_global or settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return None
    return "private", str(ip)


def webhook_target_addresses(url: str) -> list[str]:
    """The addresses ``url``'s host resolves to, every one of them allowed; raises
    ``WebhookTargetRefused`` otherwise (one refused address refuses the target)."""
    parts = urlsplit(url)
    if not parts.hostname:  # getaddrinfo(None) would answer with the local host
        raise WebhookTargetRefused(gettext("The URL names no host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        message = gettext("%(host)s does not resolve (%(error)s).")
        raise WebhookTargetRefused(message % {"host": parts.hostname, "error": error}) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        refusal = _address_refusal(address)
        if refusal:
            kind, checked = refusal
            raise WebhookTargetRefused(_REFUSALS[kind] % {"host": parts.hostname, "address": checked})
    return addresses


def url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a webhook target, a sentence in the active language; or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        return gettext("Not a valid URL (%(error)s).") % {"error": error}
    if not url.isascii():
        return gettext(
            "Must be ASCII: write an international host name in punycode and percent-encode the path."
        )
    if parts.scheme not in ("http", "https"):
        return gettext("Must be an http:// or https:// URL.")
    if not parts.hostname:
        return gettext("Must name a host.")
    if parts.username is not None or parts.password is not None:
        return gettext("Must not carry a user name or password; receivers verify the signature instead.")
    try:
        webhook_target_addresses(url)
    except WebhookTargetRefused as refused:
        return str(refused)
    return None


class PinnedConnection(http.client.HTTPSConnection):
    """HTTP(S) to the addresses that were checked, not to whatever the name resolves to next; with
    ``tls`` the certificate is verified against the host name, as for any HTTPS request."""

    def __init__(self, host: str, port: int, *, addresses: list[str], tls: bool, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.addresses, self.tls = addresses, tls
        self.default_port = 443 if tls else 80  # the Host header names the port only when unusual

    def connect(self) -> None:
        error: OSError = OSError("no address to connect to")
        for address in self.addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
                break
            except OSError as failed:
                error = failed
        else:
            raise error
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host) if self.tls else sock
