"""What staff choose for themselves: for now, the language the product speaks to them in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffPreference(models.Model):
    """One staff user's choices, made from the header and kept across devices and sessions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    # "" follows the browser (Accept-Language), as before any choice is made.
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_("The language of pages and emails; empty follows the browser."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"
