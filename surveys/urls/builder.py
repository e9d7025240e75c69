"""The survey builder, mounted at ``surveys/``; CX managers only."""

from django.urls import path

from surveys.views import builder as views

urlpatterns = [
    path("", views.survey_list, name="survey-builder-list"),
    path("new/", views.survey_new, name="survey-builder-create"),
    path("<int:survey_id>/", views.survey_detail, name="survey-builder-detail"),
    path("<int:survey_id>/edit/", views.survey_edit, name="survey-builder-edit"),
    path("<int:survey_id>/publish/", views.survey_publish, name="survey-builder-publish"),
    path("<int:survey_id>/close/", views.survey_close, name="survey-builder-close"),
    path("<int:survey_id>/questions/new/", views.question_new, name="survey-builder-question-create"),
    path(
        "<int:survey_id>/questions/<int:question_id>/edit/",
        views.question_edit,
        name="survey-builder-question-edit",
    ),
    path(
        "<int:survey_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="survey-builder-question-delete",
    ),
    path(
        "<int:survey_id>/questions/<int:question_id>/move/",
        views.question_move,
        name="survey-builder-question-move",
    ),
    path("<int:survey_id>/rules/new/", views.survey_rule_new, name="survey-builder-rule-create"),
    path(
        "<int:survey_id>/rules/<int:rule_id>/active/",
        views.survey_rule_set_active,
        name="survey-builder-rule-active",
    ),
    path(
        "<int:survey_id>/rules/<int:rule_id>/delete/",
        views.survey_rule_delete,
        name="survey-builder-rule-delete",
    ),
]
