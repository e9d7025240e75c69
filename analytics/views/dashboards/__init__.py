"""The CX dashboards (managers only): overview, touchpoints (with a drill-down), journeys, drivers,
comments, and the download of each page's data. They read the metrics selectors (rollups); the
comments list is the one place that lists raw answers, a page at a time."""

from .comments import comments
from .drivers import drivers
from .export import export
from .journeys import journeys
from .overview import overview
from .touchpoint_detail import touchpoint_detail
from .touchpoints import touchpoints

__all__ = ["comments", "drivers", "export", "journeys", "overview", "touchpoint_detail", "touchpoints"]
