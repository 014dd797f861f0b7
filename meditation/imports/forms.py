"""The upload form for a session log, and the key file of an encrypted one."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .encrypted_log import KEY_MAX_BYTES, KEY_NOT_LOG, DecryptedLog, decrypt_log, key_of, read_key
from .upload import ENCRYPTED_ERROR, inspect_upload


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Session log"),
        help_text=_("The session log the command-line tool wrote (CSV, or encrypted)."),
        allow_empty_file=True,  # refused in clean_file, with a clearer message
        error_messages={"required": _("Choose the session log file to upload.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.log,.txt,text/csv,text/plain"}),
    )
    key = forms.FileField(
        label=_("Key file (only for an encrypted log)"),
        help_text=_(
            "The file named .key beside the encrypted log. It decrypts the log during the upload "
            "and is never kept. Its name starts with a dot, so the file chooser may hide it: "
            "show hidden files (⌘⇧. on a Mac, Ctrl+H on Linux)."
        ),
        required=False,
        allow_empty_file=True,  # refused in read_key, with the same message as any non-key
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.IMPORT_MAX_BYTES)
        at_most = gettext("At most %(limit)s.") % {"limit": limit}
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {at_most}"
        self.encrypted = False  # the log's first line is a token (it has no header)
        # Set by a valid form given a key: the log, decrypted in memory, to import as it is.
        self.decrypted: DecryptedLog | None = None
        self.key_ignored = False  # a key came with a log that has nothing encrypted

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = filesizeformat(settings.IMPORT_MAX_BYTES)
            message = gettext(
                "The file is %(size)s; the limit is %(limit)s. "
                "Split the log into smaller files (for a CSV log, each with the header line)."
            )
            raise ValidationError(
                message % {"size": filesizeformat(upload.size), "limit": limit}, code="too_big"
            )
        if not upload.size:
            raise ValidationError(gettext("The file is empty."), code="empty")
        if upload.size <= KEY_MAX_BYTES and key_of(b"".join(upload.chunks())):
            raise ValidationError(KEY_NOT_LOG, code="key_not_log")
        try:
            inspect_upload(upload.chunks())
        except ValidationError as error:
            if error.code != "encrypted":
                raise
            self.encrypted = True  # refused in clean() unless its key is given
        return upload

    def clean_key(self) -> Fernet | None:
        upload = self.cleaned_data.get("key")
        # The key itself, never the file: nothing keeps the upload or quotes its content.
        return read_key(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        log, key = cleaned.get("file"), cleaned.get("key")
        if log is None or self.has_error("key"):
            return cleaned
        if key is None:
            if self.encrypted:
                self.add_error("file", ValidationError(ENCRYPTED_ERROR, code="encrypted"))
            return cleaned
        try:
            decrypted = decrypt_log(log.chunks(), key, headerless=self.encrypted)
        except ValidationError as error:
            self.add_error("key" if error.code == "wrong_key" else "file", error)
            return cleaned
        if decrypted.encrypted:
            self.decrypted = decrypted
        else:
            self.key_ignored = True  # a plain log: imported as if no key had come with it
        cleaned["key"] = None  # the key has done its work; nothing later needs it
        return cleaned
