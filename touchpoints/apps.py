from django.apps import AppConfig


class TouchpointsConfig(AppConfig):
    name = "touchpoints"
    verbose_name = "Customers and touchpoints"

    def ready(self) -> None:
        import cem.lookups  # noqa: F401  (registers the ``__any`` lookup the bulk writes use)
