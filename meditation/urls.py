from django.urls import path, register_converter

from . import export_views, import_views, journal_views, session_views, stats_views, views
from .converters import NameNumberConverter

register_converter(NameNumberConverter, "name_number")

app_name = "meditation"
urlpatterns = [
    path("", views.home, name="home"),
    path("names/", views.name_list, name="name_list"),
    path("names/<name_number:number>/", views.name_detail, name="name_detail"),
    path("about/", views.about, name="about"),
    path("journal/stats/", stats_views.stats, name="stats"),
    path("meditate/", session_views.meditate, name="meditate"),
    path("meditate/<uuid:session_id>/", session_views.session, name="session"),
    path("meditate/<uuid:session_id>/dhikr/", session_views.dhikr, name="session_dhikr"),
    path("meditate/<uuid:session_id>/finish/", session_views.finish, name="session_finish"),
    path("journal/", journal_views.journal, name="journal"),
    path("journal/trash/", journal_views.trash, name="trash"),
    path("journal/import/", import_views.import_log, name="import"),
    path("journal/import/<uuid:job_id>/", import_views.import_report, name="import_report"),
    path("journal/<uuid:entry_id>/", journal_views.entry_detail, name="entry_detail"),
    path("journal/<uuid:entry_id>/edit/", journal_views.entry_edit, name="entry_edit"),
    path("journal/<uuid:entry_id>/delete/", journal_views.entry_delete, name="entry_delete"),
    path("journal/<uuid:entry_id>/restore/", journal_views.entry_restore, name="entry_restore"),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/<uuid:job_id>/download/", export_views.export_download, name="export_download"),
    path("exports/<uuid:job_id>/retry/", export_views.export_retry, name="export_retry"),
]
