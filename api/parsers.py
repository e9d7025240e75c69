"""The API's JSON parser: DRF's, refusing bodies no view could store or answer without crashing.

Two kinds of valid JSON are refused whole, as a ``parse_error`` (400), before any view runs:

* a string holding a lone UTF-16 surrogate, which JSON escapes can spell (``"\\ud800"``) but
  which is no Unicode text: PostgreSQL cannot store it and the answer cannot echo it (both
  encode UTF-8). A pair of escapes spelling one character (``"\\ud83d\\ude00"``) is fine;
* nesting deeper than ``MAX_DEPTH`` arrays and objects: no resource has such data, and
  every recursive step after parsing (validation, hashing, rendering) would exhaust the stack.
"""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_refusal(data) -> str | None:
    """Why a parsed JSON value is refused, or None; iterative, so any depth is safe to walk."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return "a string holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            return f"arrays and objects nest deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        else:
            pending.extend((item, depth + 1) for item in value)
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                f"JSON parse error - arrays and objects nest deeper than {MAX_DEPTH} levels"
            ) from None
        refusal = json_refusal(data)
        if refusal:
            raise ParseError(f"JSON parse error - {refusal}")
        return data
