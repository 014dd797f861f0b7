"""Reading what the `aysekai` command printed and wrote."""

import csv
import io
import json
import re

from cryptography.fernet import Fernet

from aysekai_cli import session_log

# A table row of `list-names` / `search`: the number first, then the Arabic.
TABLE_ROW = re.compile(r"^\s*(\d{1,2})\s{2,}\S", re.MULTILINE)
NINE = list(session_log.COLUMNS)
SIX = list(session_log.OLD_COLUMNS)


def numbers_in_table(output):
    return [int(n) for n in TABLE_ROW.findall(output)]


def log_text(directory):
    return (directory / session_log.LOG_NAME).read_text(encoding="utf-8")


def log_rows(directory):
    """The plain log's header and rows."""
    header, *rows = list(csv.reader(io.StringIO(log_text(directory), newline="")))
    return header, rows


def decrypted_lines(directory):
    """Each token line of the log, decrypted with the log's key, as the JSON it holds."""
    key = Fernet((directory / session_log.KEY_NAME).read_bytes())
    return [
        json.loads(key.decrypt(bytes.fromhex(line)))
        for line in log_text(directory).splitlines()
        if session_log.ENCRYPTED_LINE.fullmatch(line)
    ]
