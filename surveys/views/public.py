"""The pages customers reach from their email, and the staff preview of the survey page.

Rules these views keep (tests/surveys/test_public_page.py holds each one):

- GET never consumes a token; it only records the first opening.
- An unknown, expired or answered token gets the same neutral page (404,
  byte-identical body), so a link cannot be probed for its state. A second
  *submission* of an answered token is told so (409, "already answered"), the
  first response kept; 409 for browsers and scripts alike, one rule.
- The one exception: the browser that answered. A successful submission sets a
  signed cookie (HttpOnly, SameSite=Lax, Secure over HTTPS, path ``/s/``) holding
  the ids of the invitations answered from it, never a token; reopening such a
  link there shows "You have already answered — thank you" (200). Without the
  cookie, or with a forged one, the neutral page as above.
- Failures (unknown tokens, invalid submissions) are counted per client
  address in the cache; past ``SURVEY_FAILURE_LIMIT`` within the window
  every public survey request from that address gets a neutral 429.
- Pages are rendered without the request: no staff context, no cookies, no
  CSRF token (the answered-here cookie is read and set by the views only).
  The survey and unsubscribe POSTs are CSRF-exempt on purpose:
  the unguessable token in the path is what a forger would need, and with
  ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on form posts,
  which Django's CSRF check would refuse. RFC 8058 one-click unsubscribe
  requires it too.
- A page speaks its survey's language (``?lang=``, else the invitation's, else the survey's
  first): its fixed words come from that language's gettext catalogue (English where the
  product has none), ``<html lang>`` and, for a language written right to left, ``dir="rtl"``
  from the language. The neutral pages know no survey and speak the language the locale
  middleware took from the browser.
- One page per survey (no pagination): the customer sees "n questions" and
  "Question k of n" on each; nothing is half-stored between pages.
- The page as a customer first sees it is rendered once per process, survey
  version (``updated_at``, which every edit of the survey or its questions
  stamps) and language, and kept; each GET puts its own link into the kept
  page's form. A GET then costs one query (the invitation, its survey and
  customer), and one more the first time it opens the link.
"""

import posixpath
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from access.roles import MANAGER, role_required
from infra.counters import counter_add, counter_value
from surveys.languages import (
    fixed_words_in,
    has_catalogue,
    language_direction,
    language_name,
    survey_language,
)
from surveys.models import Invitation, Survey
from surveys.selectors.public import (
    invitation_for_token,
    invitation_is_open,
    survey_questions,
    survey_with_questions,
)
from surveys.services.answer_form import AnswerForm
from surveys.services.responses import (
    AlreadyAnswered,
    AnswerErrors,
    InvitationClosed,
    customer_unsubscribe,
    invitation_open,
    response_submit,
)

