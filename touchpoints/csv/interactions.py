"""Interactions from CSV: insert, or upsert by ``external_id`` when the row has one.

Columns: ``customer_external_id``, ``touchpoint_code`` and ``occurred_at`` (required);
``external_id``, ``channel`` (default: the touchpoint's), ``agent`` (a username), ``category``,
``outcome``, ``notes``, ``experience_score`` (0–10), ``expected_value`` and ``actual_value``
(only for a touchpoint with a measure), ``journey_external_id`` (the journey's id in the connected
system: the interaction joins that journey, created if need be; not another customer's). An updated
interaction gets the columns the file has and keeps the others, and its journey unless the file
names one.

In the transaction of each batch, the metrics of the interactions' days and journeys are marked
stale — those they had before an update too — and the survey rules are applied (they ignore
interactions older than seven days, so importing history emails nobody).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from touchpoints.models import (
    Channel,
    Customer,
    Interaction,
    InteractionOutcome,
    InteractionSource,
    Touchpoint,
)
from touchpoints.services import InteractionRow, interactions_write

from . import cells
from .batches import Entry, Written
from .cells import CellError, ImportReport

REQUIRED = ("customer_external_id", "touchpoint_code", "occurred_at")
OPTIONAL = (
    "external_id",
    "channel",
    "agent",
    "category",
    "outcome",
    "notes",
    "experience_score",
    "expected_value",
    "actual_value",
    "journey_external_id",
)
COLUMNS = (*REQUIRED, *OPTIONAL)
# The model field each column writes (external_id is the key, never updated).
FIELD_OF = {
    "customer_external_id": "customer",
    "touchpoint_code": "touchpoint",
    "occurred_at": "occurred_at",
    "channel": "channel",
    "agent": "agent",
    "category": "category",
    "outcome": "outcome",
    "notes": "notes",
    "experience_score": "experience_score",
    "expected_value": "expected_value",
    "actual_value": "actual_value",
    "journey_external_id": "journey_ref",
}
# The column of each model field whose name differs (a model error is reported on its column).
COLUMN_OF = {"journey_ref": "journey_external_id"}
NUMBERS = ("experience_score", "expected_value", "actual_value")
CHANNEL = cells.choice(Channel.choices)
OUTCOME = cells.choice(InteractionOutcome.choices)
TEXTS = (
    "customer_external_id",
    "touchpoint_code",
    "agent",
    "external_id",
    "category",
    "notes",
    "journey_external_id",
)


class InteractionImport:
    kind = "interactions"
    required = REQUIRED
    optional = OPTIONAL

    def __init__(self):
        self.now = timezone.now()
        self.touchpoints = {tp.code: tp for tp in Touchpoint.objects.all()}
        self.update_fields = list(FIELD_OF.values())

    def begin(self, columns) -> None:
        # An update writes the columns the file has and keeps the others (the journey always).
        self.update_fields = [FIELD_OF[column] for column in columns if column in FIELD_OF]

    def _lookups(self, rows) -> tuple[dict, dict, dict]:
        """The batch's customers (whole rows: the survey rules read them), agents and the owners of
        the journeys it names by external id (customer ids), one query each."""
        customer_keys = {cells.text(raw["customer_external_id"]) for _row, raw in rows}
        usernames = {cells.text(raw.get("agent", "")) for _row, raw in rows} - {""}
        refs = {cells.text(raw.get("journey_external_id", "")) for _row, raw in rows} - {""}
        customers = {c.external_id: c for c in Customer.objects.filter(external_id__in=customer_keys)}
        agents = (
            {u.get_username(): u for u in get_user_model().objects.filter(username__in=usernames)}
            if usernames
            else {}
        )
        # Journeys sit above the ledger: their model is reached through the interaction's foreign key.
        journeys = Interaction._meta.get_field("journey").related_model.objects
        owners = (
            dict(journeys.filter(external_id__in=refs).values_list("external_id", "customer_id"))
            if refs
            else {}
        )
        return customers, agents, owners

    def _cells(self, raw: dict[str, str]) -> tuple[dict, dict[str, list[str]]]:
        """The row's cells read into values (moments, choices, numbers, texts), and the errors
        of those that could not be read."""
        errors: dict[str, list[str]] = {}
        values = {}

        def read(column, reader):
            try:
                values[column] = reader(raw.get(column, ""))
            except CellError as error:
                errors[column] = [str(error)]

        read("occurred_at", lambda cell: cells.moment(cell, now=self.now))
        read("channel", CHANNEL)
        read("outcome", OUTCOME)
        for column in NUMBERS:
            read(column, cells.number)
        for column in TEXTS:
            values[column] = cells.text(raw.get(column, ""))
        return values, errors

    def _related(self, values: dict, customers: dict, agents: dict, errors: dict[str, list[str]]):
        """The row's customer, touchpoint and agent (None when absent or unknown); adds to
        ``errors`` what is unknown, and measure values given for a touchpoint without a measure."""
        customer = customers.get(values["customer_external_id"])
        if customer is None:
            found = values["customer_external_id"]
            errors["customer_external_id"] = [
                gettext("No customer has external id “%(id)s”: import the customer first.") % {"id": found}
                if found
                else gettext("Required: the customer's external id.")
            ]
        touchpoint = self.touchpoints.get(values["touchpoint_code"])
        if touchpoint is None:
            message = gettext("No touchpoint has the code “%(code)s”.")
            errors["touchpoint_code"] = [message % {"code": values["touchpoint_code"]}]
        agent = agents.get(values["agent"]) if values["agent"] else None
        if values["agent"] and agent is None:
            errors["agent"] = [gettext("No user is called “%(username)s”.") % {"username": values["agent"]}]
        if touchpoint is not None and not touchpoint.has_measure:
            for column in ("expected_value", "actual_value"):
                if values.get(column) is not None:
                    message = gettext("%(touchpoint)s has no measure: leave %(column)s empty.")
                    errors[column] = [message % {"touchpoint": touchpoint.name, "column": column}]
        return customer, touchpoint, agent

    @staticmethod
    def _journey_owned(values: dict, customer, owners: dict, errors: dict[str, list[str]]) -> None:
        """Adds to ``errors`` a journey named by external id that is another customer's."""
        owner = owners.get(values["journey_external_id"])
        if customer is not None and owner is not None and owner != customer.id:
            message = gettext("The journey “%(id)s” is another customer's.")
            errors["journey_external_id"] = [message % {"id": values["journey_external_id"]}]

    def _interaction(self, raw: dict[str, str], lookups: tuple[dict, dict, dict]):
        """The row as an unsaved imported ``Interaction`` and no errors, or None and the errors per column."""
        customers, agents, owners = lookups
        values, errors = self._cells(raw)
        customer, touchpoint, agent = self._related(values, customers, agents, errors)
        self._journey_owned(values, customer, owners, errors)
        if errors:
            return None, errors
        interaction = Interaction(
            external_id=values["external_id"] or None,
            customer=customer,
            touchpoint=touchpoint,
            channel=values["channel"] or touchpoint.channel,
            occurred_at=values["occurred_at"],
            agent=agent,
            category=values["category"],
            outcome=values["outcome"],
            notes=values["notes"],
            experience_score=values["experience_score"],
            expected_value=values["expected_value"],
            actual_value=values["actual_value"],
            journey_ref=values["journey_external_id"],
            source=InteractionSource.IMPORT,
        )
        try:
            # Related rows come from the lookups above (validating them would query per row);
            # CHECK constraints all have field validators.
            interaction.full_clean(
                exclude=["customer", "touchpoint", "agent", "journey"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            return None, {
                COLUMN_OF.get(name, name): messages for name, messages in error.message_dict.items()
            }
        return interaction, {}

    def prepare(self, rows, report: ImportReport) -> list[Entry]:
        lookups = self._lookups(rows)
        entries = []
        for row, raw in rows:
            interaction, errors = self._interaction(raw, lookups)
            if errors:
                report.refuse(row, errors)
            else:
                entries.append(Entry(row=row, key=interaction.external_id, item=interaction))
        return entries

    def write(self, entries: list[Entry]) -> Written:
        """Store the batch with the API's bulk write (``interactions_write``): the same upsert by
        external id, stale marks and survey rules, so the two doors cannot drift apart."""
        interactions = [entry.item for entry in entries]
        customers = {interaction.customer_id: interaction.customer for interaction in interactions}
        rows = interactions_write(
            rows=[InteractionRow(entry.row, self._columns(entry.item)) for entry in entries],
            touchpoints={interaction.touchpoint for interaction in interactions},
            customer_of=customers.__getitem__,
            source=InteractionSource.IMPORT,
            now=self.now,
        )
        created = sum(row.created for row in rows)
        return Written(created=created, updated=len(rows) - created)

    def _columns(self, interaction: Interaction) -> dict:
        """The row's values by column: the key, and the columns the file has (an update keeps the others)."""
        values = {"external_id": interaction.external_id}
        for name in self.update_fields:
            field = Interaction._meta.get_field(name)
            values[field.attname] = getattr(interaction, field.attname)
        return values
