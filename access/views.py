"""Staff choices made from the header."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from access.forms import LanguageForm
from access.languages import remember_in_session, set_user_language


def _safe_next(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else "/"


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the language: kept in the user's preferences (signed in) and in the language cookie
    (so the sign-in page speaks it too), then back to the page the switch was made on."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        errors = {field: [str(error) for error in messages] for field, messages in form.errors.items()}
        return JsonResponse(
            {"code": "invalid", "message": gettext("Choose one of the languages offered."), "errors": errors},
            status=400,
        )
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        set_user_language(request.user, language)
        remember_in_session(request, language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response
