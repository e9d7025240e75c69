from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Imported here, not at the top: receivers import models, which exist only once the app
        # registry is ready. This is where an app connects to the hooks of the apps below it.
        from journeys import hooks as journey_hooks
        from surveys import hooks as survey_hooks
        from touchpoints import hooks as ledger_hooks

        from . import receivers

        ledger_hooks.interactions_added.connect(receivers.interactions_added)
        ledger_hooks.interactions_changed.connect(receivers.interactions_changed)
        ledger_hooks.customers_changed.connect(receivers.customers_changed)
        survey_hooks.responses_added.connect(receivers.responses_added)
        survey_hooks.responses_changed.connect(receivers.responses_changed)
        survey_hooks.invitations_sent.connect(receivers.invitations_sent)
        survey_hooks.invitations_changed.connect(receivers.invitations_changed)
        journey_hooks.journeys_changed.connect(receivers.journeys_changed)
