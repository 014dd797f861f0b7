"""The upload form for a session log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from .upload import inspect_upload


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Session log (CSV)",
        help_text="The session log the command-line tool wrote, unencrypted.",
        allow_empty_file=True,  # refused in clean_file, with a clearer message
        error_messages={"required": "Choose the session log file to upload."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.log,.txt,text/csv,text/plain"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.IMPORT_MAX_BYTES)
        self.fields["file"].help_text += f" At most {limit}."

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = filesizeformat(settings.IMPORT_MAX_BYTES)
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {limit}. "
                "Split the log into smaller files, each with the header line.",
                code="too_big",
            )
        if not upload.size:
            raise ValidationError("The file is empty.", code="empty")
        inspect_upload(upload.chunks())
        return upload
