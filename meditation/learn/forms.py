"""The forms of `/learn/`: an answer, the person's preferences, a recitation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import NAME_COUNT, Direction, DivineName, LearningPreferences
from .questions import DIRECTION_CHOICES, FELT

ANSWER_MAX = 200
RECITE_COUNT = 5


class NumberField(forms.TypedChoiceField):
    """A name's number, 1–99, as the select of the names or a plain value."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [(n, n) for n in range(1, NAME_COUNT + 1)])
        super().__init__(coerce=int, **kwargs)


class AnswerForm(forms.Form):
    """An answer to the question shown: which card (the name and direction) as it was shown
    (`seen`: its number of reviews then; a visitor's place in their round), and the answer."""

    number = NumberField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=Direction.choices, widget=forms.HiddenInput)
    seen = forms.IntegerField(min_value=0, max_value=1_000_000, widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Your answer"), max_length=ANSWER_MAX, required=False)
    felt = forms.TypedChoiceField(
        choices=[(r.value, r.label) for r in FELT], coerce=int, required=False, empty_value=None
    )

    def clean_answer(self) -> str:
        answer = " ".join(self.cleaned_data["answer"].split())
        if not answer:
            raise forms.ValidationError(gettext("Write an answer, or choose one."))
        return answer


class PreferencesForm(forms.ModelForm):
    directions = forms.MultipleChoiceField(
        label=_("What to practise"),
        choices=DIRECTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way to practise.")},
    )
    new_per_day = forms.IntegerField(
        label=_("New names a day"),
        min_value=0,
        max_value=LearningPreferences.NEW_PER_DAY_MAX,
    )

    class Meta:
        model = LearningPreferences
        fields = ["directions", "new_per_day"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Made here, in the request's language: the limit is put in after translation.
        self.fields["new_per_day"].help_text = gettext(
            "How many cards to introduce each day, 0 to %(most)s. "
            "Cards already due are always asked."
        ) % {"most": LearningPreferences.NEW_PER_DAY_MAX}

    def clean_directions(self) -> list[str]:
        chosen = set(self.cleaned_data["directions"])
        return [value for value in Direction.values if value in chosen]  # in their order


class ReciteForm(forms.Form):
    """The names after `after` (0: from the first), written in order."""

    after = forms.TypedChoiceField(
        label=_("Start after"),
        choices=[
            (0, _("the beginning")),
            *((n, n) for n in range(1, NAME_COUNT - RECITE_COUNT + 1)),
        ],
        coerce=int,
    )

    def __init__(self, *args: Any, names: Sequence[DivineName] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if names:
            after = cast("forms.TypedChoiceField", self.fields["after"])
            after.choices = [(0, gettext("the beginning (name 1)"))] + [
                (n.number, f"{n.number}. {n.transliteration}")
                for n in names if n.number <= NAME_COUNT - RECITE_COUNT
            ]  # fmt: skip
        for place in range(1, RECITE_COUNT + 1):
            self.fields[f"name_{place}"] = forms.CharField(
                label=gettext("Name %(place)s") % {"place": place},
                max_length=ANSWER_MAX,
                required=False,
            )

    def answers(self) -> list[str]:
        return [
            " ".join(self.cleaned_data[f"name_{p}"].split()) for p in range(1, RECITE_COUNT + 1)
        ]
