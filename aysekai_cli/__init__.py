"""`aysekai`, the console command: the 99 names from the packaged catalogue, a sitting in the
terminal with its local session log, and `push` to import that log into a journal on the site.

It works offline from `fixtures/divine_names.json` (read as JSON) and never needs Django's
settings or a database. Of the site's code it uses only `meditation.sitting.randomizer` (the
fair draw), `meditation.text` (the text rules) and `meditation.catalogue.search` (the search),
which import without settings (import-linter contracts in `pyproject.toml`).

`aysekai --lang tr|ar` (or `$AYSEKAI_LANG`) shows the names' words in Turkish or Arabic from
`fixtures/divine_names.<language>.json`, English where a field is not translated, and the
labels around a name in that language; the command's other messages stay in English. The
search finds a name by its words in every language, whichever is shown.

Modules: `main` (the typer app, its commands, the error boundary), `errors` (exit codes),
`catalogue` (the fixture's names, and their words in other languages), `languages` (`--lang`
and the labels in each), `display` (tables, panels, Arabic shaped for a terminal),
`prompts` (questions on stdin), `sitting` (the countdown and dhikr keys), `session_log` (the
local log in the old tool's format, plain or encrypted) and `push` (the upload to the site).

Exit codes:

    0    done, or ended with Ctrl-C (as the old tool did): nothing half-written
    1    invalid input (no intention, a reflection too long, nothing to search for)
    2    bad name number, or a usage error (typer's own usage errors are 2 too)
    3    configuration problem (no token, a bad URL, an unreadable log directory or key, a
         missing or damaged catalogue)
    4    the site refused (4xx), with its message
    5    the site is unreachable, answered 5xx, or did not finish in time
    99   unexpected error (a short message; the traceback goes to ~/.aysekai/error.log)
    130  push interrupted (Ctrl-C): an upload already sent is still imported on the site
"""
