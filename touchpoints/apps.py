from django.apps import AppConfig


class TouchpointsConfig(AppConfig):
    name = "touchpoints"
    verbose_name = "Customers and touchpoints"
