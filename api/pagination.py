"""Cursor pagination over the row id: a page boundary is "ids after N", so rows inserted while a
client pages never shift a page (no gaps, no duplicates); new rows appear on the last pages.

``page_size`` validates as its schema says (a whole number, at least 1; more than 500 gives 500):
anything else is 400 naming it, not silently the default."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Items per page (default 50); more than 500 gives 500."
    cursor_query_description = "The cursor of the page: the `next` or `previous` link of the page before."

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0") if raw.isascii() and raw.isdigit() else ""
        if not digits:
            message = _("A whole number, 1 or more.")
            raise ValidationError({self.page_size_query_param: [message]}, code="invalid")
        return self.max_page_size if len(digits) > 6 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
