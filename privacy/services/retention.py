"""The response retention policy: survey responses older than ``RESPONSE_RETENTION_DAYS`` are
anonymised or deleted (``RESPONSE_RETENTION_MODE``), in batches, within a time budget.

* **anonymise** (the default) keeps every number: free-text answers are
  blanked, the response, its invitation and its follow-up case move to the
  anonymous-respondents placeholder of the customer's segment and value tier,
  and the invitation's link to the interaction is replaced by the
  interaction's touchpoint and channel. Each response stays in the same slice
  of every rollup, so the figures do not change and nothing is recomputed.
* **delete** removes the responses with their answers and follow-up cases;
  their buckets are marked stale first, so the rollups are recomputed from
  the responses that remain. The invitations stay (anonymised as above): they
  were sent, and the response rates count them.

Either way, delivered or failed webhook messages older than the cutoff are
deleted: their bodies are copies of responses and customer ids. One batch is
one transaction; a run stops starting batches when its budget is spent and the
next run carries on, so it is safe to stop, repeat or run concurrently (rows
another run holds are skipped).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from analytics.services import metrics_mark_stale
from audit.services import audit_record
from followups.models import FollowUp
from surveys.models import Answer, Response
from webhooks.models import WebhookMessage, WebhookMessageStatus

from .invitations import invitations_scrub
from .placeholders import anonymous_customer_ids, anonymous_customers

ANONYMISE = "anonymise"
DELETE = "delete"
MODES = (ANONYMISE, DELETE)
BATCH = 500


@dataclass
class RetentionReport:
    """What a run found and did. ``due`` counts the responses past the cutoff when it started."""

    mode: str
    days: int
    cutoff: datetime | None = None
    due: int = 0
    responses: int = 0
    batches: int = 0
    webhook_messages_due: int = 0
    webhook_messages: int = 0
    complete: bool = True
    dry_run: bool = False


def retention_cutoff(*, now: datetime | None = None) -> datetime | None:
    """Responses submitted before this are past retention; None when the policy is off (0 days)."""
    days = settings.RESPONSE_RETENTION_DAYS
    if days <= 0:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def _due(*, mode: str, cutoff: datetime) -> QuerySet[Response]:
    responses = Response.objects.filter(submitted_at__lt=cutoff)
    if mode == ANONYMISE:
        responses = responses.exclude(customer_id__in=anonymous_customer_ids())
    return responses


def _webhook_messages_due(cutoff: datetime) -> QuerySet[WebhookMessage]:
    return WebhookMessage.objects.filter(created_at__lt=cutoff).exclude(status=WebhookMessageStatus.PENDING)


def _lock(ids: list[int], *, mode: str, cutoff: datetime) -> list[dict]:
    """The rows of ``ids`` still due, locked; rows another run holds are skipped."""
    return list(
        _due(mode=mode, cutoff=cutoff)
        .select_for_update(skip_locked=True, of=("self",))
        .filter(id__in=ids)
        .values("id", "invitation_id", "customer_id", "customer__segment", "customer__value_tier")
        .order_by("id")
    )


def _move_to_placeholders(rows: list[dict]) -> dict[int, int]:
    """Give each response of ``rows`` the placeholder of its customer's slice; returns the
    placeholder id per original customer id."""
    slices = {(row["customer__segment"], row["customer__value_tier"]) for row in rows}
    placeholder = anonymous_customers(slices=slices)
    customer_of = {
        row["customer_id"]: placeholder[(row["customer__segment"], row["customer__value_tier"])]
        for row in rows
    }
    moving: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        moving[customer_of[row["customer_id"]]].append(row["id"])
    for placeholder_id, response_ids in moving.items():
        Response.objects.filter(id__in=response_ids).update(customer_id=placeholder_id)
        FollowUp.objects.filter(response_id__in=response_ids).update(
            customer_id=placeholder_id, notes="", outcome=""
        )
    return customer_of


@transaction.atomic
def _anonymise_batch(ids: list[int], *, cutoff: datetime) -> int:
    rows = _lock(ids, mode=ANONYMISE, cutoff=cutoff)
    if not rows:
        return 0
    response_ids = [row["id"] for row in rows]
    Answer.objects.filter(response_id__in=response_ids).exclude(text="").update(text="")
    customer_of = _move_to_placeholders(rows)
    invitations_scrub(
        invitation_ids=[row["invitation_id"] for row in rows], customer_of=customer_of, detach=True
    )
    return len(rows)


@transaction.atomic
def _delete_batch(ids: list[int], *, cutoff: datetime) -> int:
    rows = _lock(ids, mode=DELETE, cutoff=cutoff)
    if not rows:
        return 0
    response_ids = [row["id"] for row in rows]
    # Before the delete: the rows must still be there for their days to be found.
    metrics_mark_stale(response_ids=response_ids)
    placeholder = anonymous_customers(
        slices={(row["customer__segment"], row["customer__value_tier"]) for row in rows}
    )
    customer_of = {
        row["customer_id"]: placeholder[(row["customer__segment"], row["customer__value_tier"])]
        for row in rows
    }
    invitation_ids = [row["invitation_id"] for row in rows]
    Response.objects.filter(id__in=response_ids).delete()  # answers and follow-up cases go with them
    invitations_scrub(invitation_ids=invitation_ids, customer_of=customer_of, detach=True)
    return len(rows)


Progress = Callable[[str, int], Callable[[int], None]]


def _out_of_time(report: RetentionReport, deadline: float | None) -> bool:
    """Whether the run must stop starting batches: its budget (a ``monotonic`` deadline, None for
    no limit) is spent, or it is already incomplete. A spent budget marks the report incomplete."""
    if deadline is not None and monotonic() > deadline:
        report.complete = False
    return not report.complete


def _responses_apply(
    report: RetentionReport,
    *,
    cutoff: datetime,
    batch_size: int,
    deadline: float | None,
    progress: Progress | None,
) -> None:
    """Anonymise or delete the due responses batch by batch, newest first, counting them in ``report``."""
    apply_batch = _anonymise_batch if report.mode == ANONYMISE else _delete_batch
    advance = progress(gettext("Responses"), report.due) if progress else None
    while not _out_of_time(report, deadline):
        # Newest first: the responses anonymised by earlier runs are the oldest, so a scan from
        # the cutoff down meets the newly due ones first instead of wading through those.
        due = _due(mode=report.mode, cutoff=cutoff).order_by("-submitted_at", "-id")
        ids = list(due.values_list("id", flat=True)[:batch_size])
        if not ids:
            break
        done = apply_batch(ids, cutoff=cutoff)
        if done == 0:  # every one of them is held by a concurrent run: leave the rest to it
            report.complete = False
            break
        report.responses += done
        report.batches += 1
        if advance:
            advance(done)


def _webhook_messages_delete(
    report: RetentionReport,
    *,
    cutoff: datetime,
    batch_size: int,
    deadline: float | None,
    progress: Progress | None,
) -> None:
    """Delete the delivered or failed webhook messages older than ``cutoff``, counting them in ``report``."""
    advance = progress(gettext("Webhook messages"), report.webhook_messages_due) if progress else None
    while not _out_of_time(report, deadline):
        ids = list(_webhook_messages_due(cutoff).order_by("id").values_list("id", flat=True)[:batch_size])
        if not ids:
            break
        deleted, _ = WebhookMessage.objects.filter(id__in=ids).delete()
        report.webhook_messages += deleted
        if advance:
            advance(deleted)


def _retention_audit(report: RetentionReport) -> None:
    """Record the run as a ``retention`` audit event (counts only)."""
    audit_record(
        action="retention",
        target=f"responses:{report.mode}",
        details={
            "mode": report.mode,
            "days": report.days,
            "cutoff": report.cutoff.isoformat(),
            "responses": report.responses,
            "webhook_messages": report.webhook_messages,
            "complete": report.complete,
        },
    )


def responses_retention_apply(
    *,
    now: datetime | None = None,
    budget_seconds: float | None = 200.0,
    batch_size: int = BATCH,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RetentionReport:
    """Apply the retention policy to the responses past the cutoff, in batches.

    ``budget_seconds`` (None: no limit) stops new batches once spent, with
    ``complete=False``; ``dry_run`` only counts. ``progress(label, total)``
    is called per phase and returns a callable told how many rows were just
    done. A run that changed anything records a ``retention`` audit event.
    """
    mode, days = settings.RESPONSE_RETENTION_MODE, settings.RESPONSE_RETENTION_DAYS
    if mode not in MODES:
        raise ValueError(f"RESPONSE_RETENTION_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RetentionReport(mode=mode, days=days, dry_run=dry_run)
    report.cutoff = cutoff = retention_cutoff(now=now)
    if cutoff is None:
        return report
    report.due = _due(mode=mode, cutoff=cutoff).count()
    report.webhook_messages_due = _webhook_messages_due(cutoff).count()
    if dry_run:
        return report
    deadline = None if budget_seconds is None else monotonic() + budget_seconds
    _responses_apply(report, cutoff=cutoff, batch_size=batch_size, deadline=deadline, progress=progress)
    _webhook_messages_delete(
        report, cutoff=cutoff, batch_size=batch_size, deadline=deadline, progress=progress
    )
    if report.responses or report.webhook_messages:
        _retention_audit(report)
    return report
