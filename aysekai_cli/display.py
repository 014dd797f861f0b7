"""What the terminal shows: the names' table, one name's panel, and Arabic shaped for a
terminal.

A terminal draws characters left to right, one cell each, and joins no letters: Arabic in its
logical order comes out backwards and unjoined. `terminal_arabic` reshapes it into the joined
presentation forms (arabic-reshaper) and reorders it for display (python-bidi's `get_display`),
then puts each haraka back after its letter, where a terminal combines it (the reordering
reverses marks too, which would hang them on the neighbouring letter). This is for the screen
only: `--json` and the session log keep the logical Unicode text. Longer Arabic (a verse) is
wrapped in logical order first and each line reordered, so that it reads from its first line.

A name in Arabic (`aysekai --lang ar`) has its meaning and description in Arabic: they are
shaped the same way (`RightToLeft`, wrapped to the width of the table's column or the panel
it is given), and so are the labels around them. A field shown in English (not translated) is
left as it is.
"""

from __future__ import annotations

import functools
import textwrap
import unicodedata
from collections.abc import Iterable

import arabic_reshaper
from bidi import get_display
from bidi.algorithm import get_display as _reorder_mirrored
from bidi.mirror import MIRRORED
from rich import box
from rich.console import (
    Console,
    ConsoleOptions,
    Group,
    JustifyMethod,
    RenderableType,
    RenderResult,
)
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text, TextType

from . import languages
from .catalogue import Name
from .languages import RIGHT_TO_LEFT


@functools.cache
def _reshaper() -> arabic_reshaper.ArabicReshaper:
    return arabic_reshaper.ArabicReshaper(
        configuration={
            # The harakat are part of the names: kept (and put back after their letters).
            "delete_harakat": False,
            # One glyph for a whole word is unreadable in a terminal cell; lam-alif stays.
            "ARABIC LIGATURE ALLAH": False,
        }
    )


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in {"Mn", "Me"}


def _marks_after_letters(visual: str) -> str:
    """In reversed text each letter's marks come before it: move them back after it, in their
    logical order."""
    out: list[str] = []
    pending: list[str] = []
    for ch in visual:
        if _is_mark(ch):
            pending.append(ch)
        else:
            out.append(ch)
            out.extend(reversed(pending))
            pending = []
    out.extend(reversed(pending))
    return "".join(out)


def terminal_arabic(text: str) -> str:
    """One line of Arabic as a terminal must be given it: shaped, in visual order."""
    if not text:
        return ""
    shaped = _reshaper().reshape(text)
    # python-bidi's reordering (Rust) leaves a bracket as it is, for a renderer to mirror, and
    # a terminal does not: text with one ("(ومن الجذر نفسه)", «…») is reordered by its Python
    # implementation, which mirrors the brackets of the right-to-left runs (rule L4).
    reorder = _reorder_mirrored if any(ch in MIRRORED for ch in shaped) else get_display
    return _marks_after_letters(str(reorder(shaped, base_dir="R")))


def arabic_block(text: str, width: int) -> Text:
    """Arabic over several lines, wrapped in logical order, each line shaped, right-aligned."""
    lines = textwrap.wrap(text, max(width, 10)) or [""]
    return Text("\n".join(terminal_arabic(line) for line in lines), justify="right")


class RightToLeft:
    """Arabic prose wrapped to the width rich gives it (a table's column, a panel) in logical
    order, each line then shaped: wrapping the shaped text would put its end on the first
    line. A word is never broken in two (its letters join) unless it is wider than the column."""

    def __init__(self, text: str, *, style: str = "", justify: JustifyMethod = "right") -> None:
        self.text = text
        self.style = style
        self.justify: JustifyMethod = justify

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # Wrapped by characters: never fewer than a line's cells (marks take none).
        longest = max((len(word) for word in self.text.split()), default=1)
        return Measurement(longest, max(longest, len(self.text))).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = textwrap.wrap(
            self.text, max(options.max_width, 1), break_long_words=False, break_on_hyphens=False
        )
        shown = "\n".join(terminal_arabic(line) for line in lines or [""])
        yield Text(shown, style=self.style, justify=self.justify)


def label(text: str, language: str) -> str:
    """A label in `language` as a terminal must be given it (shaped when it is Arabic)."""
    return terminal_arabic(text) if language in RIGHT_TO_LEFT else text


def _labelled(language: str, name: str, value: str, between: str = ": ") -> str:
    """`name: value`; right to left, the label first from the right."""
    if language in RIGHT_TO_LEFT:
        return f"{value}{between[::-1]}{terminal_arabic(name)}"
    return f"{name}{between}{value}"


