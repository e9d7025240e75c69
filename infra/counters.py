"""Failure counters in the cache, behind the sign-in and public-survey rate limits.

A counter lives a window from its first count. When the cache (Redis) cannot be reached, a
counter counts nothing and reads 0, and the failure is logged: while Redis is away the limits
lapse, rather than taking the sign-in and survey pages down with it.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a requirement; a cache without it raises OSError
    RedisError = OSError

CACHE_ERRORS = (RedisError, OSError)


def counter_add(key: str, *, window: int) -> None:
    """Count one more under ``key``; the count expires ``window`` seconds after its first."""
    try:
        if cache.add(key, 1, timeout=window):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
    except CACHE_ERRORS:
        logger.warning("cache unreachable: counter %s not counted", key, exc_info=True)


def counter_value(key: str) -> int:
    """The count under ``key`` (0 when none, or when the cache cannot be reached)."""
    try:
        return cache.get(key) or 0
    except CACHE_ERRORS:
        logger.warning("cache unreachable: counter %s read as 0", key, exc_info=True)
        return 0


def counter_reset(key: str) -> None:
    try:
        cache.delete(key)
    except CACHE_ERRORS:
        logger.warning("cache unreachable: counter %s not reset", key, exc_info=True)
