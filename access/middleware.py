"""Requests of a signed-in user run in the language they chose (access/languages.py)."""

from django.utils import translation

from access.languages import SESSION_KEY, supported_language


class StaffLanguageMiddleware:
    """After ``LocaleMiddleware`` and authentication: the user's own choice wins over the browser's.

    It reads the session only (filled at sign-in), so it adds no query to any page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            language = supported_language(session.get(SESSION_KEY))
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
