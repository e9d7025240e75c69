"""Signals access listens to."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from access.languages import chosen_language, remember_in_session


@receiver(user_logged_in, dispatch_uid="access.remember_language")
def remember_language(sender, request, user, **kwargs) -> None:
    """At sign-in, the session learns the user's language (one query, then none per page)."""
    if request is not None:
        remember_in_session(request, chosen_language(user))
