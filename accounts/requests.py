"""The request a signed-in view receives (behind `login_required`): its user is our User."""

from __future__ import annotations

from aysekai_site.platform.requests import HtmxHttpRequest

from .models import User


class AuthenticatedRequest(HtmxHttpRequest):
    user: User
