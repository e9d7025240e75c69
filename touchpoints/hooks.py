"""The ledger's moments that higher apps act on, in the writer's transaction (see ``infra.hooks``).

The ledger (customers, the touchpoint catalogue, interactions) is the bottom of the stack and
imports no app above it. Its services call these hooks; the apps above connect receivers in
their ``AppConfig.ready``:

- ``interactions_added(interaction_ids)``: new interactions were inserted. Receivers: journeys
  puts those naming a journey (``journey_ref``) on it and marks the others' customers for
  assembly; analytics marks them to be added to the figures of their days, and their journeys
  stale.
- ``interactions_changed(interaction_ids)``: interactions were updated, or are about
  to move to another day or journey, or to be deleted (call it after inserts and updates, and
  before moves and deletes: the rows must still be where they were). Receivers: journeys marks
  their customers for re-assembly from the earlier of the two moments (and places those naming a
  journey); analytics marks the figures of their days and journeys stale.
- ``interactions_logged(interactions, now)``: new or updated contacts were logged from any door
  (agent form, API, CSV). Receiver: surveys applies its rules (invitations commit or roll back
  with the write).
- ``customers_changed(customer_ids)``: customers' segment or value tier changed, or they are about
  to be deleted: every figure they are part of moves slice. Receiver: analytics.
- ``customers_deleting(customer_ids)``: the customers are about to be deleted. Receiver: surveys
  deletes their responses first (a response protects its invitation, which goes with the customer).
"""

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime

from infra.hooks import Hook
from touchpoints.models import Interaction, Touchpoint

interactions_added = Hook("interactions_added", ("interaction_ids",))
interactions_changed = Hook("interactions_changed", ("interaction_ids",))
interactions_logged = Hook("interactions_logged", ("interactions", "now"))
customers_changed = Hook("customers_changed", ("customer_ids",))
customers_deleting = Hook("customers_deleting", ("customer_ids",))


class LoggedInteractions:
    """The interactions one write logged, as the receivers of ``interactions_logged`` get them.

    A bulk write holds plain rows, and building a thousand model instances costs more than the
    write itself; so a receiver first looks at ``touchpoints`` and then asks for the instances it
    needs, at the touchpoints it cares about (``at``).
    """

    def __init__(
        self,
        *,
        touchpoints: Iterable[Touchpoint],
        materialise: Callable[[Collection[int], datetime], Sequence[Interaction]],
    ):
        self.touchpoints: tuple[Touchpoint, ...] = tuple(touchpoints)
        self._materialise = materialise

    @classmethod
    def of(cls, interactions: Sequence[Interaction]) -> "LoggedInteractions":
        """Interactions already in hand as model instances (with their touchpoints loaded)."""
        touchpoints = {interaction.touchpoint_id: interaction.touchpoint for interaction in interactions}

        def materialise(touchpoint_ids: Collection[int], since: datetime) -> list[Interaction]:
            return [i for i in interactions if i.touchpoint_id in touchpoint_ids and i.occurred_at >= since]

        return cls(touchpoints=touchpoints.values(), materialise=materialise)

    def at(self, *, touchpoint_ids: Collection[int], since: datetime) -> Sequence[Interaction]:
        """The logged interactions at ``touchpoint_ids`` that occurred at or after ``since``, as
        instances with their customer and touchpoint."""
        if not touchpoint_ids:
            return []
        return self._materialise(touchpoint_ids, since)
