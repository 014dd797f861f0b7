"""Form fields look alike wherever they are (issue 14): no browser border round a group of
choices, date inputs styled as the text inputs beside them, a checkbox on its label's line."""

from __future__ import annotations

from tests.browser import marks, sign_in_page

pytestmark = marks

MEASURE = """() => {
  const FIELDS = "main .field input:not([type=checkbox]):not([type=radio]), main .field select";
  const box = (el) => el.getBoundingClientRect();
  const style = (el) => getComputedStyle(el);
  return {
    fieldsets: [...document.querySelectorAll("main fieldset")].map((f) => style(f).borderTopStyle),
    inputs: [...document.querySelectorAll(FIELDS)]
      .map((el) => ({type: el.type, height: Math.round(box(el).height),
                     border: style(el).borderTopColor, radius: style(el).borderTopLeftRadius})),
    checkboxes: [...document.querySelectorAll("main .field input[type=checkbox]")].map((el) => {
      const label = document.querySelector(`label[for="${el.id}"]`);
      const middle = (r) => r.top + r.height / 2;
      return {off: Math.abs(middle(box(el)) - middle(box(label))),
              before: box(el).right <= box(label).left};
    }),
  };
}"""


def test_fields_look_alike_on_the_settings_the_journal_and_the_meditate_form(browser, site):
    page, _ = sign_in_page(browser, site)
    seen = {"fieldsets": 0, "date": 0, "checkboxes": 0}
    heights = {"date": set(), "text": set()}
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/accounts/settings/", "/journal/", "/meditate/", "/exports/"):
            page.goto(site + path)
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            found = page.evaluate(MEASURE)
            assert set(found["fieldsets"]) <= {"none"}, path
            seen["fieldsets"] += len(found["fieldsets"])
            boxed = ("text", "date", "number", "search", "select-one")
            looks = {(i["border"], i["radius"]) for i in found["inputs"] if i["type"] in boxed}
            assert len(looks) <= 1, (path, looks)  # one border and one radius
            for i in found["inputs"]:
                kind = (
                    "date" if i["type"] == "date" else "text" if i["type"] != "select-one" else ""
                )
                if kind:
                    heights[kind].add(i["height"])
            seen["date"] += sum(i["type"] == "date" for i in found["inputs"])
            for checkbox in found["checkboxes"]:
                assert checkbox["off"] <= 3, (path, checkbox)
                assert checkbox["before"], (path, checkbox)
            seen["checkboxes"] += len(found["checkboxes"])
    assert all(seen.values()), seen  # each kind was on some page
    # A date input is as tall as a text input (the browser's own is 21 px against 44).
    assert max(heights["date"] | heights["text"]) - min(heights["date"] | heights["text"]) <= 2
