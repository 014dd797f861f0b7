"""Backup archives: the database and the private files in one .tar.gz, described by a manifest.

An archive holds the database (`database.sqlite3`, a consistent copy made with SQLite's backup
API, or `database.pgdump`, pg_dump's custom format), the files under PRIVATE_STORAGE_ROOT as
`private/...`, and `manifest.json` (written last, once every checksum is known). The manifest
lists the SHA-256 of every other member, so a restore refuses a damaged archive before it
touches anything. Checksums catch corruption, not a deliberate forgery: archives are protected
by who may read and write them.

Keys are never in an archive: SECRET_KEY and FIELD_ENCRYPTION_KEYS live in the secret store, and
the journal text in an archive is ciphertext that only the keys of its day can read.

`archive` writes and reads the .tar.gz, `manifest` describes it and checks it against this
code's schema, `database` dumps and replaces each engine's database, `private` lists and
replaces the private files. `BackupError` (here) is what every one of them raises.
"""


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the operator why."""


# Archive members and database snapshots are copied this many bytes at a time.
CHUNK = 1024 * 1024
