"""Writes of the journeys app: journeys a connected system controls (``explicit``), journeys
assembled from the interaction stream by the maps' rules (``assembly``), and the events of journeys
that end (``events``)."""

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
from .runs import assembly_run_execute, assembly_run_start, assembly_runs_sweep

__all__ = [
    "AssemblyResult",
    "assembly_mark",
    "assembly_mark_interactions",
    "assembly_run_execute",
    "assembly_run_start",
    "assembly_runs_sweep",
    "interactions_offer",
    "journey_end",
    "journey_events_publish",
    "journey_interactions_attach",
    "journey_open",
    "journey_peak_end_payloads",
    "journey_start",
    "journeys_assemble",
    "journeys_assemble_pending",
    "journeys_of_references_attach",
    "journeys_timeout_close",
]
