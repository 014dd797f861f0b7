import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from meditation.catalogue.legacy_csv import export_csv


class Command(BaseCommand):
    help = "Write the names in the legacy CSV format to a file, or to standard output with '-'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default="-", help="output file (default: stdout)")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        if path == "-":
            export_csv(self.stdout)
            return
        target = Path(path)
        # Write beside the target, then rename: a failure never leaves a half-written file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
                count = export_csv(stream)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        self.stderr.write(f"Wrote {count} names to {target}.")
