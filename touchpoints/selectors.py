"""Reads of customers, touchpoints and interactions, and the agent workspace's customer search and
customer 360 (the whole history of one customer, every channel, in time order)."""

import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from .models import Customer, Interaction, Stage, Touchpoint
from .phones import phone_digits, phone_e164_or_none

# Substring search needs three characters: fewer give trigram indexes nothing to go on, and an
# as-you-type box would answer "a" with a million rows.
SEARCH_MIN_LENGTH = 3
# Two characters of Chinese, Japanese or Korean say as much as a short word: 子涵 is a given name.
SEARCH_MIN_LENGTH_CJK = 2
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
SEARCH_MAX_LENGTH = 100
SEARCH_LIMIT = 20
# At most this many matches are ranked; past it the list says "keep typing".
SEARCH_CANDIDATES = 200


def interaction_recent(*, limit: int = 20) -> QuerySet[Interaction]:
    """The latest interactions across every channel, newest first, with what a list shows."""
    return Interaction.objects.select_related("customer", "touchpoint", "agent").order_by(
        "-occurred_at", "-id"
    )[:limit]


def catalogue_counts() -> dict[str, int]:
    """How many customers, active touchpoints and interactions the platform holds."""
    return {
        "customers": Customer.objects.count(),
        "touchpoints": Touchpoint.objects.filter(active=True).count(),
        "interactions": Interaction.objects.count(),
    }


# --- Customer search ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerSearch:
    """Customers matching what an agent typed, best first.

    ``customers`` carry ``last_contact_at`` (their latest interaction, or None); ``matched``
    counts the matches found, up to ``SEARCH_CANDIDATES + 1``; ``exact`` is the one customer
    whose external id, email or phone is exactly the query, when there is exactly one.
    """

    query: str
    customers: list[Customer]
    matched: int
    too_short: bool
    exact: Customer | None

    @property
    def more(self) -> bool:
        return self.matched > len(self.customers)

    @property
    def capped(self) -> bool:
        return self.matched > SEARCH_CANDIDATES

    @property
    def ranked(self) -> int:
        """How many matches were ranked to pick the ones shown."""
        return min(self.matched, SEARCH_CANDIDATES)


def search_min_length(text: str) -> int:
    """Characters a substring search needs: ``SEARCH_MIN_LENGTH``, or ``SEARCH_MIN_LENGTH_CJK``
    for text with Chinese, Japanese or Korean in it."""
    return SEARCH_MIN_LENGTH_CJK if _CJK.search(text) else SEARCH_MIN_LENGTH


def _exact_keys(query: str) -> Q:
    """Indexed equality on the keys an agent reads off a screen or a card; a phone number in any
    form caller ID or a person writes it (``07700 900496``, ``+447700900496``) as stored, E.164."""
    keys = Q(external_id=query) | Q(email__in={query, query.lower()}) | Q(phone=query)
    if e164 := phone_e164_or_none(query):
        keys |= Q(phone=e164)
    return keys


def _name_word(word: str) -> Q:
    """A name containing ``word``; a shorter word must start one of the name's words ("grace ho"
    finds Grace Hopper, not Grace Thompson), and a two-character CJK word start or end one (子涵
    finds 王子涵, 王子 finds it too: family name first, given name last). That is also what keeps it
    indexable: a trigram index finds "% ho%", "子涵%" and "%子涵" but can do nothing with "%ho%"."""
    if len(word) >= SEARCH_MIN_LENGTH:
        return Q(name__icontains=word)
    starts = Q(name__istartswith=word) | Q(name__icontains=f" {word}")
    if len(word) >= SEARCH_MIN_LENGTH_CJK and _CJK.search(word):
        return starts | Q(name__iendswith=word) | Q(name__icontains=f"{word} ")
    return starts


