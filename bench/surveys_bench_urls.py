"""URLs of the survey benchmark: the whole site plus ``/bench/trivial/``, the floor a page is compared with.

The trivial view goes through the same middleware as every page (sessions, locale,
CSRF, authentication, messages) and touches neither the database nor a template.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("", include("cem.urls")),
]
