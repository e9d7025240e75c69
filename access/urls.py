"""Staff sign-in and sign-out (on the product's page and the admin's: one failure limit for both),
and the header's language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from .signin import SignInForm, refused_with_429
from .views import language_set

urlpatterns = [
    path(
        "login/",
        refused_with_429(
            auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", refused_with_429(admin.site.login)),
    path("account/language/", language_set, name="language-set"),
]
