"""Customers from CSV: upsert by ``external_id``.

Columns: ``external_id`` and ``name`` (required), ``email``, ``phone``, ``locale``,
``segment``, ``value_tier``, ``email_opt_out``. An existing customer gets the columns the file
has, and keeps the others; an empty cell empties its field (``value_tier`` and ``locale`` go
back to their defaults). ``email_opt_out`` only ever opts out: a ``false`` never re-subscribes
someone who unsubscribed (that takes the customer's own word, not a CRM dump).

A customer whose segment or value tier changes moves their responses, interactions, journeys
and invitations to another slice of the rollups: the same ``customers_mark_stale`` as the API
marks their days stale.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone

from touchpoints.models import Customer, ValueTier
from touchpoints.services.customers import customers_mark_stale

from . import cells
from .batches import Entry
from .cells import CellError, ImportReport

REQUIRED = ("external_id", "name")
OPTIONAL = ("email", "phone", "locale", "segment", "value_tier", "email_opt_out")
COLUMNS = (*REQUIRED, *OPTIONAL)
READERS = {
    "locale": cells.locale,
    "value_tier": cells.choice(ValueTier.choices),
    "email_opt_out": cells.boolean,
}


def _values(raw: dict[str, str]) -> tuple[dict, dict[str, list[str]]]:
    values, errors = {}, {}
    for column, cell in raw.items():
        try:
            reader = READERS.get(column)
            values[column] = reader(cell) if reader else cells.text(cell)
        except CellError as error:
            errors[column] = [str(error)]
    if "email" in values:
        values["email"] = values["email"].lower()
    for column, default in (("value_tier", ValueTier.STANDARD), ("locale", "en")):
        if values.get(column) == "":
            values[column] = default
    return values, errors


class CustomerImport:
    kind = "customers"
    required = REQUIRED
    optional = OPTIONAL

    def __init__(self):
        self.columns: tuple[str, ...] = COLUMNS
        self.now = timezone.now()

    def begin(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)

    def prepare(self, rows, report: ImportReport) -> list[Entry]:
        entries = []
        for row, raw in rows:
            values, errors = _values(raw)
            opt_out = values.pop("email_opt_out", False)
            customer = Customer(**values)
            if opt_out:
                customer.email_opt_out, customer.email_opt_out_at = True, self.now
            try:
                # Field rules only: uniqueness is the upsert's, and every CHECK constraint of the
                # model has a field validator (validating constraints would query once per row).
                customer.full_clean(exclude=list(errors), validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                errors.update(error.message_dict)
            if errors:
                report.refuse(row, errors)
            else:
                entries.append(Entry(row=row, key=customer.external_id, item=customer))
        return entries

    def write(self, entries: list[Entry]) -> tuple[int, int]:
        keys = [entry.key for entry in entries]
        before = {
            external_id: (pk, segment, tier)
            for external_id, pk, segment, tier in Customer.objects.filter(external_id__in=keys).values_list(
                "external_id", "id", "segment", "value_tier"
            )
        }
        updated_columns = [c for c in self.columns if c in OPTIONAL and c != "email_opt_out"]
        for entry in entries:
            entry.item.pk = None  # a retried batch may carry ids of a rolled-back insert
        Customer.objects.bulk_create(
            [entry.item for entry in entries],
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=["name", *updated_columns, "updated_at"],
        )
        opting_out = [entry.key for entry in entries if entry.item.email_opt_out and entry.key in before]
        if opting_out:
            Customer.objects.filter(external_id__in=opting_out, email_opt_out=False).update(
                email_opt_out=True, email_opt_out_at=self.now, updated_at=self.now
            )
        moved = [
            before[entry.key][0]
            for entry in entries
            if entry.key in before
            and (
                ("segment" in self.columns and entry.item.segment != before[entry.key][1])
                or ("value_tier" in self.columns and entry.item.value_tier != before[entry.key][2])
            )
        ]
        # The same restatement as the API's: every figure they are part of, invitations included.
        customers_mark_stale(customer_ids=moved)
        return len(entries) - len(before), len(before)
