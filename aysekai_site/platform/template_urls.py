"""`{% url %}` with the URLs that take no arguments remembered (a template builtin, issue 13).

Every page's frame links to the same places (the home page, the names, the journal, settings,
sign-out...), and Django's `reverse` costs tens of microseconds each: a tenth of what a signed-in
page costs once its content is cached. A URL without arguments depends only on its name, the
URLconf, the script prefix, the active language and the current application (an admin site's
name), so it is kept per process under exactly those, and stays right when any of them changes
(`override_settings(ROOT_URLCONF=...)`, a request's own `urlconf`, `i18n_patterns`).

The tag is Django's own (`django.template.defaulttags.url`): the same syntax, the same errors
(`NoReverseMatch` is never remembered), `as var`, autoescaping; a URL with arguments is reversed
as Django does. It replaces the builtin for every template (`TEMPLATES["OPTIONS"]["builtins"]`),
so there is still one way to write a link.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template import Context
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


@functools.lru_cache(maxsize=1024)
def _reverse(view_name: str, urlconf: str, prefix: str, language: str | None,
             current_app: str | None) -> str:  # fmt: skip
    """`prefix` and `language` are not passed on: `reverse` reads them itself; they only make
    the key."""
    return reverse(view_name, urlconf=urlconf, current_app=current_app)


def _current_app(context: Context) -> str | None:
    """As Django's URLNode: the request's `current_app`, else its namespace."""
    request = getattr(context, "request", None)
    if request is None:
        return None
    current = getattr(request, "current_app", None)
    if current is not None:
        return current
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else None


class RememberedURLNode(URLNode):
    def render(self, context: Context) -> str:
        if self.args or self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        try:
            url = _reverse(str(view_name), urlconf, get_script_prefix(), get_language(),
                           _current_app(context))  # fmt: skip
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> URLNode:
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)


def _forget(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


setting_changed.connect(_forget)
