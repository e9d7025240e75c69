"""Emails to staff about follow-up cases, each written in the recipient's language.

The recipient's language is their own choice (``access.languages.user_language``), not the
language of whoever caused the email: a manager reading English may hand a case to an agent
who reads Chinese. The email is sent by a task after the change commits (``follow_up_assign``
enqueues it); a case handed on again before the task runs is not announced to its former
assignee.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from access.languages import user_language
from followups.models import FollowUp


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def follow_up_assigned_message(case: FollowUp, *, assignee, by=None) -> EmailMessage:
    """The email telling ``assignee`` that ``by`` (None: nobody named) handed them ``case``."""
    with translation.override(user_language(assignee)):
        context = {
            "assignee": _person(assignee),
            "by": _person(by) if by is not None else "",
            "reason": case.get_reason_display(),
            "customer": case.customer.name,
            "score": case.score,
            "due": date_format(timezone.localtime(case.due_at), "SHORT_DATETIME_FORMAT"),
            "url": settings.SITE_URL + reverse("follow-up-detail", args=[case.id]),
        }
        subject = gettext("Follow-up case assigned to you: %(customer)s") % {"customer": case.customer.name}
        body = render_to_string("followups/email/assigned.txt", context)
    return EmailMessage(subject=subject, body=body, to=[assignee.email])


def follow_up_assigned_notify(*, follow_up_id: int, assignee_id: int, by_id: int | None = None) -> bool:
    """Email the assignee of a case just handed to them; returns whether an email went.

    Nothing is sent when the case has gone to someone else meanwhile, or is gone, or the
    assignee has no address or is no longer active.
    """
    case = FollowUp.objects.select_related("customer", "assignee").filter(pk=follow_up_id).first()
    if case is None or case.assignee_id != assignee_id:
        return False
    assignee = case.assignee
    if not (assignee.is_active and assignee.email):
        return False
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    follow_up_assigned_message(case, assignee=assignee, by=by).send()
    return True
