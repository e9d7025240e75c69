"""Operational endpoints of the analytics app."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from analytics import selectors

logger = logging.getLogger(__name__)

# Beat runs the heartbeat every 60 s; three missed beats mean the workers are down.
WORKER_STALE_AFTER_SECONDS = 180


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 200 when the database and cache answer, else 503.

    The worker's last heartbeat is reported, not required: the site keeps
    serving while workers restart.
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # any failure means "not ok"; logged with its trace
        logger.exception("health check: database unreachable")
        checks["database"] = "error"
    probe = uuid.uuid4().hex
    try:
        cache.set("health-probe", probe, 10)
        checks["cache"] = "ok" if cache.get("health-probe") == probe else "error"
    except Exception:
        logger.exception("health check: cache unreachable")
        checks["cache"] = "error"

    worker = {"last_seen": None, "fresh": False}
    if checks["database"] == "ok":
        last_seen = selectors.worker_last_seen()
        if last_seen is not None:
            age = (timezone.now() - last_seen).total_seconds()
            worker = {
                "last_seen": last_seen.isoformat(),
                "fresh": age < WORKER_STALE_AFTER_SECONDS,
            }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks, "worker": worker},
        status=200 if healthy else 503,
    )
