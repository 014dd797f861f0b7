"""What a browser fetches for a page: its assets, the fonts its Arabic text makes it load, sizes.

A page whose root is Arabic (`<html lang="ar">`) sets its interface in the face the stylesheet
names for it (`html[lang="ar"] { --font: ... }`): its Arabic text outside the `.arabic`
elements loads that face, both weights counted (its bold text, the headings and the current
language, takes the 700 file): an upper bound.

Deterministic and offline: the page is rendered through the test client, the assets are read
from the static directories (as collectstatic copies them) and sized as whitenoise serves them
(gzip level 9 beside the file, kept when 5% smaller; woff2 is already compressed).
"""

import gzip
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

from tests import ROOT

SITE_CSS = ROOT / "static" / "css" / "site.css"
ARABIC_CLASS = "arabic"  # the only elements set in Amiri (site.css: .arabic { font-family })
UNSHOWN = {"script", "style", "template"}


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: int
    src: str  # relative to STATIC_URL
    ranges: tuple[tuple[int, int], ...]

    def covers(self, text: str) -> bool:
        return any(low <= ord(c) <= high for c in text for low, high in self.ranges)


def _ranges(value: str) -> tuple[tuple[int, int], ...]:
    out = []
    for part in value.replace("U+", "").split(","):
        low, _, high = part.strip().partition("-")
        out.append((int(low, 16), int(high or low, 16)))
    return tuple(out)


def font_faces(css: str | None = None) -> list[FontFace]:
    """The @font-face rules of site.css: weight, file (relative to STATIC_URL), unicode-range."""
    css = css if css is not None else SITE_CSS.read_text()
    faces = []
    for block in re.findall(r"@font-face\s*{([^}]*)}", css):
        src = re.search(r'url\("\.\./([^"]+)"\)', block)
        assert src, block
        unicode_range = re.search(r"unicode-range:\s*([^;]+);", block)
        faces.append(
            FontFace(
                family=re.search(r'font-family:\s*"([^"]+)"', block)[1],  # type: ignore[index]
                weight=int(re.search(r"font-weight:\s*(\d+)", block)[1]),  # type: ignore[index]
                src=src[1],
                ranges=_ranges(unicode_range[1]) if unicode_range else ((0, 0x10FFFF),),
            )
        )
    return faces


def root_families(css: str | None = None) -> dict[str, str]:
    """{lang: first family of `--font`} of the `html[lang="..."]` rules: a page's interface
    face when its root has that language (the others keep the system font)."""
    css = re.sub(r"/\*.*?\*/", "", css if css is not None else SITE_CSS.read_text(), flags=re.S)
    found = {}
    for lang, body in re.findall(r'html\[lang="([\w-]+)"\]\s*{([^}]*)}', css):
        font = re.search(r"--font:\s*([^;]+)", body)
        if font:
            found[lang] = font[1].split(",")[0].strip().strip('"')
    return found


def class_weights(css: str | None = None) -> list[tuple[str, int]]:
    """(class, font-weight) of single-class rules in source order (later wins: same specificity)."""
    css = re.sub(r"/\*.*?\*/", "", css if css is not None else SITE_CSS.read_text(), flags=re.S)
    rules = []
    for selectors, body in re.findall(r"([^{}]+){([^}]*)}", css):
        weight = re.search(r"font-weight:\s*(\d+)", body)
        for selector in selectors.split(","):
            selector = selector.strip()
            if weight and re.fullmatch(r"\.[\w-]+", selector):
                rules.append((selector[1:], int(weight[1])))
    return rules


def class_families(css: str | None = None) -> list[tuple[str, str]]:
    """(class, first font family) of single-class rules in source order (later wins); the
    `--font-arabic` variable stands for its first family, Amiri."""
    css = re.sub(r"/\*.*?\*/", "", css if css is not None else SITE_CSS.read_text(), flags=re.S)
    rules = []
    for selectors, body in re.findall(r"([^{}]+){([^}]*)}", css):
        family = re.search(r"font-family:\s*([^;]+)", body)
        if not family:
            continue
        first = family[1].split(",")[0].strip()
        name = "Amiri" if first == "var(--font-arabic)" else first.strip('"')
        for selector in selectors.split(","):
            selector = selector.strip()
            if re.fullmatch(r"\.[\w-]+", selector):
                rules.append((selector[1:], name))
    return rules


class _Page(HTMLParser):
    """Asset URLs (stylesheets, scripts, preloads), the text of each Amiri element, the root's
    language and the body's other text (set in the interface's face)."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.preloads: list[str] = []
        self.arabic: list[tuple[list[str], str]] = []  # (classes, text)
        self.lang = ""
        self.interface = ""  # the body's text outside the Amiri elements
        self._open: list[list[str]] = []
        self._in_body = False
        self._unshown = 0  # inside a script, style or template: no text shown

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        self._in_body = self._in_body or tag == "body"
        if tag in UNSHOWN:
            self._unshown += 1
        if (tag == "link" and a.get("rel") == "stylesheet") or (tag == "script" and a.get("src")):
            self.assets.append(a.get("href") or a["src"] or "")
        if tag == "link" and a.get("rel") == "preload":
            self.preloads.append(a["href"] or "")
        classes = (a.get("class") or "").split()
        if ARABIC_CLASS in classes:
            self._open.append(classes)
            self.arabic.append((classes, ""))
        elif self._open:
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in UNSHOWN:
            self._unshown -= 1
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self.arabic:
            classes, text = self.arabic[-1]
            self.arabic[-1] = (classes, text + data)
        elif self._in_body and not self._unshown:
            self.interface += data


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def fonts_loaded(page: _Page) -> set[str]:
    """The font files the browser downloads: faces whose family, weight and range some Arabic
    text needs; on a page whose root's language has its own interface face, both weights of
    it when the body's other text falls in its range."""
    rules = class_weights()
    families = class_families()
    faces = font_faces()
    loaded = set()
    interface = root_families().get(page.lang)
    loaded |= {
        face.src for face in faces if face.family == interface and face.covers(page.interface)
    }
    for classes, text in page.arabic:
        weight = [weight for name, weight in rules if name in classes][-1]
        family = [family for name, family in families if name in classes][-1]
        loaded |= {
            face.src
            for face in faces
            if (face.family, face.weight) == (family, weight) and face.covers(text)
        }
    return loaded


def transferred_size(static_path: str) -> int:
    """The bytes whitenoise sends for a static file to a browser that accepts gzip."""
    found = finders.find(static_path)
    assert found, static_path
    body = Path(found).read_bytes()
    if static_path.endswith(".woff2"):
        return len(body)
    compressed = len(gzip.compress(body, compresslevel=9))
    return compressed if compressed < len(body) * 0.95 else len(body)


def static_path(url: str) -> str:
    assert url.startswith(settings.STATIC_URL), url
    return url.removeprefix(settings.STATIC_URL)
