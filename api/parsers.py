"""The API's JSON parser: DRF's, refusing bodies no view could store or answer without crashing.

Two kinds of valid JSON are refused whole, as a ``parse_error`` (400), before any view runs:

* a string holding a lone UTF-16 surrogate, which JSON escapes can spell (``"\\ud800"``) but
  which is no Unicode text: PostgreSQL cannot store it and the answer cannot echo it (both
  encode UTF-8). A pair of escapes spelling one character (``"\\ud83d\\ude00"``) is fine;
* nesting deeper than ``MAX_DEPTH`` arrays and objects: no resource has such data, and
  every recursive step after parsing (validation, hashing, rendering) would exhaust the stack.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from infra.json_values import MAX_DEPTH, json_refusal


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
