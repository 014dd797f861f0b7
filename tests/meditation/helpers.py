"""Helpers shared by the tests of the meditation features."""

import pytest
from django.db import connection
from django.test import TestCase

from meditation import private_files
from tests.factories import ExportJobFactory, ImportJobFactory

# An empty session log: the header only.
LOG = b"timestamp,user,prompt,name_number,name_transliteration,session_id\n"


def committed():
    """Run the transaction's on-commit callbacks (a job's task) when the block ends.

    Each test runs inside a transaction that never commits; in production the request's own
    commit sends the task at once. Tests that need the send to happen during the request
    (to see its message) are transactional instead.
    """
    return TestCase.captureOnCommitCallbacks(execute=True)


def export_job(**fields):
    return ExportJobFactory(**fields)


def import_job(**fields):
    """An import with its upload on disk, as the upload page leaves it."""
    return ImportJobFactory(upload=LOG, **fields)


both_kinds = pytest.mark.parametrize("make", [export_job, import_job], ids=["export", "import"])


def fresh(job):
    return type(job).objects.get(pk=job.pk)


def stored(job):
    return private_files.exists(job.file)


def recording(sent):
    """A task's delay that records the job id, and whether a transaction was still open."""
    return lambda job_id: sent.append((job_id, connection.in_atomic_block))
