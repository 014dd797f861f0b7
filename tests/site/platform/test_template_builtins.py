"""`{% url %}` remembering the URLs without arguments (platform/template_builtins.py)."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, Template, TemplateSyntaxError, engines
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, path, reverse, set_urlconf
from django.utils import translation

from aysekai_site.platform import template_builtins


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def view(request):  # pragma: no cover (never called: only reversed)
    raise AssertionError


urlpatterns = [path("elsewhere/", view, name="home")]


@pytest.fixture(autouse=True)
def forget():
    template_builtins._reverse.cache_clear()
    yield
    template_builtins._reverse.cache_clear()


def test_the_builtin_is_ours_for_every_template():
    template = engines["django"].from_string("{% url 'meditation:journal' %}")
    nodes = template.template.nodelist
    assert isinstance(nodes[0], template_builtins.RememberedURLNode)


def test_a_url_without_arguments_is_reversed_once():
    first = render("{% url 'meditation:journal' %}")
    second = render("{% url 'meditation:journal' %}")
    assert first == second == reverse("meditation:journal")
    info = template_builtins._reverse.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_arguments_are_reversed_as_django_does_and_not_remembered():
    assert render("{% url 'meditation:name_detail' 7 %}") == reverse(
        "meditation:name_detail", args=[7]
    )
    assert render("{% url 'meditation:name_detail' number=8 %}") == reverse(
        "meditation:name_detail", kwargs={"number": 8}
    )
    assert template_builtins._reverse.cache_info().currsize == 0


def test_a_variable_name_as_var_and_escaping():
    assert render("{% url name as link %}[{{ link }}]", name="meditation:about") == (
        f"[{reverse('meditation:about')}]"
    )
    assert render("{% url 'no-such-name' as link %}[{{ link }}]") == "[]"


def test_an_unknown_name_raises_and_is_not_remembered():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            render("{% url 'no-such-name' %}")
    assert template_builtins._reverse.cache_info().currsize == 0


def test_the_script_prefix_is_part_of_the_key():
    assert render("{% url 'meditation:about' %}") == "/about/"
    with override_settings(FORCE_SCRIPT_NAME="/sub/"):
        from django.urls import set_script_prefix

        set_script_prefix("/sub/")
        try:
            assert render("{% url 'meditation:about' %}") == "/sub/about/"
        finally:
            set_script_prefix("/")
    assert render("{% url 'meditation:about' %}") == "/about/"


def test_another_urlconf_is_another_key():
    assert render("{% url 'meditation:about' %}") == "/about/"
    with override_settings(ROOT_URLCONF=__name__):
        assert render("{% url 'home' %}") == "/elsewhere/"
    set_urlconf(__name__)  # a request's own urlconf (request.urlconf)
    try:
        assert render("{% url 'home' %}") == "/elsewhere/"
    finally:
        set_urlconf(None)
    with pytest.raises(NoReverseMatch):
        render("{% url 'home' %}")


def test_the_language_is_part_of_the_key():
    with translation.override("en"):
        render("{% url 'meditation:about' %}")
    with translation.override("tr"):
        render("{% url 'meditation:about' %}")
    assert template_builtins._reverse.cache_info().misses == 2


def test_the_current_app_is_part_of_the_key(rf: RequestFactory):
    source = Template("{% url 'admin:index' %}")
    for app in ("admin", None, "admin"):
        request = rf.get("/")
        request.current_app = app
        context = Context()
        context.request = request  # as RequestContext sets it
        assert source.render(context) == reverse("admin:index", current_app=app)
    info = template_builtins._reverse.cache_info()
    assert (info.misses, info.hits) == (2, 1)


# --- {% extends %} ---------------------------------------------------------------------------

PAGES = {
    "base.html": "<title>{% block title %}Site{% endblock %}</title>"
                 "{% if user %}<nav>{% block nav %}links{% endblock %}</nav>{% endif %}"
                 "<main>{% block content %}{% endblock %}</main>",
    "section.html": "{% extends 'base.html' %}{% block nav %}{{ block.super }} + section"
                    "{% endblock %}{% block content %}<section>{% block inner %}{% endblock %}"
                    "</section>{% endblock %}",
    "page.html": "{% extends 'section.html' %}{% block title %}Page · {{ block.super }}"
                 "{% endblock %}{% block inner %}{{ text }}{% endblock %}",
    "direct.html": "\n{% extends 'base.html' %}{% block content %}{{ text }}{% endblock %}",
    "by-variable.html": "{% extends parent %}{% block content %}variable{% endblock %}",
}  # fmt: skip


def engine(*, ours: bool) -> Engine:
    return Engine(
        loaders=[("django.template.loaders.cached.Loader",
                  [("django.template.loaders.locmem.Loader", PAGES)])],
        builtins=["aysekai_site.platform.template_builtins"] if ours else [],
    )  # fmt: skip


@pytest.mark.parametrize("name", ["page.html", "direct.html", "section.html"])
@pytest.mark.parametrize("user", [None, "someone"])
def test_extends_renders_as_djangos(name, user):
    context = {"text": "<b>hi</b>", "user": user}
    ours, djangos = engine(ours=True), engine(ours=False)
    for _ in range(2):  # the second render from the kept blocks
        assert ours.get_template(name).render(Context(context)) == djangos.get_template(
            name
        ).render(Context(context))


def test_extends_by_variable_renders_as_djangos():
    ours, djangos = engine(ours=True), engine(ours=False)
    for parent in ("base.html", ours.get_template("base.html")):
        rendered = ours.get_template("by-variable.html").render(Context({"parent": parent}))
        assert rendered == djangos.get_template("by-variable.html").render(
            Context({"parent": "base.html"})
        )
        assert "<main>variable</main>" in rendered


def test_the_root_templates_blocks_are_found_once(monkeypatch):
    ours = engine(ours=True)
    page = ours.get_template("page.html")
    assert isinstance(page.nodelist[0], template_builtins.RememberedBlocksExtendsNode)
    page.render(Context({"text": "one"}))
    base = ours.get_template("base.html")
    walks: list[object] = []
    real = type(base.nodelist).get_nodes_by_type

    def counted(self, nodetype):
        walks.append(nodetype)
        return real(self, nodetype)

    monkeypatch.setattr(type(base.nodelist), "get_nodes_by_type", counted)
    assert "two" in page.render(Context({"text": "two"}))
    assert walks == []


def test_extends_must_still_come_first_and_once():
    with pytest.raises(TemplateSyntaxError):
        Engine(builtins=["aysekai_site.platform.template_builtins"]).from_string(
            "{% extends 'a.html' %}{% extends 'b.html' %}"
        )
    with pytest.raises(TemplateSyntaxError):
        Engine(builtins=["aysekai_site.platform.template_builtins"]).from_string(
            "{% if x %}{% endif %}{% extends 'a.html' %}"
        )
