"""Suite-wide rules.

* svcgen's cache (the no-op stamps of svcgen.stamp) never goes to the user's real ~/.cache: the
  whole session, and so every subprocess it starts, uses a temporary SVCGEN_CACHE_DIR, and each
  test gets its own, so no test can pass on a stamp another test left behind.
* Under CI=true a skipped test is a failed test: a missing tool, service or shared folder must be
  fixed, not hidden (an expected failure, xfail, is not a skip and stays as it is).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

_SESSION_CACHE = tempfile.mkdtemp(prefix="svcgen-test-cache-")
# Set at import, before any fixture (module- and session-scoped ones included) can run svcgen.
os.environ["SVCGEN_CACHE_DIR"] = _SESSION_CACHE
os.environ.pop("SVCGEN_NO_STAMP", None)


def _ci() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(autouse=True)
def _own_svcgen_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("svcgen-cache")
    monkeypatch.setenv("SVCGEN_CACHE_DIR", str(cache))
    yield cache


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if _ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which is a failure: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.CollectReport = outcome.get_result()
    if _ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"a whole module skipped under CI=true, which is a failure: {report.longrepr}"
