from django.http import HttpRequest

from .models import Theme


def preferences(request: HttpRequest) -> dict[str, str]:
    user = getattr(request, "user", None)
    theme = user.theme if user is not None and user.is_authenticated else Theme.AUTO
    return {"theme": theme}
