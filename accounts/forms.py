"""Account forms. Every field answers bad input with a message, never an exception."""

from __future__ import annotations

import unicodedata
from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .emails import normalize_email
from .models import User
from .requests import AuthenticatedRequest
from .time_zones import TimeZoneField
from .verification import check_code, check_password, normalize_code

# Long passphrases are welcome; a cap keeps hashing a megabyte of text off the table.
PASSWORD_MAX_LENGTH = 1024


def reject_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(gettext("Remove the control characters (such as tabs or NUL)."))


def _cap_password_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and isinstance(field.widget, forms.PasswordInput):
            field.max_length = PASSWORD_MAX_LENGTH
            field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)


class NormalizedEmailField(forms.EmailField):
    """An address in its one spelling (accounts/emails.py), normalised before it is validated,
    so that full-width letters or a trailing space are the same address, not an error."""

    def to_python(self, value: Any) -> str:
        return normalize_email(super().to_python(value) or "")


class EmailLoginField(forms.CharField):
    """The address typed at sign-in: normalised, so axes counts every spelling as one; not
    validated as an address (a typo is a failed sign-in like any other)."""

    def to_python(self, value: Any) -> str:
        return normalize_email(super().to_python(value) or "")


def email_taken(email: str, exclude_pk: int | None = None) -> bool:
    same = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.exists()


class SignUpForm(forms.ModelForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters. A passphrase of several words is best."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ("email",)
        field_classes = {"email": NormalizedEmailField}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})}
        labels = {"email": _("E-mail address")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_password_fields(self)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email_taken(email):
            raise ValidationError(gettext("An account with this e-mail address already exists."))
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", gettext("The two passwords do not match."))
        elif p1:
            self.instance.email = cleaned.get("email", "")
            try:
                password_validation.validate_password(p1, self.instance)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class LoginForm(AuthenticationForm):
    """Django's sign-in form (it calls authenticate(request=...), which django-axes needs)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Normalised here, before authenticate() hands it to django-axes (see accounts/emails.py).
        self.fields["username"] = EmailLoginField(
            label=gettext("E-mail address"),
            max_length=254,
            widget=forms.EmailInput(
                attrs={"autocomplete": "email", "autofocus": True, "maxlength": 254}
            ),
            validators=[reject_control_characters],
        )
        _cap_password_fields(self)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        # Room for a backup code written with spaces or dashes.
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = normalize_code(self.cleaned_data["token"])
        if not token.isalnum() or not token.isascii():
            raise ValidationError(gettext("Enter the 6-digit code or a backup code."))
        return token


class CurrentPasswordForm(forms.Form):
    """Asks for the current password before a sensitive change (limited: accounts/throttle)."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user = request.user
        super().__init__(*args, **kwargs)
        _cap_password_fields(self)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        check_password(self.request, self.user, password)
        return password


class EnableTwoFactorForm(CurrentPasswordForm, TokenForm):
    field_order = ("token", "current_password")


class DisableTwoFactorForm(CurrentPasswordForm, TokenForm):
    """The password and a current code (or a backup code): a stolen session that also learnt
    the password cannot strip the second factor without the device or the codes."""

    field_order = ("current_password", "token")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.pop("autofocus", None)  # a page of several forms

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The code is checked (and a backup code spent) only once the password is right.
        if "current_password" in cleaned and "token" in cleaned:
            try:
                check_code(self.request, self.user, cleaned["token"])
            except ValidationError as error:
                self.add_error("token", error)
        return cleaned


class EmailChangeForm(CurrentPasswordForm):
    email = NormalizedEmailField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ("email", "current_password")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email == self.user.email:
            raise ValidationError(gettext("This is already your address."))
        if email_taken(email, exclude_pk=self.user.pk):
            raise ValidationError(gettext("An account with this e-mail address already exists."))
        return email


class DeleteAccountForm(CurrentPasswordForm):
    confirm = forms.BooleanField(
        label=_("I understand that my account and all my data will be deleted for good.")
    )


class PasswordChangeFormCapped(PasswordChangeForm):
    def __init__(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        super().__init__(request.user, *args, **kwargs)
        _cap_password_fields(self)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        check_password(self.request, self.request.user, password)
        return password


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the address in its one spelling; the mail in the language of
    the account's settings (its link too)."""

    email = NormalizedEmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = kwargs.get("context", args[2] if len(args) > 2 else {})
        person = context.get("user")
        with translation.override(getattr(person, "language", None) or translation.get_language()):
            super().send_mail(*args, **kwargs)


class SetPasswordFormCapped(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_password_fields(self)


class SettingsForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = User
        fields = (
            "display_name",
            "time_zone",
            "default_session_minutes",
            "dhikr_target",
            "language",
            "arabic_indic_digits",
            "theme",
            "show_streaks",
        )
        widgets = {"theme": forms.RadioSelect}
        # The model's own names, capitalised as Django would, made translatable here (the
        # model's verbose names stay as they are: changing them would need a migration).
        labels = {
            "display_name": _("Display name"),
            "default_session_minutes": _("Default session length (minutes)"),
            "dhikr_target": _("Dhikr target"),
            "language": _("Language"),
            "arabic_indic_digits": _("Arabic-Indic digits (٠١٢٣) on Arabic pages"),
            "theme": _("Theme"),
            "show_streaks": _("Show streaks"),
        }
        help_texts = {
            "display_name": _("How the site greets you. Optional."),
            "default_session_minutes": _("1 to 120 minutes."),
            "dhikr_target": _("How many repetitions the counter aims for, e.g. 33 or 99."),
            "language": _("Of your e-mails and exports, and of the site when you sign in."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].validators.append(reject_control_characters)
        cast(TimeZoneField, self.fields["time_zone"]).keep(self.instance.time_zone)


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)
        field_classes = {"email": NormalizedEmailField}


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": NormalizedEmailField}
