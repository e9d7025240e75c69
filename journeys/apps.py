from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = _("Journeys")

    def ready(self) -> None:
        # Imported here, not at the top: receivers import models, which exist only once the app
        # registry is ready. Journeys act on the ledger's writes (``touchpoints.hooks``).
        from touchpoints import hooks as ledger_hooks

        from . import receivers

        ledger_hooks.interactions_added.connect(receivers.interactions_added)
        ledger_hooks.interactions_changed.connect(receivers.interactions_changed)
