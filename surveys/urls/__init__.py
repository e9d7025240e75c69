from django.urls import include, path

urlpatterns = [
    # Public pages customers reach from their email: no sign-in, the token is the key.
    path("", include("surveys.urls.public")),
    # The survey builder, for CX managers.
    path("surveys/", include("surveys.urls.builder")),
]
