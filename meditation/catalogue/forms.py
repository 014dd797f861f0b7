"""The catalogue's query parameters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class NameSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the names"),
        required=False,
        max_length=100,
        strip=True,
    )
