"""CSV import and export of customers and interactions, for CX managers."""

from django.urls import path

from . import views

urlpatterns = [
    path("data/import/", views.csv_import, name="csv-import"),
    path("data/export/customers.csv", views.customers_export, name="csv-export-customers"),
    path("data/export/interactions.csv", views.interactions_export, name="csv-export-interactions"),
]