PUBLIC_HEADERS = {
    # The token is in the URL: never hand it to another site, never keep the page in a cache.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    # No script at all, styles and images from this site only: customer text can never run.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}

NEUTRAL_TEMPLATE = "surveys/public/closed.html"
SURVEY_TEMPLATE = "surveys/public/survey.html"

# The invitations answered from this browser, so their links say "already answered" there only.
ANSWERED_COOKIE = "cem_answered"
ANSWERED_COOKIE_SALT = "surveys.public.answered"
ANSWERED_COOKIE_KEEP = 20  # the most recent answered invitations one browser remembers


# --- pages ---------------------------------------------------------------------------------------


def _render(template: str, context: dict) -> str:
    """``template`` in ``context["language"]``: its fixed words from that language's catalogue
    (English where the product has none), its direction (``dir``) from the language."""
    language = context["language"]
    with fixed_words_in(language):
        return render_to_string(template, context | {"direction": language_direction(language)})


def _page(template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    """A public page in ``context["language"]``, else (the neutral pages, which know no survey) in
    the language the locale middleware took from the browser; rendered without the request so no
    staff context or cookie reaches it."""
    context = {"language": get_language() or settings.LANGUAGE_CODE} | (context or {})
    response = HttpResponse(_render(template, context), status=status)
    response["Content-Language"] = context["language"]
    return response


def _with_public_headers(response: HttpResponse) -> HttpResponse:
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    return response


def _closed_page() -> HttpResponse:
    """The one page for every link that opens nothing: same status, same bytes, whatever the cause."""
    return _page(NEUTRAL_TEMPLATE, {"company": settings.SURVEY_COMPANY_NAME}, status=404)


# --- failure limit -------------------------------------------------------------------------------


def _failure_key(request: HttpRequest) -> str:
    return f"surveys:public-failures:{request.META.get('REMOTE_ADDR', '')}"


def _failure_record(request: HttpRequest) -> None:
    """Count one failure of this client; the count expires a window after its first failure."""
    counter_add(_failure_key(request), window=settings.SURVEY_FAILURE_WINDOW_SECONDS)


def _failures_exceeded(request: HttpRequest) -> bool:
    return counter_value(_failure_key(request)) >= settings.SURVEY_FAILURE_LIMIT


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorate a token page: refuse a client past its failure limit, and set the public headers."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _failures_exceeded(request):
            response = _page(
                "surveys/public/too_many.html", {"company": settings.SURVEY_COMPANY_NAME}, status=429
            )
            response["Retry-After"] = str(settings.SURVEY_FAILURE_WINDOW_SECONDS)
        else:
            response = view(request, *args, **kwargs)
        return _with_public_headers(response)

    return wrapped


# --- answered from this browser ----------------------------------------------------------------


def _answered_cookie_path() -> str:
    """The survey links' folder ("/s/"): the cookie goes with survey pages only."""
    return posixpath.dirname(reverse("survey-thanks").rstrip("/")) + "/"


def _answered_cookie_max_age() -> int:
    return int(timedelta(days=settings.SURVEY_INVITATION_EXPIRY_DAYS).total_seconds())


def _answered_here(request: HttpRequest) -> list[int]:
    """The ids of the invitations answered from this browser; none for a missing or forged cookie."""
    value = request.get_signed_cookie(
        ANSWERED_COOKIE, default="", salt=ANSWERED_COOKIE_SALT, max_age=_answered_cookie_max_age()
    )
    return [int(part) for part in value.split(",") if part.isascii() and part.isdigit()]


def _remember_answered(request: HttpRequest, response: HttpResponse, invitation: Invitation) -> None:
    """Add ``invitation`` to this browser's answered-here cookie (its id only, never the token)."""
    earlier = [number for number in _answered_here(request) if number != invitation.pk]
    kept = [*earlier, invitation.pk][-ANSWERED_COOKIE_KEEP:]
    response.set_signed_cookie(
        ANSWERED_COOKIE,
        ",".join(str(number) for number in kept),
        salt=ANSWERED_COOKIE_SALT,
        max_age=_answered_cookie_max_age(),
        path=_answered_cookie_path(),
        secure=settings.HTTPS or request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


# --- context -------------------------------------------------------------------------------------


def _page_context(*, language: str, languages: Sequence[str] = ()) -> dict:
    """What every language-aware public page shows: the company, the language and the switcher."""
    return {
        "language": language,
        "company": settings.SURVEY_COMPANY_NAME,
        "switcher": [
            {"code": code, "name": language_name(code), "current": code == language} for code in languages
        ]
        if len(languages) > 1
        else [],
    }


def _survey_context(
    *,
    survey: Survey,
    form: AnswerForm,
    language: str,
    errors: dict[int | None, str] | None = None,
    action: str = "",
    preview: bool = False,
) -> dict:
    errors = errors or {}
    rows = form.rows(errors)
    return _page_context(language=language, languages=survey.languages) | {
        "title": survey.titles.get(language) or next(iter(survey.titles.values()), "") or survey.name,
        "intro": survey.intros.get(language, ""),
        "question_count": len(rows),
        "rows": rows,
        "form_error": errors.get(None, ""),
        "error_rows": [row for row in rows if row.error],
        "text_limit": settings.SURVEY_TEXT_MAX_LENGTH,
        "action": action,
        "preview": preview,
    }


def _invitation_language(invitation: Invitation, requested: str | None) -> str:
    return survey_language(invitation.survey.languages, requested, invitation.language)


# --- views ---------------------------------------------------------------------------------------


@csrf_exempt  # see the module docstring
@require_http_methods(["GET", "HEAD", "POST"])
@public_page
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey behind an emailed link: GET shows it, POST stores the answers once."""
    if request.method == "POST":
        return _survey_submit(request, token)
    answered_here = _answered_here(request)
    invitation = invitation_for_token(token, open_only=not answered_here)
    if invitation is not None and not invitation_is_open(invitation):
        if invitation.pk in answered_here and invitation.status == Invitation.Status.RESPONDED:
            # The customer reopening their own answered link in the browser they answered from.
            language = _invitation_language(invitation, request.GET.get("lang"))
            context = _page_context(language=language, languages=invitation.survey.languages)
            return _page("surveys/public/answered_here.html", context)
        invitation = None
    if invitation is None:
        _failure_record(request)
        return _closed_page()
    invitation_open(invitation=invitation)
    language = _invitation_language(invitation, request.GET.get("lang"))
    survey = invitation.survey
    blank = _blank_survey_page(survey, survey.updated_at, language, settings.SURVEY_COMPANY_NAME)
    # The token passed the selector's shape check (URL-safe letters only): nothing to escape.
    page = blank.replace(_stand_in_action(), reverse("survey-answer", args=[token]), 1)
    response = HttpResponse(page)
    response["Content-Language"] = language
    return response


# The token in the form's action of the pages kept by _blank_survey_page: one no link has.
_STAND_IN_TOKEN = secrets.token_urlsafe(32)
BLANK_PAGES_KEPT = 128


def _stand_in_action() -> str:
    return reverse("survey-answer", args=[_STAND_IN_TOKEN])


@lru_cache(maxsize=BLANK_PAGES_KEPT)
def _blank_survey_page(survey: Survey, updated_at: datetime, language: str, company: str) -> str:
    """The survey page as a customer first sees it (nothing answered, no error), rendered once per
    process and version of the survey (``updated_at``, stamped by every edit of the survey and
    its questions), language and company name; its form posts to ``_stand_in_action()``, which
    each request replaces by its own link.

    ``survey`` compares equal to every instance of the same row, so ``updated_at`` is what tells
    versions apart. The page is rendered under ``language``'s catalogue whatever the request's
    language is (``_render``), so ``language`` is all of the key a translation needs.
    """
    form = AnswerForm(questions=survey_questions(survey=survey), language=language)
    context = _survey_context(survey=survey, form=form, language=language, action=_stand_in_action())
    return _render(SURVEY_TEMPLATE, context)


def _survey_submit(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token, open_only=False)
    if invitation is None:
        _failure_record(request)
        return _closed_page()
    language = _invitation_language(invitation, request.POST.get("lang"))
    try:
        response_submit(invitation=invitation, data=request.POST, language=language)
    except AlreadyAnswered:
        return _page("surveys/public/answered.html", _page_context(language=language), status=409)
    except InvitationClosed:
        _failure_record(request)
        return _closed_page()
    except AnswerErrors as invalid:
        _failure_record(request)
        form = AnswerForm(
            questions=survey_questions(survey=invitation.survey), language=language, data=request.POST
        )
        context = _survey_context(
            survey=invitation.survey,
            form=form,
            language=language,
            errors=invalid.errors,
            action=reverse("survey-answer", args=[token]),
        )
        return _page(SURVEY_TEMPLATE, context, status=400)
    response = HttpResponseRedirect(f"{reverse('survey-thanks')}?{urlencode({'lang': language})}")
    _remember_answered(request, response, invitation)
    return response


@require_GET
def survey_thanks(request: HttpRequest) -> HttpResponse:
    """The thank-you page after a submission; it carries no token, so it tells nobody anything."""
    requested = request.GET.get("lang")
    language = requested if has_catalogue(requested) else settings.LANGUAGE_CODE
    return _with_public_headers(_page("surveys/public/thanks.html", _page_context(language=language)))


@csrf_exempt  # RFC 8058 one-click unsubscribe posts without a CSRF token; see the module docstring
@require_http_methods(["GET", "HEAD", "POST"])
@public_page
def survey_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; any POST (the page's button, or a mail client's one-click) unsubscribes.

    Works for as long as the invitation exists, answered or expired.
    """
    invitation = invitation_for_token(token, open_only=False)
    if invitation is None:
        _failure_record(request)
        return _closed_page()
    language = _invitation_language(invitation, request.GET.get("lang"))
    if request.method == "POST":
        customer_unsubscribe(invitation=invitation)
        done = True
    else:
        done = invitation.customer.email_opt_out
    context = _page_context(language=language, languages=invitation.survey.languages) | {
        "done": done,
        "action": f"{reverse('survey-unsubscribe', args=[token])}?{urlencode({'lang': language})}",
    }
    return _page("surveys/public/unsubscribe.html", context)


@role_required(MANAGER)
@require_GET
def survey_preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The public page of a survey of any status, exactly as customers see it, posting nowhere."""
    survey = survey_with_questions(survey_id=survey_id)
    if survey is None:
        raise Http404("No such survey.")
    language = survey_language(survey.languages, request.GET.get("lang"))
    form = AnswerForm(questions=list(survey.questions.all()), language=language)
    context = _survey_context(survey=survey, form=form, language=language, preview=True)
    return _with_public_headers(_page(SURVEY_TEMPLATE, context))
