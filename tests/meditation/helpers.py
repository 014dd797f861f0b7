"""Helpers shared by the tests of the meditation features."""

from django.test import TestCase


def committed():
    """Run the transaction's on-commit callbacks (a job's task) when the block ends.

    Each test runs inside a transaction that never commits; in production the request's own
    commit sends the task at once. Tests that need the send to happen during the request
    (to see its message) are transactional instead.
    """
    return TestCase.captureOnCommitCallbacks(execute=True)
