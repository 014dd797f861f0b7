from django.apps import AppConfig


class MeditationConfig(AppConfig):
    name = "meditation"
    verbose_name = "Meditation"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
