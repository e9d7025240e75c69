"""Seed (or re-seed) a whole believable demo: catalogue, customers, journeys, surveys, answers,
and the follow-up cases of the last ``FOLLOW_UP_MAX_AGE_DAYS``, some worked, some overdue.

Deterministic for a seed: one ``random.Random(seed)`` drives every draw, and all
times are offsets from a single ``now``. Rows go in with ``bulk_create`` in
batches, a chunk of customers at a time, so 2,000 customers take seconds.

Journeys are not written by the simulation: once every interaction is in, the published maps'
rules assemble them (``journeys.services.journeys_assemble``, a batch of customers at a time),
as they assemble live interactions; their scores come from the metrics rebuild that follows.

The demo is seeded in one of ``DEMO_LANGUAGES``: its names, texts, customers and notes are
that language's, and its numbers come from the same simulation (the same distributions).
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext

from journeys.models import AssemblyMark, AssemblyRun, Journey, JourneyMap, JourneyMapStep
from journeys.services import journeys_assemble
from surveys.models import Answer, Invitation, Question, Response, Survey
from touchpoints.models import Customer, Interaction, Touchpoint

from .activity import Catalogue, customer_activity
from .catalogue import BATCH_SIZE, catalogue_create
from .follow_ups import follow_ups_seed
from .languages import DEFAULT_LANGUAGE, DEMO_LANGUAGES
from .people import customer_draft, demo_users_reset
from .questionnaires import DemoSurveys, surveys_create
from .responses import EXPIRY, Batch, Responder

CHUNK = 500  # customers generated, then inserted, at a time
ASSEMBLY_BATCH = 500  # customers whose journeys are assembled in one call
DAYS_PER_MONTH = 365.25 / 12


class ProgressBar(Protocol):
    def update(self, n: int = 1) -> object: ...
    def close(self) -> None: ...


class DemoDataPresent(Exception):
    """The database already holds customers or touchpoints; seeding would mix data."""


@dataclass(frozen=True)
class DemoSummary:
    counts: dict[str, int]  # rows per table, by a readable name
    seconds: float  # wall time of the whole seed, wipe included


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def demo_data_counts() -> dict[str, int]:
    """How many rows of each domain table the database holds."""
    return {
        "touchpoints": Touchpoint.objects.count(),
        "journey maps": JourneyMap.objects.count(),
        "customers": Customer.objects.count(),
        "journeys": Journey.objects.count(),
        "interactions": Interaction.objects.count(),
        "surveys": Survey.objects.count(),
        "questions": Question.objects.count(),
        "invitations": Invitation.objects.count(),
        "responses": Response.objects.count(),
        "answers": Answer.objects.count(),
    }


def demo_data_present() -> bool:
    return Customer.objects.exists() or Touchpoint.objects.exists()


def domain_data_wipe() -> None:
    """Delete every customer, touchpoint, journey, survey and what hangs off them.

    Children first, so no PROTECT foreign key (answer → question, response →
    invitation, invitation → survey, interaction → touchpoint, journey → map,
    map step → touchpoint) ever blocks a delete.
    """
    for model in (
        Answer,
        Response,
        Invitation,
        Interaction,
        AssemblyMark,
        Journey,
        AssemblyRun,
        JourneyMapStep,
        JourneyMap,
        Question,
        Survey,
        Customer,
        Touchpoint,
    ):
        model.objects.all().delete()


def _flush(batch: Batch, customers: list[Customer], interactions) -> None:
    """Insert one chunk, parents before children, each in batches."""
    for model, rows in (
        (Customer, customers),
        (Interaction, interactions),
        (Invitation, batch.invitations),
        (Response, batch.responses),
        (Answer, batch.answers),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _backdate(*, surveys, catalogue_since: datetime, now: datetime) -> None:
    """Move the auto_now_add stamps to when things happened: one UPDATE per table.

    An invitation is created when it is queued (``send_after``) and expires 60
    days later; inserting it with those values directly would break the CHECK
    expires_at > created_at, because the insert stamps created_at with now.
    """
    Invitation.objects.filter(survey__in=surveys).update(
        created_at=F("send_after"),
        expires_at=ExpressionWrapper(F("send_after") + EXPIRY, output_field=DateTimeField()),
    )
    Interaction.objects.update(created_at=F("occurred_at"))
    Journey.objects.update(created_at=F("started_at"))
    first_contact = (
        Interaction.objects.filter(customer=OuterRef("pk"))
        .values("customer")
        .annotate(first=Min("occurred_at"))
        .values("first")
    )
    Customer.objects.update(created_at=Coalesce(Subquery(first_contact), Value(now)))
    for model in (Touchpoint, JourneyMap, Survey):
        model.objects.update(created_at=catalogue_since)


def _customers_seed(
    rng: random.Random,
    catalogue: Catalogue,
    surveys: DemoSurveys,
    bar: ProgressBar,
    *,
    customers: int,
    start: datetime,
    now: datetime,
) -> None:
    """Simulate and insert every customer with their contacts and answers, by chunks."""
    for chunk_start in range(1, customers + 1, CHUNK):
        batch, chunk_customers, interactions = Batch(), [], []
        responder = Responder(rng, surveys, now=now, batch=batch, language=catalogue.language)
        for number in range(chunk_start, min(chunk_start + CHUNK, customers + 1)):
            draft = customer_draft(rng, number, start=start, now=now, language=catalogue.language)
            activity = customer_activity(rng, catalogue, draft, start=start, now=now)
            responder.customer(activity, start=start)
            chunk_customers.append(draft.customer)
            interactions += activity.interactions
            bar.update(1)
        _flush(batch, chunk_customers, interactions)


def _journeys_assemble(*, now: datetime) -> int:
    """Assemble every demo customer's journeys from their interactions by the published maps' rules,
    ``ASSEMBLY_BATCH`` customers a call (each set-based); returns how many journeys it made."""
    customer_ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    made = 0
    for first in range(0, len(customer_ids), ASSEMBLY_BATCH):
        batch = customer_ids[first : first + ASSEMBLY_BATCH]
        made += journeys_assemble(dict.fromkeys(batch), now=now, publish_events=False).created
    return made


def _refuse_or_wipe(*, force: bool) -> None:
    """Raise ``DemoDataPresent`` when domain data exists, unless ``force``: then delete it all."""
    if not demo_data_present():
        return
    if not force:
        counts = demo_data_counts()
        raise DemoDataPresent(
            gettext(
                "The database already holds data (customers: %(customers)s, touchpoints: "
                "%(touchpoints)s); nothing was changed. Run with --force to delete ALL customers, "
                "touchpoints, journeys and surveys and seed the demo again."
            )
            % {"customers": counts["customers"], "touchpoints": counts["touchpoints"]}
        )
    domain_data_wipe()


@transaction.atomic
def build_demo(
    *,
    customers: int = 2000,
    seed: int = 42,
    months: int = 12,
    force: bool = False,
    language: str = DEFAULT_LANGUAGE,
    progress: Callable[[int], ProgressBar] | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Seed the demo in ``language`` in one transaction: all of it, or (on any error) nothing.

    Refuses with ``DemoDataPresent`` when customers or touchpoints exist, unless
    ``force``, which first deletes every domain row (not just earlier demo rows).
    ``progress(total)`` returns a bar that is advanced once per customer. Text the platform
    writes itself while seeding (the follow-up cases' history) is written in ``language`` too.
    """
    started = time.monotonic()
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be at least 1")
    if language not in DEMO_LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(DEMO_LANGUAGES)}, not {language!r}")
    with translation.override(language):
        _refuse_or_wipe(force=force)
        now = now or timezone.now()
        start = now - timedelta(days=months * DAYS_PER_MONTH)
        rng = random.Random(seed)
        manager, agent = demo_users_reset(language)
        touchpoints, maps = catalogue_create(language, published_at=start - timedelta(days=30))
        surveys = surveys_create(created_by=manager, language=language)
        catalogue = Catalogue(touchpoints, maps, agent, language)
        bar = progress(customers) if progress else _NoProgress()
        try:
            _customers_seed(rng, catalogue, surveys, bar, customers=customers, start=start, now=now)
        finally:
            bar.close()
        _journeys_assemble(now=now)
        all_surveys = [surveys.relationship, surveys.transactional, surveys.csat]
        _backdate(surveys=all_surveys, catalogue_since=start - timedelta(days=30), now=now)
        follow_ups_seed(rng, now=now, agent=agent, manager=manager, language=language)
    return DemoSummary(counts=demo_data_counts(), seconds=time.monotonic() - started)
