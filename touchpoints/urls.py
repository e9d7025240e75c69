from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # The agent workspace.
    path("customers/", views.customer_search, name="customer-search"),
    path("customers/results/", views.customer_search_results, name="customer-search-results"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer-detail"),
    path(
        "customers/<int:customer_id>/interactions/",
        views.interaction_create,
        name="customer-interaction-create",
    ),
    # A customer's data on request (download, erasure), for CX managers.
    path("customers/<int:customer_id>/data.json", views.customer_export_download, name="customer-export"),
    path("customers/<int:customer_id>/erase/", views.customer_erase_confirm, name="customer-erase"),
    # CSV import and export, for CX managers.
    path("data/import/", views.csv_import, name="csv-import"),
    path("data/export/customers.csv", views.customers_export, name="csv-export-customers"),
    path("data/export/interactions.csv", views.interactions_export, name="csv-export-interactions"),
]
