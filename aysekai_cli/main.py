"""The `aysekai` command: typer's app, its commands, and the error boundary that turns every
failure into a message and an exit code (listed in the package's docstring and `--help`).

Every command runs inside `guarded`: an error the person can act on (`errors.CliError`) is a
message on stderr and its code; Ctrl-C is a short message with nothing half-written, and exit 0
as in the old tool (130 for `push`, so that a script never takes an interrupted upload for a
finished one);
anything else is a short message, 99, and the traceback appended to `~/.aysekai/error.log`
(`$AYSEKAI_HOME/error.log` when that is set), as the old tool did.

`--lang en|tr|ar` (before the command; default `$AYSEKAI_LANG`, else English) shows the names'
words in that language, English where a field is not translated, and the labels around them
(`languages`); the command's other messages, its questions and `--help` stay in English.
`search` finds a name by its words in every language, whichever is shown.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, ParamSpec

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from meditation.catalogue.search import nothing_to_search
from meditation.catalogue.search import search as search_names
from meditation.sitting.randomizer import draw
from meditation.text import one_line, paragraphs

from . import catalogue, display, languages, prompts, session_log, sitting
from . import push as pushing
from .errors import EPILOG, CliError, ConfigurationError, ExitCode, InvalidInput

# The site's limits (meditation/models.py), so that every row the command writes imports.
INTENTION_MAX = 500
REFLECTION_MAX = 5000
TOKEN_ENV = "AYSEKAI_TOKEN"  # noqa: S105 (the variable's name, not a token)
SITE_ENV = "AYSEKAI_SITE"

app = typer.Typer(
    name="aysekai",
    help=(
        "Meditate on the 99 Beautiful Names (al-Asmāʾ al-Ḥusnā) in a terminal, offline, and "
        "push your session log into your journal on the site."
    ),
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
P = ParamSpec("P")
LANGUAGE = "aysekai.language"  # the key of the language in the context's `meta`
# The folder of the log, an option of `meditate` and `push`.
LogDir = Annotated[
    Path | None,
    typer.Option(
        "--log-dir",
        metavar="DIR",
        help="The folder of sessions.log (default: $AYSEKAI_HOME or ~/.aysekai).",
    ),
]


def out() -> Console:
    return Console(highlight=False)


def err() -> Console:
    return Console(stderr=True, highlight=False)


def _error_log() -> Path:
    return session_log.default_dir() / session_log.ERROR_LOG_NAME


def report_unexpected() -> int:
    """The short message of an unexpected error; its traceback appended to the error log."""
    path = _error_log()
    where = f"The details are in {path}; please report them."
    try:
        session_log.ensure_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(f"\n{'=' * 60}\n{datetime.datetime.now(datetime.UTC).isoformat()}\n")
            log.write(traceback.format_exc())
    except (OSError, CliError):
        where = "The details could not be saved."
    err().print(Text(f"aysekai: an unexpected error occurred. {where}", style="red"))
    return ExitCode.UNEXPECTED


def guarded(
    interrupted: str, code: ExitCode = ExitCode.OK
) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """The error boundary of a command (see the module's docstring): Ctrl-C prints
    `interrupted` and exits with `code`."""

    def decorate(command: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                command(*args, **kwargs)
            except (typer.Exit, typer.Abort, typer.TyperException):
                raise
            except CliError as error:
                err().print(Text(f"aysekai: {error.message}", style="red"))
                raise typer.Exit(error.code) from None
            except KeyboardInterrupt:
                err().print(Text(f"\n{interrupted}", style="yellow"))
                raise typer.Exit(code) from None
            except BrokenPipeError:
                raise  # `aysekai list-names --json | head`: typer ends quietly (exit 1, as rich)
            except Exception:
                raise typer.Exit(report_unexpected()) from None

        return run

    return decorate


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _search(query: str) -> list[catalogue.Name]:
    """The site's search over the catalogue, the names carrying their words in every language
    (it reads a name's attributes; its types name the site's model)."""
    names: list[Any] = catalogue.with_translations(catalogue.load())
    found: list[Any] = search_names(names, query)
    return found


def _language_option(value: str | None) -> str:
    try:
        return languages.code(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


@app.callback()
def choose_language(
    ctx: typer.Context,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            envvar=languages.ENV,
            metavar="en|tr|ar",
            callback=_language_option,
            help=(
                "The language of the names' words (meaning, description, taʾwīl, dhikr, verse) "
                "and of the labels around them: en, tr or ar; English where a field is not "
                "translated, and no verse translation in Arabic (the verse is the Qurʾān's "
                "own). The command's other messages and this help stay in English. Give it "
                "before the command: aysekai --lang tr show 1."
            ),
        ),
    ] = languages.ENGLISH,
) -> None:
    ctx.meta[LANGUAGE] = lang


def _language(ctx: typer.Context) -> str:
    language: str = ctx.meta.get(LANGUAGE, languages.ENGLISH)
    return language


# --- The catalogue -------------------------------------------------------------------------

AsJson = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Every field as JSON (logical Unicode text; with --lang tr or ar, in that language).",
    ),
]


@app.command("list-names", epilog=EPILOG)
@guarded("Interrupted.")
def list_names(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Every field of the 99 as JSON (logical Unicode text).")
    ] = False,
) -> None:
    """The 99 names: number, Arabic, transliteration, meaning."""
    language = _language(ctx)
    names = catalogue.localize(catalogue.load(), language)
    if as_json:
        _print_json([name.as_json() for name in names])
        return
    title = display.label(languages.labels(language).names, language)
    out().print(display.names_table(names, title=title, language=language))


@app.command(epilog=EPILOG)
@guarded("Interrupted.")
def show(
    ctx: typer.Context,
    n: Annotated[
        str, typer.Argument(metavar="N", help="The name's number, 1 to 99.", show_default=False)
    ],
    as_json: AsJson = False,
) -> None:
    """One name: its Arabic, meaning, description, taʾwīl, verse and dhikr."""
    number = catalogue.parse_number(n)
    [name] = catalogue.localize([catalogue.get(number)], _language(ctx))
    if as_json:
        _print_json(name.as_json())
        return
    console = out()
    console.print(display.name_panel(name, console.width))


@app.command(epilog=EPILOG)
@guarded("Interrupted.")
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="WORDS",
            help="Words of a name, its meaning or its texts, in any spelling, or Arabic.",
            show_default=False,
        ),
    ],
    as_json: AsJson = False,
) -> None:
    """Search the names as the site does: "rahmaan", "mercy", "merhametli", "الله".

    Every word must match; a name is found in any common spelling, with or without marks,
    and by its words in any language, whichever --lang shows. No match is a message (with
    --json, []) and exit 0."""
    query = " ".join(words)
    if nothing_to_search(query):
        raise InvalidInput(f"“{query}” has nothing to search for: give a word, Arabic or a number.")
    language = _language(ctx)
    found = catalogue.localize(_search(query), language)
    if as_json:
        _print_json([name.as_json() for name in found])
        return
    console = out()
    if not found:
        console.print(Text(f"No name matches “{query}”."))
        return
    title = f"{len(found)} name{'s' if len(found) > 1 else ''} for “{query}”"
    console.print(display.names_table(found, title=title, language=language))


@app.command(epilog=EPILOG)
@guarded("Interrupted.")
def about(ctx: typer.Context) -> None:
    """What this is, the site, and the licences of the content."""
    language = _language(ctx)
    text = Text()
    text.append("Aysekai", style="bold")
    text.append(
        " is a quiet practice of meditating on al-Asmāʾ al-Ḥusnā, the 99 Beautiful Names of "
        "God: write an intention, receive a name, sit with it, and note what came.\n\n"
        "This command works offline from the catalogue packaged with it (the 99 names, in the "
        "order of the narration of at-Tirmidhī). The draw is the site's: every name equally "
        "likely, from the operating system's secure randomness, with your intention and the "
        "moment mixed in. Your sittings stay in a log on this machine (~/.aysekai/sessions.log, "
        "optionally encrypted) until you push them, with a personal token, into your private "
        "journal on the Aysekai site: aysekai push --site https://…\n\n"
    )
    text.append("Sources and licences\n", style="bold")
    text.append(
        "• Qurʾānic text: the Uthmani script of the Noble Qurʾān Encyclopedia, via the "
        "quran-json package (CC BY-SA 4.0).\n"
        "• English translation of the verses: Saheeh International (via quran-json, "
        "CC BY-SA 4.0).\n"
        "• Descriptions and commentaries (taʾwīl): written for this project. Corrections are "
        "welcome.\n"
        "• Arabic shaped for the terminal with arabic-reshaper and python-bidi."
    )
    if language != languages.ENGLISH:  # what --lang shows, and where it is from
        sources = catalogue.translation(language).sources
        text.append(f"\n• In {languages.NAMES[language]}: " + " ".join(sources.values()))
    out().print(Panel(text, title="About Aysekai", border_style="cyan"))


# --- A sitting -----------------------------------------------------------------------------


def _ask_intention(console: Console) -> str:
    while True:
        answer = prompts.ask(console, "Your intention: ")
        if answer is None:
            raise InvalidInput("No intention was given: a sitting begins with one.")
        intention, _ = one_line(answer)
        if not intention:
            console.print("An intention is needed: a few words of what you bring to this sitting.")
        elif len(intention) > INTENTION_MAX:
            console.print(f"Please keep the intention within {INTENTION_MAX} characters.")
        else:
            return intention


def _ask_reflection(console: Console, live: bool) -> str:
    if not live:
        reflection = paragraphs(prompts.rest_of_input())
        if len(reflection) > REFLECTION_MAX:
            raise InvalidInput(
                f"The reflection is longer than {REFLECTION_MAX} characters: nothing was written."
            )
        return reflection
    while True:
        answer = prompts.ask(console, "A reflection (optional; Enter to skip): ")
        reflection = paragraphs(answer or "")
        if len(reflection) <= REFLECTION_MAX:
            return reflection
        console.print(f"Please keep the reflection within {REFLECTION_MAX} characters.")


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C while the row is written waits for the row: the handler only notes it (signal
    handlers run in the main thread, whichever thread the signal reached), and once the row is
    whole the sitting is kept."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def _write(directory: Path, entry: session_log.Entry, encrypt: bool | None) -> session_log.Written:
    with _interrupts_held():
        return session_log.append(directory, entry, encrypt)


@app.command(epilog=EPILOG)
@guarded("Interrupted: the sitting ended and nothing was written.")
def meditate(
    ctx: typer.Context,
    number: Annotated[
        str | None,
        typer.Option(
            "--number", "-n", metavar="N", help="Sit with this name (1–99) instead of a draw."
        ),
    ] = None,
    minutes: Annotated[
        int, typer.Option("--minutes", "-m", min=1, max=180, help="The sitting's length.")
    ] = 10,
    log_dir: LogDir = None,
    encrypt: Annotated[
        bool | None,
        typer.Option(
            "--encrypt/--no-encrypt",
            help=(
                "Write the row encrypted, with the key in DIR/.key (default: as the log "
                "already is)."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    """A sitting: intention, name, countdown with dhikr counter, reflection, one log row.

    At a terminal, space or Enter counts a dhikr and q or Esc ends the sitting early. With
    piped input, the first line is the intention and the rest the reflection (no countdown)."""
    chosen = catalogue.parse_number(number) if number is not None else None
    language = _language(ctx)
    names = catalogue.localize(catalogue.load(), language)  # refuses a bad fixture before asking
    directory = (log_dir or session_log.default_dir()).expanduser()
    layout = session_log.inspect(directory)
    session_log.choose_encryption(layout, directory, encrypt)  # refuses before any question
    console = out()
    if not layout.keeps_extras:
        console.print(
            Text(
                f"Note: {directory / session_log.LOG_NAME} has the old tool's six columns, so "
                "the reflection, the time and the dhikr count are not kept in it.",
                style="yellow",
            )
        )
    console.print("Write your intention, then press Enter.")
    intention = _ask_intention(console)
    name = names[(chosen or draw(intention)) - 1]
    started_at = datetime.datetime.now(datetime.UTC)
    console.print(display.sitting_panel(name, console.width, intention))
    live = prompts.interactive()
    seconds: int | None = None
    count: int | None = None
    if live:
        console.print(
            "Space or Enter: one dhikr · q or Esc: end early · Ctrl-C: stop without keeping it"
        )
        scale = sitting.time_scale()
        with sitting.TerminalKeys(scale) as keys:
            sat = sitting.countdown(console, minutes * 60, keys, clock=sitting.scaled_clock(scale))
        seconds, count = sat.seconds, sat.dhikr
    else:
        console.print("(Input is not a terminal: no live countdown.)")
    reflection = _ask_reflection(console, live) if layout.keeps_extras else ""
    entry = session_log.new_entry(
        prompt=intention,
        number=name.number,
        transliteration=name.transliteration,
        started_at=started_at,
        reflection=reflection,
        seconds=seconds,
        dhikr_count=count,
    )
    written = _write(directory, entry, encrypt)
    kept = f"Kept in {written.path}"
    if written.key is not None:
        kept += f" (encrypted; its key is {written.key}: keep the two together)"
    console.print(Text(kept + "."))
    console.print("To add it to your journal on the site: aysekai push --site https://…")


# --- Pushing the log -----------------------------------------------------------------------


@app.command("push", epilog=EPILOG)
@guarded(
    "Interrupted. An upload already sent goes on being imported on the site.",
    code=ExitCode.INTERRUPTED,
)
def push_log(
    site: Annotated[
        str | None,
        typer.Option("--site", metavar="URL", help=f"The site's address (default: ${SITE_ENV})."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="TOKEN",
            help=(
                f"A personal token from the site's Settings (default: ${TOKEN_ENV}, better: a "
                "command line is visible to other users of this machine)."
            ),
        ),
    ] = None,
    log_dir: LogDir = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1, help="Seconds to wait for the site to finish."),
    ] = 120.0,
    poll_interval: Annotated[float, typer.Option("--poll-interval", hidden=True, min=0)] = 1.0,
) -> None:
    """Upload the local session log into your journal on the site.

    Rows the site already has are skipped, so pushing again imports nothing twice."""
    base = pushing.site_url(site or os.environ.get(SITE_ENV, "") or _no_site())
    secret = pushing.check_token(token if token is not None else os.environ.get(TOKEN_ENV))
    directory = (log_dir or session_log.default_dir()).expanduser()
    upload = pushing.read_upload(directory)
    console = out()
    console.print(Text(f"Pushing {directory / session_log.LOG_NAME} to {base} …"))
    said: set[str] = set()

    def waiting(report: pushing.Report) -> None:
        if report.status not in said:
            said.add(report.status)
            console.print(Text(f"The site is importing it ({report.status}) …"))

    report = pushing.push(
        base, secret, upload, timeout=timeout, interval=poll_interval, waiting=waiting
    )
    console.print(
        Text(
            f"{report.imported} imported, {report.skipped} skipped, {report.rejected} rejected.",
            style="bold",
        )
    )
    if report.rows:
        table = Table("Row", "Outcome", "Reason", title="Rows not imported")
        for row, outcome, reason in report.rows:
            table.add_row(str(row), outcome, Text(reason))
        console.print(table)


def _no_site() -> str:
    raise ConfigurationError(
        f"Which site? Give its address with --site https://… (or set {SITE_ENV})."
    )


def main() -> None:
    """The console script: the app, with a last boundary for what escapes a command."""
    try:
        app(prog_name="aysekai")
    except Exception:
        sys.exit(report_unexpected())
