from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SiteConfig(AppConfig):
    default = True
    name = "aysekai_site"
    verbose_name = "Site"

    def ready(self) -> None:
        # Each connects its Celery signal receivers: task outcomes; workers' and beat's heartbeats.
        from . import task_metrics, workers  # noqa: F401


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on a site that requires a verified second factor."""

    default = False
    default_site = "aysekai_site.admin.SecondFactorAdminSite"
