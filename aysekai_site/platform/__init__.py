"""The platform layer: the few project modules that apps may import.

Everything here is app-agnostic and imports no app (an import-linter contract in
pyproject.toml checks both directions). Apps plug their own knowledge in (metrics, audit
actions) from their AppConfig.ready().
"""
