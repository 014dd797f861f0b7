"""The dates a person may ask about: the journal's filters and an export's range.

One pair of bounds for every date input, far wider than any journal and far enough from the
ends of the calendar that the start of a local day, in any zone, is still a datetime.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

EARLIEST = datetime.date(1970, 1, 1)
LATEST = datetime.date(2100, 12, 31)
# In English (tests compare with it); the error itself is in the page's language.
OUT_OF_RANGE = gettext_noop("Choose a date from 1 January 1970 to 31 December 2100.")


def validate_in_range(value: datetime.date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(gettext(OUT_OF_RANGE), code="date_out_of_range")


def bound(field: forms.Field) -> forms.Field:
    """A form's date field, refusing dates outside the bounds (and its picker offering none)."""
    field.validators.append(validate_in_range)
    field.widget.attrs.update(min=EARLIEST.isoformat(), max=LATEST.isoformat())
    return field
