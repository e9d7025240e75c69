from django.apps import AppConfig


class InfraConfig(AppConfig):
    name = "infra"
    verbose_name = "Platform plumbing"

    def ready(self) -> None:
        from . import lookups  # noqa: F401  registers the ``__any`` lookup the bulk writes use
