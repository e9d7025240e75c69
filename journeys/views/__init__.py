"""The journey-map editor for CX managers (``editor``) and its re-assembly runs' progress (``runs``)."""

from .editor import (
    journey_map_create,
    journey_map_edit,
    journey_map_list,
    journey_map_preview,
    journey_map_publish,
    journey_map_withdraw,
)
from .runs import assembly_run_page, assembly_run_state

__all__ = [
    "assembly_run_page",
    "assembly_run_state",
    "journey_map_create",
    "journey_map_edit",
    "journey_map_list",
    "journey_map_preview",
    "journey_map_publish",
    "journey_map_withdraw",
]
