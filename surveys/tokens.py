"""Invitation tokens: the only key to a survey link.

A token carries 256 bits from ``secrets``; the database stores only its SHA-256
hash, so neither a database dump nor a log of stored rows reveals a working link.
"""

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits of entropy (the floor is 128)


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token, as stored in ``Invitation.token_hash``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh URL-safe token and its hash: email the first, store the second."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)
