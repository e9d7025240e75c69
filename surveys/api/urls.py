from django.urls import path
from rest_framework.routers import SimpleRouter

from .invitations import InvitationViewSet
from .views import ResponseViewSet, SurveyInvitationView, SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="survey")
router.register("responses", ResponseViewSet, basename="response")
router.register("invitations", InvitationViewSet, basename="invitation")

urlpatterns = [
    path("surveys/<int:pk>/invitations/", SurveyInvitationView.as_view(), name="survey-invitations"),
    *router.urls,
]
