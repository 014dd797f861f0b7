"""What the terminal shows: the names' table, one name's panel, and Arabic shaped for a
terminal.

A terminal draws characters left to right, one cell each, and joins no letters: Arabic in its
logical order comes out backwards and unjoined. `terminal_arabic` reshapes it into the joined
presentation forms (arabic-reshaper) and reorders it for display (python-bidi's `get_display`),
then puts each haraka back after its letter, where a terminal combines it (the reordering
reverses marks too, which would hang them on the neighbouring letter). This is for the screen
only: `--json` and the session log keep the logical Unicode text. Longer Arabic (a verse) is
wrapped in logical order first and each line reordered, so that it reads from its first line.
"""

from __future__ import annotations

import functools
import textwrap
import unicodedata
from collections.abc import Iterable

import arabic_reshaper
from bidi import get_display
from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .catalogue import Name


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
    return _marks_after_letters(get_display(_reshaper().reshape(text), base_dir="R"))


def arabic_block(text: str, width: int) -> Text:
    """Arabic over several lines, wrapped in logical order, each line shaped, right-aligned."""
    lines = textwrap.wrap(text, max(width, 10)) or [""]
    return Text("\n".join(terminal_arabic(line) for line in lines), justify="right")


def names_table(names: Iterable[Name], title: str | None = None) -> Table:
    table = Table(title=Text(title) if title else None, box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("№", justify="right", no_wrap=True)
    table.add_column("Arabic", justify="right", no_wrap=True)
    table.add_column("Transliteration", no_wrap=True)
    table.add_column("Meaning")
    for name in names:
        table.add_row(
            str(name.number), terminal_arabic(name.arabic), name.transliteration, name.meaning
        )
    return table


def _section(label: str) -> Text:
    return Text(f"\n{label}", style="bold")


def verse(name: Name, width: int) -> list[RenderableType]:
    if not (name.verse_arabic or name.verse_translation):
        return []
    first = name.quran_references[0] if name.quran_references else None
    parts: list[RenderableType] = [_section(f"Qurʾān {first}" if first else "Qurʾān")]
    if name.verse_arabic:
        parts.append(arabic_block(name.verse_arabic, width))
    if name.verse_translation:
        parts.append(Text(name.verse_translation, style="italic"))
    if len(name.quran_references) > 1:
        parts.append(Text(f"The name in the Qurʾān: {name.references}", style="dim"))
    return parts


def dhikr(name: Name) -> list[RenderableType]:
    parts: list[RenderableType] = [_section("Dhikr")]
    if name.dhikr_arabic:
        parts.append(Text(terminal_arabic(name.dhikr_arabic), justify="right"))
    parts.append(Text(name.dhikr))
    return parts


def heading(name: Name) -> list[RenderableType]:
    return [
        Text(terminal_arabic(name.arabic), style="bold", justify="center"),
        Text(name.transliteration, style="bold", justify="center"),
        Text(name.meaning, style="italic", justify="center"),
    ]


def name_panel(name: Name, width: int) -> Panel:
    """Everything about one name (`aysekai show`)."""
    inner = max(width - 4, 20)
    parts = heading(name)
    if name.pronunciation or name.phonetics:
        said = " · ".join(p for p in (name.pronunciation, name.phonetics) if p)
        parts.append(Text(f"Said: {said}", style="dim", justify="center"))
    parts += [_section("Description"), Text(name.description)]
    parts += [_section("Taʾwīl"), Text(name.tawil)]
    parts += verse(name, inner)
    parts += dhikr(name)
    return Panel(Group(*parts), title=f"{name.number}", border_style="cyan")


def sitting_panel(name: Name, width: int, intention: str) -> Panel:
    """The name drawn for a sitting: the name, its meaning, the verse and the dhikr."""
    inner = max(width - 4, 20)
    parts = heading(name)
    parts += verse(name, inner)
    parts += dhikr(name)
    return Panel(
        Group(*parts),
        title=f"{name.number} · your name to sit with",
        subtitle=Text(intention, style="dim"),
        border_style="green",
    )
