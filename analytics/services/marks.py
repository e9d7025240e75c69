"""Marking what changed: the first step of the refresh protocol (``analytics.services.freshness``).

A writer calls ``metrics_mark_stale`` for rows it changed or is about to delete (their whole days
are recomputed) and ``metrics_mark_added`` for rows it has just created (they are added to their
days' rollups as they are); both only insert ``StaleMark`` rows in the writer's transaction and
ask for a refresh once it commits.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import F
from django.utils import timezone

from analytics.models import StaleKind, StaleMark
from infra.days import day_of, local_day
from infra.tasks import enqueue_on_commit
from journeys.models import Journey
from surveys.models import Invitation, Response
from touchpoints.models import Interaction


def _response_day_marks(response_ids: list[int]) -> list[StaleMark]:
    """One ``RESPONSE_DAY`` mark per distinct submission day of the responses."""
    days = (
        Response.objects.filter(id__any=response_ids)
        .annotate(bucket_day=day_of("submitted_at"))
        .values_list("bucket_day", flat=True)
        .order_by()  # the model's default ordering would defeat DISTINCT
        .distinct()
    )
    return [StaleMark(kind=StaleKind.RESPONSE_DAY, day=day) for day in days]


def _invitation_day_marks(invitation_ids: list[int]) -> list[StaleMark]:
    """One ``INVITATION_DAY`` mark per distinct sending day of the sent invitations."""
    days = (
        Invitation.objects.filter(id__any=invitation_ids, sent_at__isnull=False)
        .annotate(bucket_day=day_of("sent_at"))
        .values_list("bucket_day", flat=True)
        .order_by()
        .distinct()
    )
    return [StaleMark(kind=StaleKind.INVITATION_DAY, day=day) for day in days]


def _interaction_day_marks(interaction_ids: list[int]) -> tuple[list[StaleMark], set[int]]:
    """One ``INTERACTION_DAY`` mark per distinct day of the interactions, and their journeys."""
    rows = (
        Interaction.objects.filter(id__any=interaction_ids)
        .annotate(bucket_day=day_of("occurred_at"))
        .values_list("bucket_day", "journey_id")
        .order_by()
        .distinct()
    )
    days, journey_ids = set(), set()
    for day, journey_id in rows:
        days.add(day)
        if journey_id is not None:
            journey_ids.add(journey_id)
    return [StaleMark(kind=StaleKind.INTERACTION_DAY, day=day) for day in sorted(days)], journey_ids


def _journey_marks(journey_ids: set[int]) -> list[StaleMark]:
    """One ``JOURNEY`` mark per journey, dated on the local day it started."""
    starts = Journey.objects.filter(id__any=journey_ids).values_list("id", "started_at")
    return [
        StaleMark(kind=StaleKind.JOURNEY, journey_id=journey_id, day=local_day(started_at))
        for journey_id, started_at in starts
    ]


def metrics_mark_stale(
    *,
    response_ids: Iterable[int] = (),
    interaction_ids: Iterable[int] = (),
    journey_ids: Iterable[int] = (),
    invitation_ids: Iterable[int] = (),
) -> int:
    """Mark the buckets and journeys these rows belong to as stale; refresh after commit.

    Call it in the writing transaction, after inserts and updates and before
    deletes (the rows must still be there to be found); a writer that moves
    an interaction to another journey passes the old journey in
    ``journey_ids``. Interactions also mark their journeys, responses the
    sending day of their invitation. Returns the number of marks written.
    """
    response_ids, interaction_ids, journey_ids = list(response_ids), list(interaction_ids), set(journey_ids)
    invitation_ids = list(invitation_ids)
    marks: list[StaleMark] = []
    if response_ids:
        marks += _response_day_marks(response_ids)
        # An answer changes the response rate of the day its invitation was sent.
        invitation_ids += Response.objects.filter(id__any=response_ids).values_list(
            "invitation_id", flat=True
        )
    if invitation_ids:
        marks += _invitation_day_marks(invitation_ids)
    if interaction_ids:
        interaction_marks, interaction_journey_ids = _interaction_day_marks(interaction_ids)
        marks += interaction_marks
        journey_ids |= interaction_journey_ids
    if journey_ids:
        marks += _journey_marks(journey_ids)
    if not marks:
        return 0
    StaleMark.objects.bulk_create(marks)
    enqueue_on_commit("analytics.tasks.metrics_refresh_stale")
    return len(marks)


def _response_row_marks_insert(response_ids: list[int]) -> int:
    """Insert a mark per new response, and per sent invitation it answers (the sending day's
    response rate), in one statement that reads the rows where it writes the marks (INSERT …
    SELECT); returns how many marks."""
    new = (
        Response.objects.filter(id__any=response_ids)
        .annotate(
            response_row=F("id"),
            bucket_day=day_of("submitted_at"),
            invitation_row=F("invitation_id"),
            sent_day=day_of("invitation__sent_at"),
        )
        .values("response_row", "bucket_day", "invitation_row", "sent_day")
        .order_by()
    )
    sql, params = new.query.sql_with_params()
    table = connection.ops.quote_name(StaleMark._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH new AS ({sql}) INSERT INTO {table} (kind, day, row_id, marked_at) "  # noqa: S608 - names from the models
            "SELECT %s, bucket_day, response_row, %s FROM new "
            "UNION ALL SELECT %s, sent_day, invitation_row, %s FROM new WHERE sent_day IS NOT NULL",
            [*params, StaleKind.RESPONSE_ROW.value, now, StaleKind.INVITATION_ANSWERED.value, now],
        )
        return cursor.rowcount


def _invitation_row_marks(invitation_ids: list[int]) -> list[StaleMark]:
    return [
        StaleMark(kind=StaleKind.INVITATION_SENT, day=day, row_id=invitation_id)
        for invitation_id, day in Invitation.objects.filter(id__any=invitation_ids, sent_at__isnull=False)
        .annotate(bucket_day=day_of("sent_at"))
        .values_list("id", "bucket_day")
    ]


def _interaction_row_marks(interaction_ids: list[int]) -> tuple[list[StaleMark], set[int]]:
    """A mark per new interaction, and the journeys they are part of."""
    marks, journey_ids = [], set()
    for interaction_id, day, journey_id in (
        Interaction.objects.filter(id__any=interaction_ids)
        .annotate(bucket_day=day_of("occurred_at"))
        .values_list("id", "bucket_day", "journey_id")
    ):
        marks.append(StaleMark(kind=StaleKind.INTERACTION_ROW, day=day, row_id=interaction_id))
        if journey_id is not None:
            journey_ids.add(journey_id)
    return marks, journey_ids


def metrics_mark_added(
    *,
    response_ids: Iterable[int] = (),
    interaction_ids: Iterable[int] = (),
    invitation_ids: Iterable[int] = (),
) -> int:
    """Mark rows just created — responses stored, interactions logged, invitations sent — to be
    added to their days' rollups; refresh after commit. Returns the number of marks written.

    Call it in the writing transaction, after the inserts, for new rows only (a change to an
    existing row calls ``metrics_mark_stale``, which has its whole day recomputed). An
    interaction also marks its journey's peak–end score.
    """
    response_ids, interaction_ids, invitation_ids = (
        list(response_ids),
        list(interaction_ids),
        list(invitation_ids),
    )
    written = _response_row_marks_insert(response_ids) if response_ids else 0
    marks: list[StaleMark] = []
    if invitation_ids:
        marks += _invitation_row_marks(invitation_ids)
    if interaction_ids:
        interaction_marks, journey_ids = _interaction_row_marks(interaction_ids)
        marks += interaction_marks
        if journey_ids:
            marks += _journey_marks(journey_ids)
    if marks:
        StaleMark.objects.bulk_create(marks)
    written += len(marks)
    if written:
        enqueue_on_commit("analytics.tasks.metrics_refresh_stale")
    return written
