"""The language each staff user reads the product in: chosen once, remembered, used everywhere.

The choice lives in ``StaffPreference`` (so it follows the user to every device) and, for the
length of a session, in the session (so a page costs no extra query to find it):
``remember_in_session`` copies it there at sign-in, ``set_user_language`` whenever it changes,
and ``StaffLanguageMiddleware`` activates it on every request. With no choice the request keeps
what ``LocaleMiddleware`` found (the language cookie, then the browser's Accept-Language).
Work done outside a request (emails to staff, from Celery) asks ``user_language``.
"""

from django.conf import settings
from django.http import HttpRequest

from access.models import StaffPreference

SESSION_KEY = "cem_language"


def supported_language(code: str | None) -> str:
    """``code`` if the product speaks it, else ""."""
    return code if code in dict(settings.LANGUAGES) else ""


def chosen_language(user) -> str:
    """The language ``user`` chose, or "" (none: follow the browser)."""
    if user is None or not getattr(user, "pk", None):
        return ""
    try:
        return supported_language(user.preference.language)
    except StaffPreference.DoesNotExist:
        return ""


def user_language(user) -> str:
    """The language to write to ``user`` in when no request says (emails, notifications)."""
    return chosen_language(user) or settings.LANGUAGE_CODE


def set_user_language(user, language: str) -> None:
    """Keep ``language`` (a code of ``settings.LANGUAGES``, or "" to follow the browser) for ``user``."""
    language = supported_language(language)
    preference, _created = StaffPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    # The cached reverse relation would otherwise answer the old choice for the rest of the request.
    user.preference = preference


def remember_in_session(request: HttpRequest, language: str) -> None:
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = language
