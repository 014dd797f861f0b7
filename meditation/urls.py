"""Every URL of the app, grouped by feature package (the URL contract is in docs/)."""

from django.urls import path, register_converter

from .api import views as api
from .catalogue import views as catalogue
from .catalogue.converters import NameNumberConverter
from .exports import views as exports
from .imports import views as imports
from .journal import views as journal
from .learn import views as learn
from .sitting import views as sitting

register_converter(NameNumberConverter, "name_number")

app_name = "meditation"
urlpatterns = [
    # catalogue/
    path("", catalogue.home, name="home"),
    path("names/", catalogue.name_list, name="name_list"),
    path("names/<name_number:number>/", catalogue.name_detail, name="name_detail"),
    path("about/", catalogue.about, name="about"),
    # sitting/
    path("meditate/", sitting.meditate, name="meditate"),
    path("meditate/<uuid:sitting_id>/", sitting.sitting_page, name="sitting"),
    path("meditate/<uuid:sitting_id>/dhikr/", sitting.sitting_dhikr, name="sitting_dhikr"),
    path("meditate/<uuid:sitting_id>/finish/", sitting.sitting_finish, name="sitting_finish"),
    # api/ (the API itself is mounted by the project's URLconf)
    path("api/", api.docs, name="api_docs"),
    # learn/
    path("learn/", learn.learn, name="learn"),
    path("learn/answer/", learn.learn_answer, name="learn_answer"),
    path("learn/recite/", learn.recite, name="learn_recite"),
    path("learn/settings/", learn.learn_settings, name="learn_settings"),
    # journal/
    path("journal/", journal.journal, name="journal"),
    path("journal/stats/", journal.stats, name="stats"),
    path("journal/trash/", journal.trash, name="trash"),
    path("journal/<uuid:entry_id>/", journal.entry_detail, name="entry_detail"),
    path("journal/<uuid:entry_id>/edit/", journal.entry_edit, name="entry_edit"),
    path("journal/<uuid:entry_id>/delete/", journal.entry_delete, name="entry_delete"),
    path("journal/<uuid:entry_id>/restore/", journal.entry_restore, name="entry_restore"),
    # imports/
    path("journal/import/", imports.import_log, name="import"),
    path("journal/import/<uuid:job_id>/", imports.import_report, name="import_report"),
    # exports/
    path("exports/", exports.export_list, name="exports"),
    path("exports/<uuid:job_id>/download/", exports.export_download, name="export_download"),
    path("exports/<uuid:job_id>/retry/", exports.export_retry, name="export_retry"),
]
