"""Follow-up cases, mounted at ``follow-ups/``: agents work their own and the queue, managers all."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.follow_up_list, name="follow-up-list"),
    path("<int:follow_up_id>/", views.follow_up_detail, name="follow-up-detail"),
    path("<int:follow_up_id>/take/", views.follow_up_take, name="follow-up-take"),
    path("<int:follow_up_id>/update/", views.follow_up_update, name="follow-up-update"),
    path("<int:follow_up_id>/assign/", views.follow_up_assign, name="follow-up-assign"),
]
