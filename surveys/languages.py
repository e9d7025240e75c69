"""The languages of the customer-facing survey pages and emails: which one a page speaks, in which
language its fixed words come, the language's name and its writing direction.

A page speaks one of its survey's languages (``survey_language``). Its fixed words ("Send my
answers", "Question 2 of 5") come from the gettext catalogues in ``locale/``, rendered under
``fixed_words_in(language)``. A survey may offer a language the product has no catalogue for (one
outside ``settings.LANGUAGES``): its pages then show English fixed words around the survey's own
texts in that language, whatever ``LANGUAGE_CODE`` is.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info

FALLBACK = "en"  # the language of the fixed words where the product has no catalogue


def survey_language(languages: list[str], *preferred: str | None) -> str:
    """The first of ``preferred`` that ``languages`` (a survey's offer) holds, else its first language.

    The order of ``preferred`` is the order of precedence, e.g. the ``?lang=``
    the customer picked, then the invitation's language.
    """
    for language in preferred:
        if language and language in languages:
            return language
    return languages[0] if languages else settings.LANGUAGE_CODE


def has_catalogue(language: str | None) -> bool:
    """Whether the product translates its fixed words into ``language`` (one of ``settings.LANGUAGES``)."""
    return language in dict(settings.LANGUAGES)


def words_language(language: str | None) -> str:
    """The language of the fixed words on a page in ``language``: itself if it has a catalogue, else
    English."""
    return language if language and has_catalogue(language) else FALLBACK


def fixed_words_in(language: str | None) -> translation.override:
    """Activate the catalogue of ``language``'s fixed words for a ``with`` block (English where the
    product has none)."""
    return translation.override(words_language(language))


def language_name(language: str) -> str:
    """A language's name in itself ("简体中文"), for the switcher; the code when nobody knows it."""
    named = dict(settings.LANGUAGES)
    if language in named:
        return named[language]
    try:
        return get_language_info(language)["name_local"]
    except KeyError:
        return language


def language_direction(language: str | None) -> str:
    """ "rtl" for a language written right to left (Arabic, Hebrew, Persian, Urdu …), else "ltr"."""
    try:
        return "rtl" if get_language_info(language or FALLBACK)["bidi"] else "ltr"
    except KeyError:
        return "ltr"
