"""Exports: files of a person's data (and staff exports), built by the worker."""
