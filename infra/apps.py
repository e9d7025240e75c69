from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    name = "infra"
    verbose_name = _("Platform plumbing")

    def ready(self) -> None:
        from . import lookups  # noqa: F401  registers the ``__any`` lookup the bulk writes use
