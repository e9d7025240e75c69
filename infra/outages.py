"""A lost database or broker is an outage, not a bug: answer 503 with ``Retry-After``.

While PostgreSQL restarts or Redis is away, requests that need them cannot be served. They get
503 Service Unavailable (the API in its error shape, pages a plain page that needs neither
service) with ``Retry-After``, so clients and load balancers retry instead of reporting a server
fault; the error is still logged. Anything else stays a 500. Once the services are back the next
request succeeds: connections are opened per request (``CONN_HEALTH_CHECKS``).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
MESSAGE = _("A service this request needs is unavailable; nothing was half-saved. Retry shortly.")


def _outage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover - redis is a requirement
        pass
    try:
        from kombu.exceptions import OperationalError as BrokerError

        errors.append(BrokerError)
    except ImportError:  # pragma: no cover - kombu comes with Celery
        pass
    return tuple(errors)


OUTAGE_ERRORS = _outage_errors()


def is_outage(exc: BaseException | None) -> bool:
    """True for a lost connection to the database, the cache or the broker."""
    return isinstance(exc, OUTAGE_ERRORS)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"errors": [{"field": None, "code": "service_unavailable", "message": str(MESSAGE)}]}, status=503
        )
    else:
        # No request context: the page must render without the database or the session (it is in
        # the language the request was answered in, which needs neither).
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 for an outage (whether a view or a middleware hit it), else the 500 page."""
    if is_outage(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request)
