"""The answer to any path under /api/ that names no endpoint: 404 in the API's error shape."""

from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from .exceptions import error


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    message = gettext("No API endpoint at %(path)s.") % {"path": request.path}
    if not request.path.endswith("/"):
        try:
            resolved = resolve(request.path + "/")
        except Resolver404:
            resolved = None
        if resolved is not None and resolved.func is not api_not_found:
            message = gettext("No API endpoint at %(path)s. API paths end with a slash: %(slashed)s") % {
                "path": request.path,
                "slashed": f"{request.path}/",
            }
    return JsonResponse({"errors": [error("not_found", message)]}, status=404)
