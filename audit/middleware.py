"""Make the request being served known to ``audit_record`` (``services.current_request``)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .services import current_request


class AuditRequestMiddleware:
    """Set ``current_request`` for the time of one request; place it after the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
