"""Security headers on every response: a Content-Security-Policy and a Permissions-Policy;
and no copy in any cache of an answer given to someone signed in.

Django's ``SecurityMiddleware`` already sets ``X-Content-Type-Options``, ``Referrer-Policy``
and ``Cross-Origin-Opener-Policy`` (settings ``SECURE_*``), and ``XFrameOptionsMiddleware``
sets ``X-Frame-Options``; this module adds what Django 5.2 has no setting for.

Every header is set only where the view has not set its own: the public survey pages
(``surveys.views.public``) send a stricter policy of their own, and it stands.

An answer to a request that carries credentials (an ``Authorization`` header: the API; or
the session cookie: a signed-in member of staff) may hold personal data, so it is sent with
``Cache-Control: private, no-store`` and ``Vary`` on the credential, again only where the view
has not chosen its own (the exports and the public survey pages do). Anonymous pages, the
public API schema and docs and the static files keep their ordinary caching.

No page runs inline script: templates load their scripts from ``static/`` and hand data to
them in ``<script type="application/json">`` blocks, which are never executed, and the API
docs load Swagger UI's start-up script as a file. So ``script-src 'self'`` holds
everywhere, without nonces.
"""

from collections.abc import Callable, Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

CSP = "Content-Security-Policy"
PERMISSIONS_POLICY = "Permissions-Policy"

# plotly.js adds a <style> element and sets style attributes on its SVG nodes, both blocked by a
# style-src without 'unsafe-inline' (the dashboards would draw unstyled and log errors); so
# styles may be inline. Scripts may not.
POLICY: Mapping[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

# The browser features no page of this site uses, switched off for it and anything it embeds.
PERMISSIONS: tuple[str, ...] = (
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)


def policy_text(policy: Mapping[str, tuple[str, ...]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


def policy_with(**directives: tuple[str, ...]) -> str:
    """The site's policy with some directives replaced: ``style_src=("'self'",)`` → ``style-src``."""
    return policy_text({**POLICY, **{name.replace("_", "-"): value for name, value in directives.items()}})


DEFAULT_POLICY = policy_text(POLICY)
PERMISSIONS_POLICY_TEXT = ", ".join(f"{feature}=()" for feature in PERMISSIONS)

# Django's own error pages in DEBUG (the yellow traceback, the URL list) style and script inline.
_DEBUG_PAGE_POLICY = policy_with(
    script_src=("'self'", "'unsafe-inline'"), style_src=("'self'", "'unsafe-inline'")
)


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy and Permissions-Policy to every response that lacks them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DEFAULT_POLICY
        if settings.DEBUG and response.status_code in (404, 500):
            policy = _DEBUG_PAGE_POLICY
        response.headers.setdefault(CSP, policy)
        response.headers.setdefault(PERMISSIONS_POLICY, PERMISSIONS_POLICY_TEXT)
        return response


PRIVATE_NO_STORE = "private, no-store"


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every answer to a request with credentials."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        varies = []
        if "authorization" in request.headers:
            varies.append("Authorization")
        session_cookie = settings.SESSION_COOKIE_NAME
        if session_cookie in request.COOKIES or session_cookie in response.cookies:
            varies.append("Cookie")
        if varies:
            response.headers.setdefault("Cache-Control", PRIVATE_NO_STORE)
            patch_vary_headers(response, varies)
        return response
