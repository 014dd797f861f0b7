"""The sitting's forms: the intention (and the options) before, the reflection after."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from ..catalogue.translations import localize
from ..models import INTENTION_MAX, REFLECTION_MAX, DivineName, Mood
from ..text import one_line, paragraphs

PRESET_MINUTES = (3, 5, 10, 20)
MAX_MINUTES = 120
DHIKR_MAX = 100_000  # the most a sitting's counter records
BELL_CHOICES = [(0, _("No interval bells")), (1, _("Every minute")), (5, _("Every 5 minutes"))]


def length_choices() -> list[tuple[str, str]]:
    """The preset lengths' labels, in the language of the request (a callable: read on use)."""
    presets = [
        (str(m), ngettext("%(minutes)s minute", "%(minutes)s minutes", m) % {"minutes": m})
        for m in PRESET_MINUTES
    ]
    return [*presets, ("custom", pgettext("length", "Custom"))]


class MeditateForm(forms.Form):
    intention = forms.CharField(
        label=_("Your intention"),
        help_text=_("In your own words: what you bring to this sitting. At most 500 characters."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": INTENTION_MAX}),
        strip=False,
    )
    number = forms.TypedChoiceField(
        label=_("The name"),
        help_text=_("Leave it to the draw, or choose one of the 99 yourself."),
        required=False,
        coerce=int,
        empty_value=None,
    )
    length = forms.ChoiceField(
        label=_("Length"),
        choices=length_choices,
        widget=forms.RadioSelect,
    )
    custom_minutes = forms.IntegerField(
        label=_("Custom length (minutes)"),
        help_text=_("1 to 120 minutes."),
        required=False,
        min_value=1,
        max_value=MAX_MINUTES,
    )
    interval_bell = forms.TypedChoiceField(
        label=_("Interval bells"), choices=BELL_CHOICES, coerce=int, initial=0
    )
    end_bell = forms.BooleanField(label=_("Ring a bell at the end"), required=False, initial=True)
    dhikr_target = forms.TypedChoiceField(label=_("Dhikr target"), coerce=int)

    def __init__(self, *args: Any, default_minutes: int = 10, own_target: int = 33, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The picker: a plain select, so it works without JavaScript (and types ahead in it).
        # The meanings in the page's language (one query more outside English).
        names = [(n.number, n.transliteration, n.meaning) for n in
                 localize(DivineName.objects.order_by("number").only("number", "transliteration",
                                                                     "meaning"))]  # fmt: skip
        cast(forms.TypedChoiceField, self.fields["number"]).choices = [
            ("", gettext("Draw a name for me")),
            *((n, f"{n}. {transliteration} · {meaning}") for n, transliteration, meaning in names),
        ]
        targets = sorted({33, 99, own_target})
        target_field = cast(forms.TypedChoiceField, self.fields["dhikr_target"])
        target_field.choices = [
            (
                t,
                gettext("%(target)s (your own)") % {"target": t}
                if t == own_target and t not in (33, 99)
                else str(t),
            )
            for t in targets
        ]
        target_field.initial = own_target
        if default_minutes in PRESET_MINUTES:
            self.fields["length"].initial = str(default_minutes)
        else:
            self.fields["length"].initial = "custom"
            self.fields["custom_minutes"].initial = default_minutes
        self.intention_changed = False

    def clean_intention(self) -> str:
        text, self.intention_changed = one_line(self.cleaned_data["intention"])
        if not text:
            raise ValidationError(gettext("Write an intention: a few words are enough."))
        if len(text) > INTENTION_MAX:
            raise ValidationError(
                gettext("Keep your intention to %(most)s characters (it has %(length)s).")
                % {"most": INTENTION_MAX, "length": len(text)}
            )
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        length = cleaned.get("length")
        if length == "custom":
            if cleaned.get("custom_minutes") is None and "custom_minutes" not in self.errors:
                self.add_error("custom_minutes", gettext("Give a length from 1 to 120 minutes."))
            cleaned["minutes"] = cleaned.get("custom_minutes")
        elif length:
            cleaned["minutes"] = int(length)
        return cleaned


class DhikrTotalForm(forms.Form):
    """The browser's running total of a sitting's dhikr (`meditate.js`): absolute, so a retry
    or a late request can never count a tap twice or take one away."""

    total = forms.IntegerField(min_value=0, max_value=DHIKR_MAX)


class FinishForm(forms.Form):
    reflection = forms.CharField(
        label=_("Reflection (optional)"),
        help_text=_("What stayed with you? Only you can read it. At most 5,000 characters."),
        required=False,
        max_length=REFLECTION_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": REFLECTION_MAX}),
    )
    mood = forms.ChoiceField(
        label=_("Mood (optional)"), choices=[("", "—"), *Mood.choices], required=False
    )
    dhikr_count = forms.IntegerField(
        label=_("Dhikr count"), min_value=0, max_value=DHIKR_MAX, required=False
    )
    minutes = forms.IntegerField(
        label=_("Minutes you sat"),
        help_text=_("Ending early is fine: record the time you actually sat."),
        min_value=0,
        max_value=10 * MAX_MINUTES,
        required=False,
    )
    # Filled by the timer script with the exact time, in seconds; wins over `minutes`.
    elapsed_seconds = forms.IntegerField(
        min_value=0, max_value=36_000, required=False, widget=forms.HiddenInput
    )
    # "Add to my cards" (issue 15): a person's only; with the form, so that nothing typed above
    # is lost to another form's submission.
    learn = forms.BooleanField(required=False)

    def __init__(self, *args: Any, learnable: DivineName | None = None, **kwargs: Any) -> None:
        """`learnable`: the sitting's name, for a signed-in person (a visitor has no cards)."""
        super().__init__(*args, **kwargs)
        if learnable is None:
            del self.fields["learn"]
        else:
            self.fields["learn"].label = gettext("Add %(name)s to my cards") % {
                "name": learnable.transliteration
            }
            self.fields["learn"].help_text = gettext(
                "To learn it by heart on Learn: it is asked first."
            )

    def clean_reflection(self) -> str:
        return paragraphs(self.cleaned_data["reflection"])

    def actual_seconds(self, since_start: float) -> int:
        """The time sat, never more than has passed since the session started."""
        data = self.cleaned_data
        if data.get("elapsed_seconds") is not None:
            claimed = data["elapsed_seconds"]
        elif data.get("minutes") is not None:
            claimed = data["minutes"] * 60
        else:
            claimed = int(since_start)
        return max(0, min(claimed, int(since_start)))
