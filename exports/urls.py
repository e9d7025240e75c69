"""Raw exports: the form, a job's page, its state (polled) and its file."""

from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.export_page, name="export-new"),
    path("exports/<uuid:job_id>/", views.export_job, name="export-job"),
    path("exports/<uuid:job_id>/state.json", views.export_job_state, name="export-job-state"),
    path("exports/<uuid:job_id>/download", views.export_download, name="export-download"),
    # The whole tables, in the import's columns (the import page links them).
    path("data/export/customers.csv", views.customers_export, name="csv-export-customers"),
    path("data/export/interactions.csv", views.interactions_export, name="csv-export-interactions"),
]
