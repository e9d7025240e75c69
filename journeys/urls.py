"""The journey-map editor, mounted at ``journey-maps/``; CX managers only."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.journey_map_list, name="journey-map-list"),
    path("new/", views.journey_map_create, name="journey-map-create"),
    path("<int:map_id>/", views.journey_map_edit, name="journey-map-edit"),
    path("<int:map_id>/preview/", views.journey_map_preview, name="journey-map-preview"),
    path("<int:map_id>/publish/", views.journey_map_publish, name="journey-map-publish"),
    path("<int:map_id>/withdraw/", views.journey_map_withdraw, name="journey-map-withdraw"),
    path("<int:map_id>/runs/<int:run_id>/", views.assembly_run_page, name="journey-map-run"),
    path("<int:map_id>/runs/<int:run_id>/state.json", views.assembly_run_state, name="journey-map-run-state"),
]
