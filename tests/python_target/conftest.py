"""Fixtures of the Python target tests (helpers live in python_target_support)."""

from python_target_support import built  # noqa: F401  (re-exported as a fixture)
