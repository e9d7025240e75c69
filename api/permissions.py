"""Scopes: a view names the scope each kind of call needs; a key without it gets 403.

A method the resource does not offer is 405 (with ``Allow``) for every valid key, whatever its scopes:
the permission lets it through to the view, which answers it."""

from django.utils.translation import gettext
from rest_framework import exceptions, permissions

from .models import ApiKey

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def required_scope(view, method: str) -> str | None:
    """The scope ``method`` needs on ``view``: ``view.scopes["read"]`` for reads, ``["write"]`` else.

    A view may map its own names; a scope of ``None`` lets any valid key in.
    """
    scopes = getattr(view, "scopes", {})
    kind = "read" if method in READ_METHODS else "write"
    if kind not in scopes:
        raise exceptions.PermissionDenied(gettext("This call is not open to API keys."))
    return scopes[kind]


def offers(view, method: str) -> bool:
    """Whether ``view`` answers ``method`` at this URL (a viewset binds only the methods of its route)."""
    return method.lower() in view.http_method_names and hasattr(view, method.lower())


class HasScope(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiKey):
            raise exceptions.NotAuthenticated(gettext("Send an API key as 'Authorization: Bearer <key>'."))
        if not offers(view, request.method):
            return True  # the view answers 405 Method Not Allowed, with its Allow header
        scope = required_scope(view, request.method)
        if scope is not None and not request.auth.has_scope(scope):
            message = gettext("This API key lacks the scope '%(scope)s'.") % {"scope": scope}
            raise exceptions.PermissionDenied(message, code="missing_scope")
        return True
