"""Per-key rate limit: ``API_THROTTLE_RATE`` requests (e.g. ``600/min``) per API key.

A fixed window counted with one atomic ``cache.incr`` per request in the
Django cache (Redis in production, so every web process shares the count);
``none`` or empty turns the limit off. Over the limit the answer is 429 with
``Retry-After``: the seconds until the window ends.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

from .models import ApiKey

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"600/min"`` → ``(600, 60)``; None for ``""`` or ``"none"``. Periods: s, min, hour, day."""
    rate = (rate or "").strip().lower()
    if rate in ("", "none"):
        return None
    count, _, period = rate.partition("/")
    try:
        requests, seconds = int(count), _PERIODS[period.strip()[:1]]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"API_THROTTLE_RATE must look like '600/min', got {rate!r}") from None
    if requests < 1:
        raise ImproperlyConfigured("API_THROTTLE_RATE must allow at least one request")
    return requests, seconds


class ApiKeyThrottle(BaseThrottle):
    timer = staticmethod(time.time)

    def allow_request(self, request, view) -> bool:
        self._wait = None
        limit = parse_rate(getattr(settings, "API_THROTTLE_RATE", ""))
        if limit is None or not isinstance(request.auth, ApiKey):
            return True
        requests, seconds = limit
        now = self.timer()
        window = int(now // seconds)
        # The prefix, not the id: ids are reused by a reset database, prefixes are random.
        key = f"api-throttle:{request.auth.prefix}:{seconds}:{window}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr: this is its first request
            cache.add(key, 1, timeout=seconds + 1)
            count = 1
        if count <= requests:
            return True
        self._wait = max(1, math.ceil((window + 1) * seconds - now))
        return False

    def wait(self) -> float | None:
        return self._wait
