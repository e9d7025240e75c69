"""API key use cases: create (the key is returned once), find by the presented key, revoke, touch."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from audit.models import AuditAction
from audit.services import audit_record

from .models import ApiKey
from .scopes import ALL_SCOPES, scopes_unknown

KEY_PREFIX = "cem_"
PREFIX_HEX = 8  # characters of the public prefix
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_HEX_PREFIX = re.compile(f"[0-9a-f]{{{PREFIX_HEX}}}")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, scopes: Iterable[str] | None = None, created_by=None) -> tuple[ApiKey, str]:
    """A new key with ``scopes`` (every scope when None); returns the row and the key, shown once.

    Raises ``ValidationError`` for an empty name, no scope or an unknown scope.
    """
    scopes = list(dict.fromkeys(ALL_SCOPES if scopes is None else scopes))
    unknown = scopes_unknown(scopes)
    if unknown:
        message = ngettext(
            "Unknown scope: %(unknown)s. Known scopes: %(known)s.",
            "Unknown scopes: %(unknown)s. Known scopes: %(known)s.",
            len(unknown),
        )
        raise ValidationError(
            {"scopes": message % {"unknown": ", ".join(unknown), "known": ", ".join(ALL_SCOPES)}}
        )
    if not scopes:
        raise ValidationError({"scopes": gettext("A key needs at least one scope.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("A key needs a name.")})
    prefix = secrets.token_hex(PREFIX_HEX // 2)
    while ApiKey.objects.filter(prefix=prefix).exists():  # 2^32 prefixes: practically never loops
        prefix = secrets.token_hex(PREFIX_HEX // 2)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        name=name[:100], prefix=prefix, key_hash=key_hash(key), scopes=scopes, created_by=created_by
    )
    audit_record(
        action=AuditAction.API_KEY_CREATED,
        actor=created_by,
        target=api_key.label,
        details={"name": api_key.name, "prefix": prefix, "scopes": scopes},
    )
    return api_key, key


def api_key_find(*, key: str) -> ApiKey | None:
    """The key row ``key`` belongs to, revoked or not; None for a key that is not one of ours.

    One indexed query by the public prefix, then a constant-time hash comparison.
    """
    if not key.startswith(KEY_PREFIX) or len(key) < len(KEY_PREFIX) + PREFIX_HEX + 2:
        return None
    prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_HEX]
    if not _HEX_PREFIX.fullmatch(prefix):  # never query with what cannot be a prefix (a NUL would crash it)
        return None
    api_key = ApiKey.objects.filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.key_hash, key_hash(key)):
        return None
    return api_key


def api_key_touch(*, api_key: ApiKey, now: datetime | None = None) -> bool:
    """Record that the key was used, at most once per ``LAST_USED_RESOLUTION``; True if written.

    The conditional UPDATE keeps concurrent requests from writing the same minute twice.
    """
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return False
    written = ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION), id=api_key.id
    ).update(last_used_at=now)
    api_key.last_used_at = now
    return bool(written)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, now: datetime | None = None, revoked_by=None) -> ApiKey:
    """Revoke the key: from now on it authenticates nothing. Revoking twice keeps the first time."""
    if api_key.revoked_at is None:
        api_key.revoked_at = now or timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditAction.API_KEY_REVOKED,
            actor=revoked_by,
            target=api_key.label,
            details={"name": api_key.name, "prefix": api_key.prefix},
        )
    return api_key
