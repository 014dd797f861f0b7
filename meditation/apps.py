from django.apps import AppConfig


class MeditationConfig(AppConfig):
    name = "meditation"
    verbose_name = "Meditation"
