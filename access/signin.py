"""Sign-in with a limit on failures, for the staff login page and the admin's.

Failed sign-ins are counted in the cache (Redis in production, so every web process
shares the counts) per username and per client address, each for
``LOGIN_FAILURE_WINDOW_SECONDS`` from its first failure. Once a username has
``LOGIN_FAILURE_LIMIT`` failures, or an address ``LOGIN_ADDRESS_FAILURE_LIMIT``, further
attempts are refused before the password is checked: the form comes back with an error
and HTTP 429. Signing in resets the username's count (the address keeps its count: one
right password must not buy an address a fresh series of guesses at other accounts).

The address limit is the higher one because many people may share an address (an office
behind NAT; every client, if a proxy in front does not pass the client address on).
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext_lazy

from infra.clients import client_address
from infra.counters import counter_add, counter_reset, counter_value

REFUSED_CODE = "too_many_failures"
REFUSED_MESSAGE = ngettext_lazy(
    "Too many failed sign-ins for this account or from this network. The password was not "
    "checked. Wait %(minutes)s minute, then try again.",
    "Too many failed sign-ins for this account or from this network. The password was not "
    "checked. Wait %(minutes)s minutes, then try again.",
    "minutes",
)


def _username_key(username: str) -> str:
    # Hashed: any text may be typed as a username, and cache keys must stay short and plain.
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"signin:failures:user:{digest}"


def _address_key(address: str) -> str:
    return f"signin:failures:address:{address}"


def _count(key: str) -> int:
    return counter_value(key)


def _increment(key: str) -> None:
    """Count one failure; the count expires a window after its first failure."""
    counter_add(key, window=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def signin_refused(*, username: str, address: str | None) -> bool:
    """True when this username or this address has used up its failures for the window."""
    if username and _count(_username_key(username)) >= settings.LOGIN_FAILURE_LIMIT:
        return True
    return bool(address) and _count(_address_key(address)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def signin_failure_record(*, username: str, address: str | None) -> None:
    if username:
        _increment(_username_key(username))
    if address:
        _increment(_address_key(address))


def signin_failures_reset(*, username: str) -> None:
    counter_reset(_username_key(username))


class FailureLimitMixin:
    """For an ``AuthenticationForm``: refuse without checking the password past the limit."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if signin_refused(username=username, address=address):
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            raise ValidationError(REFUSED_MESSAGE, code=REFUSED_CODE, params={"minutes": minutes})
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_failure_record(username=username, address=address)
            raise
        if self.get_user() is not None:
            signin_failures_reset(username=username)
        return cleaned


class SignInForm(FailureLimitMixin, AuthenticationForm):
    pass


class AdminSignInForm(FailureLimitMixin, AdminAuthenticationForm):
    pass


def refused_with_429(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a login view: a form refused for too many failures answers 429 with ``Retry-After``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.is_bound and form.has_error(NON_FIELD_ERRORS, code=REFUSED_CODE):
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
        return response

    return wrapped
