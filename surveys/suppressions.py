"""The keys an address is suppressed under: the address itself, or a keyed hash of it.

When a customer's personal data is erased, their address must leave the
suppression list, yet an address that bounced or complained must still never
be emailed should it come back (a CRM re-creating the person). The entry is
therefore kept as an HMAC-SHA256 of the lower-cased address under a key
derived from ``SECRET_KEY``: it matches the address when it is seen again, and
a database dump alone cannot be turned back into addresses by hashing a list
of candidates. Changing ``SECRET_KEY`` orphans the hashed entries (as it does
the survey links).
"""

import hashlib
import hmac

from django.conf import settings

HASH_PREFIX = "hmac-sha256:"
_KEY_SALT = b"cem.surveys.suppressed-address"


def suppression_hash(address: str) -> str:
    """The hashed form an erased address is suppressed under (``hmac-sha256:`` and 64 hex digits)."""
    key = hashlib.sha256(_KEY_SALT + settings.SECRET_KEY.encode("utf-8")).digest()
    digest = hmac.new(key, address.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{HASH_PREFIX}{digest}"


def suppression_keys(address: str) -> list[str]:
    """Every ``EmailSuppression.email`` value that suppresses ``address``."""
    return [address.strip().lower(), suppression_hash(address)]
