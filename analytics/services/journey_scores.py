"""Peak–end scores of journeys, computed with ``metrics.peak_end_frame`` over their scored moments."""

from collections.abc import Collection
from datetime import datetime

import numpy as np
import pandas as pd

from analytics.metrics import peak_end_frame
from analytics.models import JourneyScore
from infra.days import local_day
from journeys.models import Journey
from touchpoints.models import Interaction


def journey_moments(journey_ids: Collection[int]) -> pd.DataFrame:
    """The scored interactions of ``journey_ids`` in time order (ties: the later-recorded last).

    Columns: journey_id, position (0-based order within the journey),
    interaction_id, touchpoint_id, score, floor (NaN when the touchpoint
    has none). Two queries' worth of data, no query per journey.
    """
    rows = (
        Interaction.objects.filter(journey_id__in=list(journey_ids), experience_score__isnull=False)
        .order_by("journey_id", "occurred_at", "id")
        .values_list("journey_id", "id", "touchpoint_id", "experience_score", "touchpoint__floor_score")
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["journey_id", "interaction_id", "touchpoint_id", "score", "floor"]
    )
    frame["floor"] = frame["floor"].astype(float)
    frame["score"] = frame["score"].astype(float)
    frame["position"] = frame.groupby("journey_id").cumcount().astype(np.int64)
    return frame


def journey_score_rows(journey_ids: Collection[int], *, now: datetime) -> list[JourneyScore]:
    """Unsaved ``JourneyScore`` rows of those ``journey_ids`` that exist and have a scored moment."""
    moments = journey_moments(journey_ids)
    if moments.empty:
        return []
    scores = peak_end_frame(moments[["journey_id", "position", "score", "floor"]]).reset_index()
    keys = moments[["journey_id", "position", "interaction_id", "touchpoint_id"]]
    for role in ("peak", "end"):
        scores = scores.merge(
            keys.rename(
                columns={
                    "position": f"{role}_position",
                    "interaction_id": f"{role}_interaction_id",
                    "touchpoint_id": f"{role}_touchpoint_id",
                }
            ),
            on=["journey_id", f"{role}_position"],
            how="left",
            validate="one_to_one",
        )
    journeys = {
        row["id"]: row
        for row in Journey.objects.filter(id__in=scores["journey_id"].tolist()).values(
            "id", "started_at", "journey_map_id", "customer__segment", "customer__value_tier"
        )
    }
    rows = []
    for score in scores.itertuples(index=False):
        journey = journeys.get(score.journey_id)
        if journey is None:  # deleted meanwhile
            continue
        rows.append(
            JourneyScore(
                journey_id=int(score.journey_id),
                day=local_day(journey["started_at"]),
                journey_map_id=journey["journey_map_id"],
                segment=journey["customer__segment"],
                value_tier=journey["customer__value_tier"],
                moments=int(score.n),
                peak=float(score.peak),
                end=float(score.end),
                peak_end=float(score.peak_end),
                mean=float(score.mean),
                gap=float(score.gap),
                contrast=float(score.contrast),
                floor_breaches=int(score.floor_breaches),
                peak_interaction_id=int(score.peak_interaction_id),
                end_interaction_id=int(score.end_interaction_id),
                peak_touchpoint_id=int(score.peak_touchpoint_id),
                end_touchpoint_id=int(score.end_touchpoint_id),
                computed_at=now,
            )
        )
    return rows
