from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Staff access")

    def ready(self) -> None:
        from django.contrib import admin

        from . import receivers  # noqa: F401  (connects the sign-in signal)
        from .signin import AdminSignInForm

        admin.site.site_header = _("CEM administration")
        admin.site.site_title = _("CEM admin")
        # The admin's sign-in door counts failures against the same limit as the product's (signin.py).
        admin.site.login_form = AdminSignInForm
