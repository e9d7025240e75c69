"""One error shape for every failed call: ``{"errors": [{"field", "code", "message"}, ...]}``.

``field`` is the dotted path of the input at fault (``items.3.email``), or
null when the error is not about one field (auth, scopes, throttling, 404,
405, parse errors). ``code`` is stable and machine-readable; ``message`` is
for people.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError
from django.http.request import RequestDataTooBig
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from infra.outages import MESSAGE, RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger("api")

NON_FIELD = ("non_field_errors", "__all__")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def error(code: str, message: str, field: str | None = None) -> dict:
    return {"field": field, "code": code, "message": message}


def errors_of(detail, path: tuple[str, ...] = ()) -> list[dict]:
    """Flatten DRF error details (nested dicts and lists of ``ErrorDetail``) into error entries."""
    if isinstance(detail, dict):
        return [entry for key, value in detail.items() for entry in errors_of(value, (*path, str(key)))]
    if isinstance(detail, list):
        entries = []
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            entries += errors_of(item, (*path, str(index)) if nested else path)
        return entries
    field_path = [part for part in path if part not in NON_FIELD]
    if field_path == ["detail"]:
        field_path = []
    code = getattr(detail, "code", None) or "invalid"
    return [error(str(code), str(detail), ".".join(field_path) or None)]


def _translated(exc: Exception) -> Exception:
    """Django and database errors that reach a view, as the API errors they mean."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, DataError):
        # A value the database cannot store that validation let through: the input's fault.
        logger.warning("data error reached the API: %s", exc)
        return exceptions.ValidationError(
            "A value cannot be stored (out of range or malformed).", code="invalid"
        )
    if isinstance(exc, IntegrityError):
        # A concurrent write won a race for a unique value; retrying sees the winner.
        return Conflict("A concurrent request changed the same record; retry the request.")
    return exc


def api_exception_handler(exc: Exception, context: dict) -> Response:
    exc = _translated(exc)
    response = exception_handler(exc, context)
    if response is None and is_outage(exc):
        logger.error("service unavailable in %s: %s", context.get("view"), exc, exc_info=exc)
        response = Response(
            {"errors": [error("service_unavailable", MESSAGE)]}, status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if response is None:
        if isinstance(exc, DatabaseError):
            logger.exception("database error in %s", context.get("view"))
        else:
            logger.exception("unexpected error in %s", context.get("view"), exc_info=exc)
        return Response(
            {"errors": [error("server_error", "Something went wrong on our side; it has been logged.")]},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.Throttled):
        wait = response.headers.get("Retry-After")
        message = f"Too many requests for this API key; retry in {wait} seconds." if wait else str(detail)
        detail = exceptions.ErrorDetail(message, code="throttled")
    response.data = {"errors": errors_of(detail) or [error("invalid", "Invalid request.")]}
    return response
