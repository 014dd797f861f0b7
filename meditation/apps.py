from django.apps import AppConfig


class MeditationConfig(AppConfig):
    name = "meditation"
    verbose_name = "Meditation"

    def ready(self) -> None:
        from accounts import backends
        from accounts.audit import register_actions
        from aysekai_site.platform import metrics

        # Receivers, and the Celery tasks of each feature (Celery's autodiscovery only looks
        # for a top-level `tasks` module).
        from . import jobs, signals  # noqa: F401
        from .audit import Action
        from .exports import tasks as export_tasks  # noqa: F401
        from .imports import tasks as import_tasks  # noqa: F401
        from .journal import stats_cache
        from .journal import tasks as journal_tasks  # noqa: F401
        from .learn import progress
        from .metrics import ExportJobs

        register_actions(Action)
        metrics.register("exports", ExportJobs())
        # The journal's fingerprint comes with the person: one round trip less on the stats
        # page and the journal list (stats_cache.fingerprint).
        backends.read_along(stats_cache.READ_WITH_PERSON, stats_cache.read_with_person)
        # And the learning's (learn/progress.fingerprint), for the names known on the same page.
        backends.read_along(progress.READ_WITH_PERSON, progress.read_with_person)
