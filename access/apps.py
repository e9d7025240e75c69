from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Staff access"

    def ready(self) -> None:
        from django.contrib import admin

        from .signin import AdminSignInForm

        admin.site.site_header = "CEM administration"
        admin.site.site_title = "CEM admin"
        # The admin's sign-in door counts failures against the same limit as the product's (signin.py).
        admin.site.login_form = AdminSignInForm
