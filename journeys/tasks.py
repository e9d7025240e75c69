"""Celery tasks of the journeys app (the ``journeys`` queue): thin, they call a service."""

from celery import shared_task

from . import services

# A full re-assembly of a map over millions of interactions takes minutes; it saves its progress
# every batch and resumes where it stopped, so the limits only bound one attempt.
RUN_SOFT_TIME_LIMIT = 3000
RUN_TIME_LIMIT = 3300


@shared_task
def journeys_assemble_pending() -> dict:
    """Assemble the journeys of every customer marked (after each commit that marks, and every
    minute by beat). Safe to run twice or concurrently: runs skip each other's customers, and
    assembly gives the same journeys however often it runs."""
    result = services.journeys_assemble_pending()
    return {
        "customers": result.customers,
        "interactions": result.interactions,
        "created": result.created,
        "updated": result.updated,
        "deleted": result.deleted,
    }


@shared_task
def journeys_timeout_sweep() -> dict:
    """Beat, every minute: abandon open journeys past their map's inactivity timeout; resume map
    re-assemblies whose task was lost."""
    return {"abandoned": services.journeys_timeout_close(), "runs": services.assembly_runs_sweep()}


@shared_task(soft_time_limit=RUN_SOFT_TIME_LIMIT, time_limit=RUN_TIME_LIMIT)
def assembly_run_execute(run_id: int) -> str:
    run = services.assembly_run_execute(run_id)
    return run.status if run else "skipped"
