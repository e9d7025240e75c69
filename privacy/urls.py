"""A customer's data on request (download, erasure), for CX managers."""

from django.urls import path

from . import views

urlpatterns = [
    path("customers/<int:customer_id>/data.json", views.customer_export_download, name="customer-export"),
    path("customers/<int:customer_id>/erase/", views.customer_erase_confirm, name="customer-erase"),
]
