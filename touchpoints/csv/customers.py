"""Customers from CSV: upsert by ``external_id``.

Columns: ``external_id`` and ``name`` (required), ``email``, ``phone``, ``locale``,
``segment``, ``value_tier``, ``email_opt_out``. An existing customer gets the columns the file
has, and keeps the others; an empty cell empties its field (``value_tier`` and ``locale`` go
back to their defaults). ``email_opt_out`` only ever opts out: a ``false`` never re-subscribes
someone who unsubscribed (that takes the customer's own word, not a CRM dump). A ``phone`` is
stored in E.164 (the model's field normalises it; one that is not a phone number refuses its row).

Rows are read and checked here (cells, the model's field rules) and stored by the API's
``customers_upsert``, so a file and a bulk call behave alike: a customer whose segment or value
tier changes moves their responses, interactions, journeys and invitations to another slice of
the rollups, and those days are marked stale.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone

from touchpoints.models import Customer, ValueTier
from touchpoints.services import customers_upsert

from . import cells
from .batches import Entry, Written
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

    def write(self, entries: list[Entry]) -> Written:
        """Store the batch with the API's bulk upsert (``customers_upsert``): the same partial update
        (columns the file lacks keep their value), the same opt-out rule and the same restatement
        of a changed segment or value tier, so the two doors cannot drift apart."""
        results = customers_upsert(items=[self._item(entry.item) for entry in entries], now=self.now)
        written = Written(created=0, updated=0)
        for entry, result in zip(entries, results, strict=True):
            if result.status == "error":
                written.refused[entry.row] = {
                    problem["field"] or "": [problem["message"]] for problem in result.errors
                }
            elif result.status == "created":
                written.created += 1
            else:
                written.updated += 1
        return written

    def _item(self, customer: Customer) -> dict:
        """The row as a bulk item: the columns the file has, read into their values."""
        item = {column: getattr(customer, column) for column in self.columns if column != "email_opt_out"}
        if "email_opt_out" in self.columns:
            item["email_opt_out"] = customer.email_opt_out
        return item
