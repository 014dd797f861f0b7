"""The user model: e-mail is the sign-in identifier; there is no username."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import audit
from .audit import AppendOnlyError
from .emails import normalize_email


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Django's lower-cases the domain only; the site keeps one spelling (accounts/emails.py).
        return normalize_email(email or "")

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if extra["is_staff"] is not True or extra["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Case-insensitive too, matching the unique constraint below (and any address stored
        # before addresses were normalised).
        return self.get(email__iexact=normalize_email(username or ""))


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list.", code="bad_time_zone")


class Theme(models.TextChoices):
    AUTO = "auto", _("Follow my device")
    LIGHT = "light", pgettext_lazy("theme", "Light")
    DARK = "dark", pgettext_lazy("theme", "Dark")


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", max_length=254, unique=True)

    # Preferences.
    display_name = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_session_minutes = models.PositiveSmallIntegerField(
        "default session length (minutes)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    dhikr_target = models.PositiveIntegerField(
        default=33, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    theme = models.CharField(max_length=5, choices=Theme.choices, default=Theme.AUTO)
    # The language of their e-mails, exports and the site after signing in (issue 17); the
    # pages themselves are in their URL's language.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # On Arabic pages, numbers in Arabic-Indic digits (٠١٢٣), as many Arabic readers write them.
    arabic_indic_digits = models.BooleanField(default=False)
    show_streaks = models.BooleanField("show streaks", default=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    # Our manager creates users by e-mail; AbstractUser declares Django's username-based one.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever the path (a form, the shell, createsuperuser), one spelling is stored.
        self.email = normalize_email(self.email or "")
        super().save(*args, **kwargs)

    if TYPE_CHECKING:
        # Set on the request's user by django-otp's OTPMiddleware: a second factor was passed.
        def is_verified(self) -> bool: ...

    @property
    def name_to_show(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]


class AuthSession(models.Model):
    """A signed-in browser session, so that an account's sessions can be ended together."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"


class FailedCheck(models.Model):
    """A wrong password given to confirm a change, or a wrong second-factor code.

    Counted per account and per IP by accounts.throttle; rows older than the window are
    removed as new ones are written. Kept in the database, not the cache: a lockout must hold
    when the cache is down or restarted.
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", "password"
        CODE = "code", "second-factor code"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "kind", "created_at"]),
            models.Index(fields=["ip", "kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"wrong {self.kind} for user {self.user_id}"


class TokenScope(models.TextChoices):
    """What a personal token may do (one scope today)."""

    IMPORT = "import", "Import sessions"


class PersonalToken(models.Model):
    """A token a person made for a program of theirs (the `aysekai` command's push): shown once,
    kept as its SHA-256 only (`accounts/personal_tokens.py`), limited to its scope, revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_tokens"
    )
    name = models.CharField(max_length=80)
    # The token's first characters, to tell tokens apart in the list; never enough to use it.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the whole token, hex
    scope = models.CharField(max_length=20, choices=TokenScope.choices, default=TokenScope.IMPORT)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_token_user_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One thing that happened. Written by accounts.audit.record; never changed."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # SET_NULL: when an account is deleted its events stay, with the actor anonymised.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # No choices: each app owns its action names (accounts.audit.register_actions), so that a
    # new action needs no migration of this table.
    action = models.CharField(max_length=32, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    @property
    def action_label(self) -> str:
        return audit.label(self.action)
