"""Writing the audit log: ``audit_record``, the one way in."""

from contextvars import ContextVar

from django.http import HttpRequest

from infra.clients import client_address

from .models import AuditAction, AuditEvent

TARGET_MAX_LENGTH = AuditEvent._meta.get_field("target").max_length
LABEL_MAX_LENGTH = AuditEvent._meta.get_field("actor_label").max_length

# The request being served, set by ``AuditRequestMiddleware``: a change recorded from a
# model signal (a user's groups edited in the admin) is attributed to whoever made it.
current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)


def audit_record(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    target: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``action`` is one of ``AuditAction`` (``ValueError`` otherwise). ``request`` gives the
    client address, and the actor when ``actor`` is None (its signed-in user, if any);
    without either, the request being served is used, if there is one. An event without an
    actor is the system's (a scheduled job, a command, a failed sign-in). ``details`` must be
    JSON-serialisable; ``target`` is cut to 200 characters.

    Runs in the caller's transaction, so an act and its record commit or roll back together.
    """
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}; known: {', '.join(AuditAction.values)}.")
    request = request if request is not None else current_request.get()
    if actor is not None and not actor.is_authenticated:  # AnonymousUser: nobody signed in
        actor = None
    label = ""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        key = getattr(user, "api_key", None)
        if key is not None:  # an API call: the system behind a key, named by the key
            label = f"API key {key.name}"
        elif user is not None and user.is_authenticated:
            actor = user
    if actor is not None:
        label = actor.get_username()
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=label[:LABEL_MAX_LENGTH],
        target=str(target)[:TARGET_MAX_LENGTH],
        details=details or {},
        ip=client_address(request),
    )
