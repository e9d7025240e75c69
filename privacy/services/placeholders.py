"""The stand-ins that keep figures whole once personal data is gone.

* An **erased** customer keeps their row, id, segment, value tier and
  language (the rollups slice by the first two) under a placeholder name and
  external id; everything that identified the person is blanked.
* An **anonymous respondent** placeholder holds the responses anonymised by
  the retention policy: one per segment × value tier, so a response moved to it
  stays in the same slice of every figure, while nothing ties it to a person.
"""

import secrets
from collections.abc import Collection

from django.db.models import QuerySet
from django.utils import timezone

from touchpoints.models import Customer

ERASED_NAME = "Erased customer"
ERASED_PREFIX = "erased-"
ANONYMOUS_NAME = "Anonymous respondents"
ANONYMOUS_PREFIX = "anonymous:"


class PlaceholderConflict(RuntimeError):
    """A real customer holds the external id a placeholder needs."""


def erased_external_id(customer: Customer) -> str:
    """The external id an erased customer is kept under: ``erased-<id>``, free of the CRM's id
    (with a random suffix in the unlikely case a CRM already uses that text for someone else)."""
    if customer_is_erased(customer):
        return customer.external_id
    candidate = f"{ERASED_PREFIX}{customer.pk}"
    if Customer.objects.filter(external_id=candidate).exclude(pk=customer.pk).exists():
        candidate = f"{candidate}-{secrets.token_hex(4)}"
    return candidate


def customer_is_erased(customer: Customer) -> bool:
    base = f"{ERASED_PREFIX}{customer.pk}"
    return (
        customer.name == ERASED_NAME
        and not customer.email
        and not customer.phone
        and (customer.external_id == base or customer.external_id.startswith(f"{base}-"))
    )


def anonymous_external_id(*, segment: str, value_tier: str) -> str:
    """``anonymous:<value tier>:<segment>`` (at most 77 characters: the tier has 16, the segment 50)."""
    return f"{ANONYMOUS_PREFIX}{value_tier}:{segment}"


def customer_is_anonymous(customer: Customer) -> bool:
    """Whether ``customer`` is an anonymous-respondents placeholder rather than a person."""
    return (
        customer.name == ANONYMOUS_NAME
        and not customer.email
        and not customer.phone
        and customer.external_id
        == anonymous_external_id(segment=customer.segment, value_tier=customer.value_tier)
    )


def anonymous_customer_ids() -> QuerySet:
    """The ids of the anonymous-respondents placeholders (a handful: one per segment × tier), as a
    subquery evaluated where it is used."""
    return Customer.objects.filter(
        external_id__startswith=ANONYMOUS_PREFIX, name=ANONYMOUS_NAME, email="", phone=""
    ).values("id")


def anonymous_customers(*, slices: Collection[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The placeholder id of each (segment, value tier) in ``slices``, created where missing.

    Placeholders are opted out of email and hold no address. Raises
    ``PlaceholderConflict`` when a customer that is not a placeholder holds
    one's external id (a CRM that used it): nothing is moved onto a person.
    """
    wanted = {anonymous_external_id(segment=s, value_tier=t): (s, t) for s, t in slices}
    if not wanted:
        return {}
    now = timezone.now()
    Customer.objects.bulk_create(
        [
            Customer(
                external_id=external_id,
                name=ANONYMOUS_NAME,
                segment=segment,
                value_tier=value_tier,
                email_opt_out=True,
                email_opt_out_at=now,
            )
            for external_id, (segment, value_tier) in wanted.items()
        ],
        ignore_conflicts=True,
    )
    found = {}
    for customer in Customer.objects.filter(external_id__in=wanted):
        if not customer_is_anonymous(customer):
            raise PlaceholderConflict(
                f"Customer {customer.pk} holds the external id {customer.external_id!r} reserved for "
                "anonymised responses; rename it before responses can be anonymised."
            )
        found[wanted[customer.external_id]] = customer.pk
    return found
