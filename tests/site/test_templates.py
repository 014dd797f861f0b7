"""The templates themselves: what Django would print instead of reading."""

import re

from tests import ROOT

TEMPLATES = ROOT / "templates"
ONE_LINE_COMMENT = re.compile(r"\{#(.*?)#\}", re.S)


def test_no_short_comment_spans_lines():
    """`{# … #}` is a one-line comment: over two lines Django prints it on the page (the
    journal's unfinished rows showed one). Longer notes go in `{% comment %}`."""
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in ONE_LINE_COMMENT.finditer(text):
            if "\n" in match.group(1):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}")
    assert found == []
