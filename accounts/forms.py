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
    SetPasswordForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from .models import User
from .time_zones import TimeZoneField

# Long passphrases are welcome; a cap keeps hashing a megabyte of text off the table.
PASSWORD_MAX_LENGTH = 1024


def reject_control_characters(value: str) -> None:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError("Remove the control characters (such as tabs or NUL).")


def _cap_password_fields(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and isinstance(field.widget, forms.PasswordInput):
            field.max_length = PASSWORD_MAX_LENGTH
            field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
            field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)


def _email_taken(email: str, exclude_pk: int | None = None) -> bool:
    same = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.exists()


class SignUpForm(forms.ModelForm):
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. A passphrase of several words is best.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ("email",)
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_password_fields(self)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if _email_taken(email):
            raise ValidationError("An account with this e-mail address already exists.")
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
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
        "invalid_login": "That e-mail address and password do not match an account.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "E-mail address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "maxlength": 254}
        )
        # AuthenticationForm sets max_length after the field is built, so no validator checks it.
        self.fields["username"].validators += [MaxLengthValidator(254), reject_control_characters]
        _cap_password_fields(self)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app, or a backup code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split()).lower()
        if not token.isalnum():
            raise ValidationError("Enter the 6-digit code or a backup code.")
        return token


class CurrentPasswordForm(forms.Form):
    """Asks for the current password before a sensitive change."""

    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        _cap_password_fields(self)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your current password.")
        return password


class EnableTwoFactorForm(CurrentPasswordForm, TokenForm):
    field_order = ("token", "current_password")


class EmailChangeForm(CurrentPasswordForm):
    email = forms.EmailField(
        label="New e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ("email", "current_password")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if _email_taken(email, exclude_pk=self.user.pk):
            raise ValidationError("An account with this e-mail address already exists.")
        return email


class DeleteAccountForm(CurrentPasswordForm):
    confirm = forms.BooleanField(
        label="I understand that my account and all my data will be deleted for good."
    )


class PasswordChangeFormCapped(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _cap_password_fields(self)


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
            "theme",
            "show_streaks",
        )
        widgets = {"theme": forms.RadioSelect}
        help_texts = {
            "display_name": "How the site greets you. Optional.",
            "default_session_minutes": "1 to 120 minutes.",
            "dhikr_target": "How many repetitions the counter aims for, e.g. 33 or 99.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].validators.append(reject_control_characters)
        cast(TimeZoneField, self.fields["time_zone"]).keep(self.instance.time_zone)


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
