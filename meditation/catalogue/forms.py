"""The catalogue's query parameters."""

from __future__ import annotations

from django import forms


class NameSearchForm(forms.Form):
    q = forms.CharField(
        label="Search the names",
        required=False,
        max_length=100,
        strip=True,
    )
