"""Personal tokens: a person makes one in settings for a program of theirs (the `aysekai`
command's `push`), sees it once, and can revoke it. Only its SHA-256 is kept: the token is 32
random bytes, so a fast hash is enough (nothing to guess), and the digest is looked up directly.

Making a token asks for the current password (limited like every such check). Making, using and
revoking a token are audited; the token itself never is, nor is it logged.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from . import audit
from .audit import Action
from .forms import CurrentPasswordForm
from .models import PersonalToken, TokenScope, User
from .requests import AuthenticatedRequest

PREFIX = "ays_"
ACTIVE_MAX = 10  # tokens a person may have at once
SHOWN = len(PREFIX) + 6  # the characters kept to tell tokens apart


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make(user: User, name: str, scope: str = TokenScope.IMPORT) -> tuple[PersonalToken, str]:
    """A new token of `user`'s and its secret (the only time it exists in full)."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        user=user, name=name, prefix=secret[:SHOWN], digest=digest(secret), scope=scope
    )
    return token, secret


def authenticate(secret: str, scope: str) -> tuple[PersonalToken | None, str]:
    """The active token for `secret`, with `scope`, and its person; or None and why not
    ("unknown", "revoked", "scope", or "inactive" for a person who can no longer sign in)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None, "unknown"
    token = PersonalToken.objects.select_related("user").filter(digest=digest(secret)).first()
    if token is None:
        return None, "unknown"
    if token.revoked_at is not None:
        return None, "revoked"
    if token.scope != scope:
        return None, "scope"
    if not token.user.is_active:
        return None, "inactive"
    PersonalToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token, ""


class TokenForm(CurrentPasswordForm):
    name = forms.CharField(
        label=pgettext_lazy("token", "Name"),
        max_length=80,
        help_text=gettext_lazy(
            "What it is for, to tell your tokens apart: “laptop”, “aysekai push”."
        ),
    )
    field_order = ("name", "current_password")

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name or not name.isprintable():
            raise forms.ValidationError(_("Give the token a name of plain words."))
        return name


def _page(request: AuthenticatedRequest, form: TokenForm, **extra: Any) -> HttpResponse:
    tokens = PersonalToken.objects.filter(user=request.user).order_by("-created_at")
    context = {"form": form, "tokens": tokens, "active_max": ACTIVE_MAX, **extra}
    return render(request, "accounts/tokens.html", context)


@sensitive_post_parameters("current_password")
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The person's tokens, and the form to make one (the new one shown once, on this page:
    never in a message, which would keep it in the session)."""
    if request.method == "GET":
        return _page(request, TokenForm(request))
    form = TokenForm(request, request.POST)
    active = PersonalToken.objects.filter(user=request.user, revoked_at__isnull=True).count()
    if active >= ACTIVE_MAX:
        form.add_error(
            None,
            ngettext(
                "You have %(count)d token: revoke one you no longer use first.",
                "You have %(count)d tokens: revoke one you no longer use first.",
                ACTIVE_MAX,
            )
            % {"count": ACTIVE_MAX},
        )
    if not form.is_valid():
        return _page(request, form)
    token, secret = make(request.user, form.cleaned_data["name"])
    audit.record(request, Action.TOKEN_CREATED, token, scope=token.scope, prefix=token.prefix)
    return _page(request, TokenForm(request), new=token, secret=secret)


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    token = PersonalToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token of yours.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(request, Action.TOKEN_REVOKED, token, prefix=token.prefix)
        messages.success(
            request, _("“%(name)s” is revoked: it no longer works.") % {"name": token.name}
        )
    return redirect("accounts:tokens")


def record_use(request: HttpRequest, token: PersonalToken, **metadata: object) -> None:
    """Audit a use of `token` (its person is the actor)."""
    request.user = token.user
    audit.record(request, Action.TOKEN_USED, token, prefix=token.prefix, **metadata)
