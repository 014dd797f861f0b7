"""Arabic for a terminal: shaped (joined presentation forms), in visual order, each haraka after
its letter; only on screen (`--json` and the log keep the logical text)."""

import unicodedata

import arabic_reshaper
from bidi import get_display

from aysekai_cli import catalogue, display

RAHMAN = "الرَّحْمَٰنُ"


def clusters(text):
    """The text as letters, each with the marks that follow it."""
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Mn" and out:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def shaped(text):
    return arabic_reshaper.ArabicReshaper(
        configuration={"delete_harakat": False, "ARABIC LIGATURE ALLAH": False}
    ).reshape(text)


def test_the_terminal_form_differs_from_the_logical_text():
    terminal = display.terminal_arabic(RAHMAN)
    assert terminal != RAHMAN
    letters = [ch for ch in terminal if unicodedata.category(ch) != "Mn"]
    # Every letter is a presentation form (U+FB50–U+FEFF): joined as a terminal cannot.
    assert all(0xFB50 <= ord(ch) <= 0xFEFF for ch in letters)
    assert unicodedata.normalize("NFKC", "".join(reversed(letters))) == "الرحمن"


def test_read_right_to_left_it_is_the_shaped_logical_text_with_its_harakat():
    terminal = display.terminal_arabic(RAHMAN)
    # Letter by letter (each with its marks) from the right: the reshaped logical string.
    assert "".join(reversed(clusters(terminal))) == shaped(RAHMAN)
    # python-bidi's reordering alone (marks before their letters) reverses back the same way.
    assert get_display(get_display(shaped(RAHMAN), base_dir="R"), base_dir="R") == shaped(RAHMAN)


def test_each_haraka_follows_its_letter():
    terminal = display.terminal_arabic(RAHMAN)
    assert unicodedata.category(terminal[0]) != "Mn"
    # ـُ (damma) ends the logical word on the nun: on screen it comes right after the nun,
    # which is drawn first (leftmost).
    assert terminal[:2] == "\ufee6\u064f"


def test_several_words_keep_their_order_right_to_left():
    terminal = display.terminal_arabic("يَا رَحْمَٰنُ")
    first, second = terminal.split(" ")
    assert "".join(reversed(clusters(second))) == shaped("يَا")
    assert "".join(reversed(clusters(first))) == shaped("رَحْمَٰنُ")


def test_empty_text_stays_empty():
    assert display.terminal_arabic("") == ""


def test_a_long_verse_wraps_in_logical_order_then_each_line_is_reordered():
    verse = catalogue.get(47).verse_arabic  # several words
    block = display.arabic_block(verse, width=12).plain.split("\n")
    assert len(block) > 1
    words = verse.split()
    # The first line on screen holds the verse's first words (its rightmost word is the first).
    assert block[0].split(" ")[-1] == display.terminal_arabic(words[0])


def test_json_keeps_the_logical_text_and_the_table_the_shaped(cli):
    listed = cli("list-names", "--json").stdout
    table = cli("list-names").stdout
    assert RAHMAN in listed
    assert display.terminal_arabic(RAHMAN) not in listed
    assert display.terminal_arabic(RAHMAN) in table
    assert RAHMAN not in table
