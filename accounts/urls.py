from django.contrib.auth import views as auth_views
from django.urls import path

from . import email_change, personal_tokens, two_factor, views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password_change/", views.password_change, name="password_change"),
    path("password_reset/", views.password_reset, name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password_reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password_reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("settings/", views.settings_view, name="settings"),
    path("settings/email/", email_change.request_change, name="email_change"),
    path(
        "settings/email/confirm/<str:token>/",
        email_change.confirm_change,
        name="email_change_confirm",
    ),
    path("settings/tokens/", personal_tokens.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", personal_tokens.revoke, name="token_revoke"),
    path("two_factor/", two_factor.overview, name="two_factor"),
    path("two_factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("two_factor/disable/", two_factor.disable, name="two_factor_disable"),
    path("two_factor/backup_codes/", two_factor.backup_codes, name="two_factor_backup_codes"),
    path("delete/", views.delete_account, name="delete"),
]