def _substring(query: str) -> Q:
    """Any key containing the query, or a name containing every word of it (in any order); a
    partial phone number (``07700 900``) matches the stored E.164 numbers by its digits."""
    name_words = Q()
    for word in query.split():
        name_words &= _name_word(word)
    if len(query) < SEARCH_MIN_LENGTH:  # two CJK characters: "%子涵%" would read every trigram
        return name_words
    phone = Q(phone__icontains=query)
    digits = phone_digits(query)
    if len(digits) >= SEARCH_MIN_LENGTH and digits != query:
        phone |= Q(phone__icontains=digits)
    return name_words | Q(email__icontains=query) | Q(external_id__icontains=query) | phone


def customer_search(*, query: str, limit: int = SEARCH_LIMIT) -> CustomerSearch:
    """Customers by name, email, phone or external id, for an as-you-type box.

    A query that is exactly a customer's external id, email or phone (in any form: it is compared
    in E.164) finds that customer alone, whatever its length. Otherwise substring matches
    (case-insensitive, from ``SEARCH_MIN_LENGTH`` characters, ``SEARCH_MIN_LENGTH_CJK`` in
    Chinese, Japanese or Korean), names starting with the query first, each group by name. At most
    ``SEARCH_CANDIDATES`` matches are ranked, so a broad query costs what a narrow one does (on
    PostgreSQL the trigram indexes of migration 0003 serve the substring filter, the partial phone
    digits included: stored E.164 is "+" and digits). Three queries at most.
    """
    query = " ".join(query.split())[:SEARCH_MAX_LENGTH]
    if not query:
        return CustomerSearch(query="", customers=[], matched=0, too_short=False, exact=None)
    exact_ids = list(Customer.objects.filter(_exact_keys(query)).order_by().values_list("id", flat=True)[:5])
    too_short = len(query) < search_min_length(query)
    candidate_ids = list(exact_ids)
    # A whole id, email or phone names its customer: no substring search (which, for an email, would
    # wade through the trigrams every address shares, such as those of "example.com").
    if not too_short and not exact_ids:
        found = (
            Customer.objects.filter(_substring(query))
            .order_by()  # no sort: any SEARCH_CANDIDATES matches will do, and LIMIT stops early
            .values_list("id", flat=True)[: SEARCH_CANDIDATES + 1]
        )
        candidate_ids += list(found)
    if not candidate_ids:
        return CustomerSearch(query=query, customers=[], matched=0, too_short=too_short, exact=None)
    last_contact = (
        Interaction.objects.filter(customer_id=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    customers = list(
        Customer.objects.filter(id__in=candidate_ids[:SEARCH_CANDIDATES])
        .annotate(
            rank=Case(
                When(name__istartswith=query, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            last_contact_at=Subquery(last_contact),
        )
        .order_by("rank", "name", "id")[:limit]
    )
    exact = next((c for c in customers if c.id == exact_ids[0]), None) if len(exact_ids) == 1 else None
    return CustomerSearch(
        query=query, customers=customers, matched=len(candidate_ids), too_short=too_short, exact=exact
    )


# --- Customer 360 ------------------------------------------------------------------------


def customer_get(*, customer_id: int) -> Customer:
    """One customer; raises ``Customer.DoesNotExist``."""
    return Customer.objects.get(pk=customer_id)


# --- Logging an interaction ----------------------------------------------------------------

_STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(position)) for position, stage in enumerate(Stage.values)),
    output_field=IntegerField(),
)


def touchpoints_for_logging() -> QuerySet[Touchpoint]:
    """Active touchpoints in journey order: pre-sale, purchase, post-sale; by name within a stage."""
    return Touchpoint.objects.filter(active=True).order_by(_STAGE_ORDER, "name", "id")


def interaction_categories_recent(*, sample: int = 1000, limit: int = 30) -> list[str]:
    """The categories used most among the latest ``sample`` categorised interactions (one indexed
    query, so it costs the same at ten million interactions)."""
    recent = (
        Interaction.objects.exclude(category="").order_by("-occurred_at").values_list("category", flat=True)
    )
    return [category for category, _count in Counter(recent[:sample]).most_common(limit)]
