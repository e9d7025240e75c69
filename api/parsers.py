"""The API's JSON parser: DRF's, refusing bodies no view could store or answer without crashing.

Two kinds of valid JSON are refused whole, as a ``parse_error`` (400), before any view runs:

* a string holding a lone UTF-16 surrogate, which JSON escapes can spell (``"\\ud800"``) but
  which is no Unicode text: PostgreSQL cannot store it and the answer cannot echo it (both
  encode UTF-8). A pair of escapes spelling one character (``"\\ud83d\\ude00"``) is fine;
* nesting deeper than ``MAX_DEPTH`` arrays and objects: no resource has such data, and
  every recursive step after parsing (validation, hashing, rendering) would exhaust the stack.
"""

from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from infra.json_values import json_refusal, nesting_refusal

# DRF's words for malformed JSON, in English whatever the language; what follows is the decoder's.
_DRF_PREFIX = "JSON parse error - "


def _parse_error(reason: str) -> ParseError:
    return ParseError(gettext("JSON parse error - %(reason)s") % {"reason": reason})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _parse_error(nesting_refusal()) from None
        except ParseError as error:
            raise _parse_error(str(error.detail).removeprefix(_DRF_PREFIX)) from error
        refusal = json_refusal(data)
        if refusal:
            raise _parse_error(refusal)
        return data
