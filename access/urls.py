"""Staff sign-in and sign-out, on the product's page and the admin's: one failure limit for both."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from .signin import SignInForm, refused_with_429

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
]
