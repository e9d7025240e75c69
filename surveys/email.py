"""The invitation and reminder emails: HTML and plain text, in the customer's language.

Every message names the company and the survey, carries the survey link and an
unsubscribe link, and the ``List-Unsubscribe`` / ``List-Unsubscribe-Post``
headers (RFC 2369, RFC 8058) so mail clients offer a one-click unsubscribe.
"""

import hashlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Invitation

# Subject lines and fixed sentences per language; the survey's own title comes from the survey.
EMAIL_TEXT = {
    "en": {
        "subject": "{company}: how did we do? ({survey})",
        "reminder_subject": "Reminder — {company}: how did we do? ({survey})",
        "greeting": "Dear {name},",
        "ask": "{company} would like to hear about your experience. It takes under a minute.",
        "reminder_ask": (
            "A few days ago {company} asked about your experience. There is still time to answer."
        ),
        "button": "Answer the survey",
        "expires": "The link works until {date}.",
        "unsubscribe": "Do not want these emails? Unsubscribe",
    },
    "zh-hans": {
        "subject": "{company}：请评价我们的服务（{survey}）",
        "reminder_subject": "提醒 — {company}：请评价我们的服务（{survey}）",
        "greeting": "尊敬的{name}：",
        "ask": "{company}希望了解您的体验，只需不到一分钟。",
        "reminder_ask": "几天前{company}邀请您评价我们的服务，现在回答还来得及。",
        "button": "回答问卷",
        "expires": "链接在{date}前有效。",
        "unsubscribe": "不想再收到此类邮件？退订",
    },
}


def email_language(invitation: Invitation) -> str:
    """The invitation's language when both the survey and these emails offer it, else English."""
    for language in (invitation.language, invitation.survey.default_language):
        if language in EMAIL_TEXT and language in (invitation.survey.languages or [language]):
            return language
    return "en"


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
    text = EMAIL_TEXT[language]
    survey = invitation.survey
    company = settings.SURVEY_COMPANY_NAME
    title = survey.titles.get(language) or survey.titles.get(survey.default_language) or survey.name
    links = invitation_links(token)
    context = {
        "language": language,
        "company": company,
        "survey_title": title,
        "greeting": text["greeting"].format(name=invitation.customer.name),
        "ask": text["reminder_ask" if reminder else "ask"].format(company=company),
        "button": text["button"],
        "expires": text["expires"].format(date=invitation.expires_at.date().isoformat()),
        "unsubscribe": text["unsubscribe"],
        "links": links,
    }
    subject = text["reminder_subject" if reminder else "subject"].format(company=company, survey=title)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("surveys/email/invitation.txt", context),
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
    message.attach_alternative(render_to_string("surveys/email/invitation.html", context), "text/html")
    return message
