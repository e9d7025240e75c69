"""``Authorization: Bearer <api key>``: the only way into the API."""

from dataclasses import dataclass

from django.utils.translation import gettext
from rest_framework import authentication, exceptions

from .keys import api_key_find, api_key_touch
from .models import ApiKey


@dataclass(frozen=True)
class ApiClient:
    """``request.user`` of an API call: the system behind a key (``request.auth`` is the key)."""

    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def pk(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def __str__(self) -> str:
        return str(self.api_key)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """No header: anonymous (the permission answers 401). A header that is not a live key: 401."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme.lower() != self.keyword.lower() or not key or " " in key:
            raise exceptions.AuthenticationFailed(
                gettext("Send the API key as 'Authorization: Bearer <key>'.")
            )
        api_key = api_key_find(key=key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(gettext("Invalid API key."))
        if not api_key.is_active:
            raise exceptions.AuthenticationFailed(gettext("This API key has been revoked."), code="revoked")
        api_key_touch(api_key=api_key)
        return ApiClient(api_key), api_key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'{self.keyword} realm="api"'
