"""One error shape for every failed call: ``{"errors": [{"field", "code", "message"}, ...]}``.

``field`` is the dotted path of the input at fault (``items.3.email``), or
null when the error is not about one field (auth, scopes, throttling, 404,
405, parse errors). ``code`` is stable and machine-readable; ``message`` is
for people.
"""

import logging
import re

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, DataError, IntegrityError
from django.http import Http404
from django.http.request import RequestDataTooBig
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from infra.outages import MESSAGE, RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger("api")

NON_FIELD = ("non_field_errors", "__all__")
# Django's ``get_object_or_404`` says "No Customer matches the given query." in English whatever
# the language, naming the model's class: the API says it again in the request's language.
_NO_MATCH = re.compile(r"No (\w+) matches the given query\.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The request cannot be processed.")
    default_code = "unprocessable"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
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
            gettext("A value cannot be stored (out of range or malformed)."), code="invalid"
        )
    if isinstance(exc, IntegrityError):
        # A concurrent write won a race for a unique value; retrying sees the winner.
        return Conflict(gettext("A concurrent request changed the same record; retry the request."))
    if isinstance(exc, Http404):
        return _not_found(exc)
    return exc


def _not_found(exc: Http404) -> exceptions.NotFound:
    """A 404 raised by Django: its own words are kept unless they are ``get_object_or_404``'s."""
    match = _NO_MATCH.fullmatch(str(exc))
    if match is None:
        return exceptions.NotFound(*exc.args)
    models = [model for model in apps.get_models() if model._meta.object_name == match[1]]
    if len(models) != 1:
        return exceptions.NotFound()
    message = gettext("No %(resource)s matches the given query.")
    return exceptions.NotFound(message % {"resource": models[0]._meta.verbose_name})


def _throttled_message(wait: str | None, detail) -> str:
    if not wait or not wait.isdigit():
        return str(detail)
    seconds = int(wait)
    return ngettext(
        "Too many requests for this API key; retry in %(seconds)s second.",
        "Too many requests for this API key; retry in %(seconds)s seconds.",
        seconds,
    ) % {"seconds": seconds}


def api_exception_handler(exc: Exception, context: dict) -> Response:
    exc = _translated(exc)
    response = exception_handler(exc, context)
    if response is None and is_outage(exc):
        logger.error("service unavailable in %s: %s", context.get("view"), exc, exc_info=exc)
        response = Response(
            {"errors": [error("service_unavailable", str(MESSAGE))]},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if response is None:
        if isinstance(exc, DatabaseError):
            logger.exception("database error in %s", context.get("view"))
        else:
            logger.exception("unexpected error in %s", context.get("view"), exc_info=exc)
        return Response(
            {
                "errors": [
                    error("server_error", gettext("Something went wrong on our side; it has been logged."))
                ]
            },
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.Throttled):
        message = _throttled_message(response.headers.get("Retry-After"), detail)
        detail = exceptions.ErrorDetail(message, code="throttled")
    response.data = {"errors": errors_of(detail) or [error("invalid", gettext("Invalid request."))]}
    return response
