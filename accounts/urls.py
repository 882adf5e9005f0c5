"""Signing in and out, password reset and change, the account page, and a
clinic admin's unlock of a member. The names are Django's own ("login",
"password_reset_done", ...), which its views and templates look up."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .sessions import views as session_views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("login/code/", views.SignInCodeView.as_view(), name="sign_in_code"),
    path("login/recovery-code/", views.SignInCodeView.as_view(recovery=True), name="sign_in_recovery_code"),
    path("login/passkey/", views.SignInPasskeyView.as_view(), name="sign_in_passkey"),
    path("login/passkey/options/", views.SignInPasskeyOptionsView.as_view(), name="sign_in_passkey_options"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/stay/", session_views.stay_signed_in, name="stay_signed_in"),
    path("account/", views.account, name="account"),
    path("account/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("account/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/passkeys/", views.passkey_add, name="passkey_add"),
    path("account/passkeys/options/", views.passkey_options, name="passkey_options"),
    path("account/passkeys/<int:passkey_id>/remove/", views.passkey_remove, name="passkey_remove"),
    path("password-change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("clinics/<slug:slug>/members/<int:user_id>/unlock/", views.unlock_member, name="unlock_member"),
]
