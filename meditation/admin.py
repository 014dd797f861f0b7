"""Registers each feature's admin (Django's autodiscovery looks for this module)."""

from .catalogue import admin as catalogue_admin  # noqa: F401
from .exports import admin as exports_admin  # noqa: F401
from .imports import admin as imports_admin  # noqa: F401
from .journal import admin as journal_admin  # noqa: F401
