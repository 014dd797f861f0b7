"""The signed-in user's statistics page: /journal/stats/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import heatmap
from .stats import user_stats


@login_required
@require_safe
def stats(request: HttpRequest) -> HttpResponse:
    user_data = user_stats(request.user)
    context = {
        "stats": user_data,
        # Left out entirely, not just hidden, for users who would rather not see them.
        "streaks": user_data.streaks if request.user.show_streaks else None,
        "heatmap": heatmap.render(user_data.calendar),
        "levels": heatmap.LEVELS,
    }
    return render(request, "meditation/stats.html", context)
