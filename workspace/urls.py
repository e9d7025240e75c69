from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.customer_search, name="customer-search"),
    path("customers/results/", views.customer_search_results, name="customer-search-results"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer-detail"),
    path(
        "customers/<int:customer_id>/interactions/",
        views.interaction_create,
        name="customer-interaction-create",
    ),
]
