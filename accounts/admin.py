from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from aysekai_site.platform.admin import ReadOnlyAdmin

from . import audit, throttle
from .audit import Action
from .forms import UserAdminChangeForm, UserAdminCreationForm
from .models import AuditEvent, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ("email",)
    list_display = (
        "email", "display_name", "two_factor", "locked_out", "last_login", "is_staff", "is_active",
    )  # fmt: skip
    list_filter = ("is_staff", "is_active", "last_login")
    search_fields = ("email", "display_name")
    actions = ("unlock",)

    def get_queryset(self, request: HttpRequest):
        locked_since = timezone.now() - settings.AXES_COOLOFF_TIME
        attempts = AccessAttempt.objects.filter(
            username__iexact=OuterRef("email"),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=locked_since,
        )
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .annotate(has_two_factor=Exists(devices), is_locked_out=Exists(attempts))
        )

    @admin.display(description="2FA", boolean=True, ordering="has_two_factor")
    def two_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "has_two_factor", False))  # annotated by get_queryset

    @admin.display(description="locked out", boolean=True, ordering="is_locked_out")
    def locked_out(self, obj: User) -> bool:
        return bool(getattr(obj, "is_locked_out", False))  # annotated by get_queryset

    @admin.action(description="Unlock sign-in for the selected users")
    def unlock(self, request: HttpRequest, queryset) -> None:
        unlocked = 0
        for user in queryset:
            deleted, _ = AccessAttempt.objects.filter(username__iexact=user.email).delete()
            deleted += throttle.unlock(user)  # wrong current passwords and codes
            if deleted:
                audit.record(request, Action.ADMIN_CHANGE, user, admin_action="unlocked")
                unlocked += 1
        self.message_user(request, f"Unlocked {unlocked} user(s).")

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "first_name", "last_name")}),
        (
            "Preferences",
            {
                "fields": (
                    "time_zone",
                    "default_session_minutes",
                    "dhikr_target",
                    "theme",
                    "show_streaks",
                )
            },
        ),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )


class ActionFilter(admin.SimpleListFilter):
    """Every app's registered actions, by label (the field has no choices to list them)."""

    title = "action"
    # The parameter Django's choices filter used, so saved links to a filtered list still work.
    parameter_name = "action__exact"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return audit.actions()

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only."""

    list_display = ("created_at", "action_label", "actor", "target_type", "target_id", "ip")
    list_filter = (ActionFilter, ("actor", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("target_id", "request_id")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"
    fields = (
        "created_at", "actor", "action_label", "target_type", "target_id", "ip",
        "user_agent", "request_id", "metadata",
    )  # fmt: skip
    readonly_fields = ("action_label",)

    @admin.display(description="action", ordering="action")
    def action_label(self, obj: AuditEvent) -> str:
        return obj.action_label
