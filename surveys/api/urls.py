from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ResponseViewSet, SurveyInvitationView, SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="survey")
router.register("responses", ResponseViewSet, basename="response")

urlpatterns = [
    path("surveys/<int:pk>/invitations/", SurveyInvitationView.as_view(), name="survey-invitations"),
    *router.urls,
]
