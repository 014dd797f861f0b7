from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from aysekai_site.platform import metrics

        from . import signals  # connects the receivers
        from .audit import Action, register_actions

        register_actions(Action)
        signals.install_admin_audit()
        metrics.register(
            "failed_sign_ins",
            metrics.SharedCounter(
                signals.LOGIN_FAILED_COUNTER, "aysekai_failed_sign_ins", "Failed sign-in attempts."
            ),
        )
