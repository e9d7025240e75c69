"""Writes of the follow-up app: cases opened once per detractor response or floor breach (``cases``),
worked by agents and managers (``work``) or through the API (``api_actor``)."""

from .api_actor import follow_up_update_via_api
from .cases import FollowUpTrigger, follow_up_sla, follow_ups_open
from .work import follow_up_assign, follow_up_progress, follow_up_take

__all__ = [
    "FollowUpTrigger",
    "follow_up_assign",
    "follow_up_progress",
    "follow_up_sla",
    "follow_up_take",
    "follow_up_update_via_api",
    "follow_ups_open",
]
