"""Neutralising spreadsheet formulas in CSV cells, reversibly.

A cell that starts with = + - @ (or a tab or carriage return) is run as a formula by
spreadsheet programs. Exports prefix such cells with an apostrophe, which spreadsheets
hide; imports of our own files remove it again so that a round trip changes nothing.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def restore(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell
