"""The webhook events of journeys that end: ``journey.completed`` and ``journey.abandoned``, with the
journey's peak–end score and its moments of truth, computed here with ``analytics.metrics.peak_end``
from the journey's scored moments (the stored score is refreshed later, by the metrics worker)."""

from collections.abc import Mapping, Sequence

from analytics.metrics import peak_end
from journeys.models import Journey, JourneyStatus
from touchpoints.models import Interaction
from webhooks.models import WebhookEventType
from webhooks.selectors import webhook_subscriptions
from webhooks.services import webhook_messages_publish

EVENT_OF_STATUS = {
    JourneyStatus.COMPLETED: WebhookEventType.JOURNEY_COMPLETED,
    JourneyStatus.ABANDONED: WebhookEventType.JOURNEY_ABANDONED,
}


def journey_peak_end_payloads(journey_ids: Sequence[int]) -> dict[int, dict | None]:
    """Each journey's peak–end summary as the API shows it (``None``: no scored moment). Two queries."""
    moments: dict[int, list[tuple]] = {journey_id: [] for journey_id in journey_ids}
    rows = (
        Interaction.objects.filter(journey_id__in=list(journey_ids), experience_score__isnull=False)
        .order_by("journey_id", "occurred_at", "id")
        .values_list("journey_id", "id", "touchpoint__code", "experience_score", "touchpoint__floor_score")
    )
    for journey_id, interaction_id, code, score, floor in rows:
        moments[journey_id].append((interaction_id, code, score, floor))
    payloads: dict[int, dict | None] = {}
    for journey_id, scored in moments.items():
        if not scored:
            payloads[journey_id] = None
            continue
        result = peak_end([m[2] for m in scored], floors=[m[3] for m in scored])
        peak, end = scored[result.peak_index], scored[result.end_index]
        payloads[journey_id] = {
            "moments": len(scored),
            "peak": result.peak,
            "end": result.end,
            "peak_end": result.peak_end,
            "mean": result.mean,
            "gap": result.gap,
            "contrast": result.contrast,
            "floor_breaches": result.floor_breaches,
            "peak_interaction": peak[0],
            "end_interaction": end[0],
            "peak_touchpoint": peak[1],
            "end_touchpoint": end[1],
        }
    return payloads


def journey_events_publish(ended: Mapping[str, Sequence[int]]) -> int:
    """Publish one event per journey that just ended (``ended``: status → journey ids), in the
    caller's transaction; nothing is read when no endpoint subscribes. Returns how many messages."""
    if not any(ended.values()):
        return 0
    subscriptions = webhook_subscriptions()
    wanted = {
        status: list(ids)
        for status, ids in ended.items()
        if ids and subscriptions.get(EVENT_OF_STATUS[status])
    }
    if not wanted:
        return 0
    ids = [journey_id for journey_ids in wanted.values() for journey_id in journey_ids]
    scores = journey_peak_end_payloads(ids)
    journeys = Journey.objects.filter(id__in=ids).select_related("customer")
    events = []
    for journey in journeys.order_by("id"):
        payload = {
            "id": journey.id,
            "external_id": journey.external_id,
            "customer": journey.customer.external_id,
            "journey_map": journey.journey_map_id,
            "origin": journey.origin,
            "status": journey.status,
            "started_at": journey.started_at,
            "ended_at": journey.ended_at,
            "peak_end": scores.get(journey.id),
        }
        events.append((EVENT_OF_STATUS[journey.status], payload))
    return webhook_messages_publish(events=events, subscriptions=subscriptions)
