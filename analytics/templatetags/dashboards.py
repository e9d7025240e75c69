"""Template filters of the dashboards: days and moments written as ``analytics.display`` writes
them in Python, so a page and its charts write a day the same way in every language."""

from datetime import datetime

from django import template

from analytics.display import moment_text

register = template.Library()


@register.filter
def moment(value: datetime | None) -> str:
    """``3 Mar 2025, 14:05`` in English, ``2025年3月3日 14:05`` in Chinese; "" for none."""
    return moment_text(value) if value else ""
