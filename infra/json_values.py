"""JSON values no part of the platform stores: a lone UTF-16 surrogate, nesting past ``MAX_DEPTH``.

Shared by the API's parser (``api.parsers``) and the admin's JSON fields (``infra.admin_json``), so
both doors refuse the same values with the same words.
"""

import re

from django.utils.translation import gettext, ngettext

MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting_refusal() -> str:
    """Why JSON nested deeper than ``MAX_DEPTH`` is refused, in the active language."""
    return ngettext(
        "arrays and objects nest deeper than %(depth)s level",
        "arrays and objects nest deeper than %(depth)s levels",
        MAX_DEPTH,
    ) % {"depth": MAX_DEPTH}


def json_refusal(data) -> str | None:
    """Why a parsed JSON value is refused (a clause in the active language), or None; iterative, so
    any depth is safe to walk."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return gettext("a string holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            return nesting_refusal()
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        else:
            pending.extend((item, depth + 1) for item in value)
    return None
