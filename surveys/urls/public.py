"""Customer-facing survey pages (no sign-in: the token is the key) and the staff preview of them."""

from django.urls import path

from surveys.views import public

urlpatterns = [
    # Before the token pattern: "thanks" is no token (tokens are 43 characters).
    path("s/thanks/", public.survey_thanks, name="survey-thanks"),
    path("s/<str:token>/", public.survey_answer, name="survey-answer"),
    path("u/<str:token>/", public.survey_unsubscribe, name="survey-unsubscribe"),
    path("surveys/<int:survey_id>/preview/", public.survey_preview, name="survey-preview"),
]
