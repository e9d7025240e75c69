"""Writes of the journeys app: journeys a connected system controls (``explicit``), journeys
assembled from the interaction stream by the maps' rules (``assembly``), the events of journeys
that end (``events``), and the journey-map editor's writes (``maps``)."""

from .assembly import (
    AssemblyResult,
    assembly_mark,
    assembly_mark_interactions,
    journeys_assemble,
    journeys_assemble_pending,
    journeys_timeout_close,
)
from .events import journey_events_publish, journey_peak_end_payloads
from .explicit import (
    interactions_offer,
    journey_end,
    journey_interactions_attach,
    journey_open,
    journey_start,
    journeys_of_references_attach,
)
from .maps import (
    STEPS_MAX,
    MapSaved,
    StepSpec,
    journey_map_create,
    journey_map_publish,
    journey_map_update,
    journey_map_withdraw,
)
from .runs import assembly_run_execute, assembly_run_start, assembly_runs_sweep

__all__ = [
    "STEPS_MAX",
    "AssemblyResult",
    "MapSaved",
    "StepSpec",
    "assembly_mark",
    "assembly_mark_interactions",
    "assembly_run_execute",
    "assembly_run_start",
    "assembly_runs_sweep",
    "interactions_offer",
    "journey_end",
    "journey_events_publish",
    "journey_interactions_attach",
    "journey_map_create",
    "journey_map_publish",
    "journey_map_update",
    "journey_map_withdraw",
    "journey_open",
    "journey_peak_end_payloads",
    "journey_start",
    "journeys_assemble",
    "journeys_assemble_pending",
    "journeys_of_references_attach",
    "journeys_timeout_close",
]
