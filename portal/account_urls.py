"""Accounts: password reset, e-mail verification and the admin's second factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from portal import views
from portal.forms import LocalisedPasswordResetForm

password_reset = views.PasswordResetView.as_view(
    form_class=LocalisedPasswordResetForm,
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    # Links in e-mails name the portal's own address, never the Host header of the request.
    extra_email_context={"site_url": settings.SITE_URL},
)

urlpatterns = [
    path("password-reset/", password_reset, name="password_reset"),
    # The admin's login page offers a reset link once a URL of this name exists.
    path("password-reset/", password_reset, name="admin_password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("verify-email/send/", views.verify_email_send, name="verify-email-send"),
    path("verify-email/<str:token>/", views.verify_email, name="verify-email"),
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
]
