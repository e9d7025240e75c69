"""Invitation tokens: the only key to a survey link.

Each invitation gets a 128-bit random nonce from ``secrets``; its token is the
HMAC-SHA256 of that nonce under a key derived from ``SECRET_KEY`` (256 bits,
URL-safe). The database stores the nonce and the SHA-256 hash of the token,
never the token: a database dump alone opens no survey, yet the sender can
derive the same link again for the reminder. A link is checked by hashing the
presented token and looking the hash up, so the check needs no secret at all.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

NONCE_BYTES = 16  # 128 bits of entropy, the floor the design sets
_KEY_SALT = b"cem.surveys.invitation-token"


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token, as stored in ``Invitation.token_hash``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_nonce_new() -> str:
    """A fresh random nonce (hex) for a new invitation."""
    return secrets.token_hex(NONCE_BYTES)


def token_for(nonce: str) -> str:
    """The URL-safe token of ``nonce`` under this installation's secret key."""
    key = hashlib.sha256(_KEY_SALT + settings.SECRET_KEY.encode("utf-8")).digest()
    digest = hmac.new(key, nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_new() -> tuple[str, str, str]:
    """A fresh (nonce, token, token hash): store the first and last, email the middle one."""
    nonce = token_nonce_new()
    token = token_for(nonce)
    return nonce, token, token_hash(token)
