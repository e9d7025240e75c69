"""The invitation and reminder emails: HTML and plain text, in the customer's language.

Every message names the company and the survey, carries the survey link and an
unsubscribe link, and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post``
headers (RFC 2369, RFC 8058) so mail clients offer a one-click unsubscribe.
Its fixed words come from the gettext catalogue of the invitation's language
(``translation.override``); the survey's title is the survey's own, in that language.
"""

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from .languages import FALLBACK, has_catalogue, language_direction
from .models import Invitation


def email_language(invitation: Invitation) -> str:
    """The invitation's language when both the survey and the product's catalogues offer it, else
    the survey's default language on the same terms, else English."""
    for language in (invitation.language, invitation.survey.default_language):
        if has_catalogue(language) and language in (invitation.survey.languages or [language]):
            return language
    return FALLBACK


def invitation_links(token: str) -> dict[str, str]:
    """The absolute survey and unsubscribe links of a token (built on ``SITE_URL``)."""
    return {
        "survey": settings.SITE_URL + reverse("survey-answer", args=[token]),
        "unsubscribe": settings.SITE_URL + reverse("survey-unsubscribe", args=[token]),
    }


def message_id(invitation: Invitation, *, reminder: bool = False) -> str:
    """The same Message-ID every time this invitation (or its reminder) is built: should a crash
    between the mail server's acceptance and our commit make us send it again, mail systems that
    drop repeated Message-IDs deliver it once. Unique across installations by the nonce's hash."""
    kind = "reminder" if reminder else "invitation"
    salt = hashlib.sha256(f"{invitation.id}:{invitation.token_nonce}".encode()).hexdigest()[:16]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<{kind}-{invitation.id}.{salt}@{domain}>"


def invitation_message(
    invitation: Invitation, *, token: str, reminder: bool = False
) -> EmailMultiAlternatives:
    """The email of ``invitation`` (or its reminder), ready to send to the customer."""
    language = email_language(invitation)
    survey = invitation.survey
    company = settings.SURVEY_COMPANY_NAME
    title = survey.titles.get(language) or survey.titles.get(survey.default_language) or survey.name
    links = invitation_links(token)
    with translation.override(language):
        context = {
            "language": language,
            "direction": language_direction(language),
            "company": company,
            "survey_title": title,
            "customer_name": invitation.customer.name,
            "reminder": reminder,
            "expires": date_format(invitation.expires_at.date(), "DATE_FORMAT"),
            "links": links,
        }
        words = {"company": company, "survey": title}
        subject = (
            gettext("Reminder — %(company)s: how did we do? (%(survey)s)") % words
            if reminder
            else gettext("%(company)s: how did we do? (%(survey)s)") % words
        )
        body = render_to_string("surveys/email/invitation.txt", context)
        html = render_to_string("surveys/email/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.customer.email],
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": language,
            "X-CEM-Invitation": str(invitation.id),
            "Message-ID": message_id(invitation, reminder=reminder),
        },
    )
    message.attach_alternative(html, "text/html")
    return message
