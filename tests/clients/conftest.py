"""Fixtures of the client tests: the Node toolchain.

The TypeScript compiler comes from npm through the workspace in tests/clients/ts (`npm ci`
there; the fixture runs it when node_modules is missing). Without node or npm the tests that
need them are skipped with the reason shown, except under CI=true, where that is a failure.
"""

from __future__ import annotations

# ruff: noqa: F811  (pytest injects the imported node/tsc fixtures by parameter name)
from clienthelp import node, tsc  # noqa: F401  (the fixtures live in clienthelp, shared with tests/auth)
