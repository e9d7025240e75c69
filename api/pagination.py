"""Cursor pagination over the row id: a page boundary is "ids after N", so rows inserted while a
client pages never shift a page (no gaps, no duplicates); new rows appear on the last pages."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Items per page (1–500, default 50)."
    cursor_query_description = "The cursor of the page: the `next` or `previous` link of the page before."
