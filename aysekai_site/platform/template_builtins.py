"""Two of Django's template tags, doing what they did with less work per page (issue 13). They
replace the builtins for every template (`TEMPLATES["OPTIONS"]["builtins"]`), so there is still
one way to write a link or extend a page; the syntax, the errors and the output are Django's.

- **`{% url %}`, with the URLs that take no arguments remembered.** Every page's frame links to
  the same places (the home page, the names, the journal, settings, sign-out...), and Django's
  `reverse` costs tens of microseconds each: a tenth of what a signed-in page costs once its
  content is cached. A URL without arguments depends only on its name, the URLconf, the
  script prefix, the active language and the current application (an admin site's name), so it
  is kept per process under exactly those, and stays right when any of them changes
  (`override_settings(ROOT_URLCONF=...)`, a request's own `urlconf`, `i18n_patterns`).
  `NoReverseMatch` is never remembered; a URL with arguments is reversed as Django does.
- **`{% extends %}`, with the root template's blocks found once.** Django's `ExtendsNode`
  walks the whole of the root template (`base.html`: the header, the navigation and its
  conditions) for its `{% block %}`s on every render: a tenth of a signed-in page whose
  content is cached. A compiled template never changes (the cached loader keeps it; without it,
  each load is a new object), so its blocks are kept on it. Everything else is Django's
  `ExtendsNode.render`.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template import Context
from django.template.base import Parser, Template, TextNode, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.template.loader_tags import (
    BLOCK_CONTEXT_KEY,
    BlockContext,
    BlockNode,
    ExtendsNode,
    do_extends,
)
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


class RememberedBlocksExtendsNode(ExtendsNode):
    def render(self, context: Context) -> str:
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        # A root parent (no extends of its own) adds its blocks: found once per template.
        for node in compiled_parent.nodelist:
            if not isinstance(node, TextNode):
                if not isinstance(node, ExtendsNode):
                    block_context.add_blocks(_root_blocks(compiled_parent))
                break
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)  # type: ignore[attr-defined]


def _root_blocks(template: Template) -> dict[str, BlockNode]:
    blocks: dict[str, BlockNode] | None = getattr(template, "_aysekai_blocks", None)
    if blocks is None:
        found = template.nodelist.get_nodes_by_type(BlockNode)
        blocks = {node.name: node for node in found if isinstance(node, BlockNode)}
        template._aysekai_blocks = blocks  # type: ignore[attr-defined]
    return blocks


@register.tag("extends")
def extends(parser: Parser, token: Token) -> ExtendsNode:
    node = do_extends(parser, token)
    return RememberedBlocksExtendsNode(node.nodelist, node.parent_name, node.template_dirs)


def _forget(*, setting: str, **kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


setting_changed.connect(_forget)
