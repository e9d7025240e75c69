"""Re-assembling every customer a map concerns, in the background, after the map was published,
edited or withdrawn: an ``AssemblyRun`` with its progress, resumable where it stopped."""

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from infra.tasks import enqueue_on_commit
from journeys.hooks import journeys_changed
from journeys.models import AssemblyRun, AssemblyRunStatus, Journey, JourneyMap, JourneyOrigin
from touchpoints.models import Interaction

from .assembly import journeys_assemble

logger = logging.getLogger(__name__)

RUN_BATCH = 200  # customers re-assembled (and progress written) per transaction
MAX_ATTEMPTS = 3
STALLED_AFTER_SECONDS = 600  # a running run whose progress has not moved for this long is resumed


def assembly_run_start(*, journey_map: JourneyMap, user=None) -> AssemblyRun:
    """Queue a run for ``journey_map`` (in the caller's transaction; the task starts on commit). A run
    of the map still queued is reused: it will read the map as it is when it starts."""
    run = AssemblyRun.objects.filter(journey_map=journey_map, status=AssemblyRunStatus.QUEUED).first()
    if run is None:
        run = AssemblyRun.objects.create(journey_map=journey_map, created_by=user)
    enqueue_on_commit("journeys.tasks.assembly_run_execute", run.id)
    return run


def _customers(journey_map: JourneyMap) -> list[int]:
    """Every customer the map concerns, in id order: those with interactions at its touchpoints,
    and those with journeys it assembled (which may have to go)."""
    touchpoints = list(journey_map.steps.values_list("touchpoint_id", flat=True))
    at_steps = set(
        Interaction.objects.filter(touchpoint_id__in=touchpoints)
        .values_list("customer_id", flat=True)
        .order_by()
        .distinct()
    )
    assembled = Journey.objects.filter(Q(journey_map=journey_map), origin=JourneyOrigin.ASSEMBLED)
    at_steps |= set(assembled.values_list("customer_id", flat=True).order_by().distinct())
    return sorted(at_steps)


def _claim(run_id: int) -> AssemblyRun | None:
    """Take the run if it is queued, or running but stalled (its worker died); None otherwise."""
    with transaction.atomic():
        run = AssemblyRun.objects.select_for_update(skip_locked=True).filter(id=run_id).first()
        if run is None or run.status in (AssemblyRunStatus.DONE, AssemblyRunStatus.FAILED):
            return None
        stalled = run.started_at and (timezone.now() - run.started_at).total_seconds() > STALLED_AFTER_SECONDS
        if run.status == AssemblyRunStatus.RUNNING and not stalled:
            return None
        run.status, run.started_at = AssemblyRunStatus.RUNNING, timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "started_at", "attempts"])
        return run


def assembly_run_execute(run_id: int) -> AssemblyRun | None:
    """Run it: every concerned customer's journeys re-made from their whole history, a batch per
    transaction, the progress saved with each batch (``started_at`` doubles as the heartbeat).
    None when another worker has it, or it is finished."""
    run = _claim(run_id)
    if run is None:
        return None
    try:
        customers = [c for c in _customers(run.journey_map) if c > run.last_customer_id]
        if run.total == 0 or run.last_customer_id == 0:
            run.total, run.done = len(customers), 0
            run.save(update_fields=["total", "done"])
        for start in range(0, len(customers), RUN_BATCH):
            batch = customers[start : start + RUN_BATCH]
            began = time.monotonic()
            with transaction.atomic():
                journeys_assemble(dict.fromkeys(batch))
                # Their step positions may have moved with the map even where assembly changed
                # nothing: the journey figures are recomputed with the map as it is now.
                on_map = Journey.objects.filter(customer_id__in=batch, journey_map=run.journey_map)
                journeys_changed(journey_ids=list(on_map.values_list("id", flat=True)))
                run.done = min(run.total, run.done + len(batch))
                run.last_customer_id, run.started_at = batch[-1], timezone.now()
                run.save(update_fields=["done", "last_customer_id", "started_at"])
            logger.debug(
                "assembly run %s: %s customers in %.2fs", run.id, len(batch), time.monotonic() - began
            )
    except Exception as exc:
        status = AssemblyRunStatus.FAILED if run.attempts >= MAX_ATTEMPTS else AssemblyRunStatus.QUEUED
        AssemblyRun.objects.filter(id=run.id).update(status=status, error=str(exc)[:2000])
        raise
    run.status, run.finished_at, run.done = AssemblyRunStatus.DONE, timezone.now(), run.total
    run.save(update_fields=["status", "finished_at", "done"])
    return run


def assembly_runs_sweep() -> int:
    """Enqueue runs that are queued (their task lost) or stalled; returns how many."""
    stalled = timezone.now() - timedelta(seconds=STALLED_AFTER_SECONDS)
    runs = AssemblyRun.objects.filter(
        Q(status=AssemblyRunStatus.QUEUED) | Q(status=AssemblyRunStatus.RUNNING, started_at__lt=stalled)
    ).values_list("id", flat=True)
    ids = list(runs)
    for run_id in ids:
        enqueue_on_commit("journeys.tasks.assembly_run_execute", run_id)
    return len(ids)
