"""The journal's forms: editing an entry, and the list's query parameters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .. import dates
from ..models import REFLECTION_MAX, MeditationSession, Mood
from ..text import paragraphs


class EntryEditForm(forms.ModelForm):
    class Meta:
        model = MeditationSession
        fields = ("reflection", "mood")
        widgets = {"reflection": forms.Textarea(attrs={"rows": 6, "maxlength": REFLECTION_MAX})}
        labels = {"reflection": _("Reflection"), "mood": _("Mood")}
        help_texts = {"reflection": _("At most 5,000 characters.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reflection = cast(forms.CharField, self.fields["reflection"])
        reflection.max_length = REFLECTION_MAX
        reflection.validators.append(MaxLengthValidator(REFLECTION_MAX))
        reflection.strip = False

    def clean_reflection(self) -> str:
        return paragraphs(self.cleaned_data["reflection"])


class JournalFilterForm(forms.Form):
    """The journal's query parameters: ?q=, ?name=, ?from=, ?to=, ?mood= (the URL contract)."""

    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    name = forms.IntegerField(label=_("Name number"), required=False, min_value=1, max_value=99)
    mood = forms.ChoiceField(
        label=_("Mood"), choices=[("", _("Any mood")), *Mood.choices], required=False
    )
    field_order = ("q", "name", "from", "to", "mood")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two are added here rather than declared.
        labels = (("from", pgettext("date range", "From")), ("to", pgettext("date range", "To")))
        for key, label in labels:
            self.fields[key] = dates.bound(
                forms.DateField(
                    label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
            )
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", gettext("The end date is before the start date."))
        return cleaned
