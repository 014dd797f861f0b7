"""Asking for an export: format and optional local date range."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import dates, jobs
from ..models import ExportJob


class ExportForm(forms.ModelForm):
    class Meta:
        model = ExportJob
        fields = ("format", "date_from", "date_to")
        labels = {
            "format": _("Format"),
            "date_from": _("From (optional)"),
            "date_to": _("To (optional)"),
        }
        widgets = {
            "format": forms.RadioSelect,
            "date_from": forms.DateInput(attrs={"type": "date"}),
            "date_to": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"date_to": _("Leave both dates empty for everything.")}

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        for key in ("date_from", "date_to"):
            dates.bound(self.fields[key])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext("The end date is before the start date."))
        refusal = jobs.export_limit_reached(self.owner)
        if refusal:
            raise forms.ValidationError(refusal)
        return cleaned
