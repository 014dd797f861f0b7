"""Importing the command-line tool's session log (CSV) into a person's journal.

An upload is first inspected (`upload.inspect_upload`: UTF-8 text, not the encrypted variant,
the required columns), then `runner.import_job` validates every row (`rows`) and inserts the
valid ones in one transaction, so an error leaves nothing half-imported. Small files are
imported during the request, larger ones by the `meditation.run_import` task (`tasks`).

Reports and logs name rows and columns, never the log's text.
"""
