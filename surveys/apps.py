from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # Imported here, not at the top: receivers import models, which exist only once the app
        # registry is ready. This is where an app connects to the hooks of the apps below it.
        from touchpoints import hooks

        from . import receivers

        hooks.interactions_logged.connect(receivers.survey_rules_offer)
        hooks.customers_deleting.connect(receivers.customers_responses_delete)