def _prose(
    name: Name, field: str, *, style: str = "", justify: JustifyMethod | None = None
) -> RenderableType:
    """A field of the name as text; shaped (and wrapped in logical order) when it is Arabic,
    not when it is the English of a field not translated."""
    text = getattr(name, field)
    if name.language in RIGHT_TO_LEFT and field not in name.fallbacks:
        return RightToLeft(text, style=style, justify=justify or "right")
    return Text(text, style=style, justify=justify)


def names_table(
    names: Iterable[Name], title: str | None = None, language: str = languages.ENGLISH
) -> Table:
    """The names, number, Arabic, transliteration and meaning, under headings in `language`
    (the names' own language: `catalogue.localize`). The title is shown as it is given."""
    words = languages.labels(language)
    headings: list[TextType] = [
        label(text, language)
        for text in (words.number, words.arabic, words.transliteration, words.meaning)
    ]
    table = Table(title=Text(title) if title else None, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(headings[0], justify="right", no_wrap=True)
    table.add_column(headings[1], justify="right", no_wrap=True)
    table.add_column(headings[2], no_wrap=True)
    table.add_column(headings[3], justify="right" if language in RIGHT_TO_LEFT else "left")
    for name in names:
        meaning = name.meaning if name.language not in RIGHT_TO_LEFT else _prose(name, "meaning")
        table.add_row(str(name.number), terminal_arabic(name.arabic), name.transliteration, meaning)
    return table


def _section(shown: str, language: str = languages.ENGLISH) -> Text:
    """A section's heading, as `label` gives it; right to left on the right."""
    return Text(f"\n{shown}", style="bold", justify="right" if language in RIGHT_TO_LEFT else None)


def _field_section(name: Name, text: str, field: str) -> Text:
    """The heading of a field's section; "(English)" after it in another language when the
    field is not translated (the site marks it so)."""
    if field in name.fallbacks:
        text = f"{text} ({languages.labels(name.language).in_english})"
    return _section(label(text, name.language), name.language)


def verse(name: Name, width: int) -> list[RenderableType]:
    if not (name.verse_arabic or name.verse_translation):
        return []
    words = languages.labels(name.language)
    first = name.quran_references[0] if name.quran_references else None
    if first:
        title = _labelled(name.language, words.quran, str(first), " ")
    else:
        title = label(words.quran, name.language)
    parts: list[RenderableType] = [_section(title, name.language)]
    if name.verse_arabic:
        parts.append(arabic_block(name.verse_arabic, width))
    if name.verse_translation:
        parts.append(_prose(name, "verse_translation", style="italic"))
    if len(name.quran_references) > 1:
        said = _labelled(name.language, words.in_the_quran, name.references)
        right: JustifyMethod | None = "right" if name.language in RIGHT_TO_LEFT else None
        parts.append(Text(said, style="dim", justify=right))
    return parts


def dhikr(name: Name) -> list[RenderableType]:
    parts: list[RenderableType] = [
        _field_section(name, languages.labels(name.language).dhikr, "dhikr")
    ]
    if name.dhikr_arabic:
        parts.append(Text(terminal_arabic(name.dhikr_arabic), justify="right"))
    if not (name.dhikr_arabic and name.dhikr == name.dhikr_arabic):  # Arabic's is the Arabic
        parts.append(_prose(name, "dhikr"))
    return parts


def heading(name: Name) -> list[RenderableType]:
    return [
        Text(terminal_arabic(name.arabic), style="bold", justify="center"),
        Text(name.transliteration, style="bold", justify="center"),
        _prose(name, "meaning", style="italic", justify="center"),
    ]


def name_panel(name: Name, width: int) -> Panel:
    """Everything about one name (`aysekai show`), in the name's language."""
    inner = max(width - 4, 20)
    words = languages.labels(name.language)
    parts = heading(name)
    if name.pronunciation or name.phonetics:
        said = " · ".join(p for p in (name.pronunciation, name.phonetics) if p)
        parts.append(
            Text(_labelled(name.language, words.said, said), style="dim", justify="center")
        )
    for section, field in ((words.description, "description"), (words.tawil, "tawil")):
        parts += [_field_section(name, section, field), _prose(name, field)]
    parts += verse(name, inner)
    parts += dhikr(name)
    return Panel(Group(*parts), title=f"{name.number}", border_style="cyan")


def sitting_panel(name: Name, width: int, intention: str) -> Panel:
    """The name drawn for a sitting: the name, its meaning, the verse and the dhikr."""
    inner = max(width - 4, 20)
    parts = heading(name)
    parts += verse(name, inner)
    parts += dhikr(name)
    words = languages.labels(name.language)
    if name.language in RIGHT_TO_LEFT:  # the number first from the right
        title = f"{label(words.sitting, name.language)} · {name.number}"
    else:
        title = f"{name.number} · {words.sitting}"
    return Panel(
        Group(*parts),
        title=title,
        subtitle=Text(intention, style="dim"),
        border_style="green",
    )
