"""CSV import of customers and interactions, for CX managers (the exports app serves the files back)."""

from django.urls import path

from . import views

urlpatterns = [
    path("data/import/", views.csv_import, name="csv-import"),
]
