"""`svcgen run` against a broker it cannot use: one line naming the URL (password hidden) and why,
exit 1, never "internal error"; a URL whose port is not a number is a setting error (exit 2)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from amqp_broker import broker_url
from run_support import BIN, ENV, free_port, tasks_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tasks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tasks_app(tmp_path_factory.mktemp("broker_errors"))


def run_worker(folder: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = ENV | {"SVCGEN_AMQP_URL": url}
    return subprocess.run(
        [str(BIN / "svcgen"), "run", "worker", "app:tasks"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def last_line(r: subprocess.CompletedProcess[str]) -> str:
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    return r.stderr.strip().splitlines()[-1]


def test_nothing_listening_is_connection_refused(tasks_dir: Path) -> None:
    port = free_port()
    r = run_worker(tasks_dir, f"amqp://guest:secret@127.0.0.1:{port}/")
    assert r.returncode == 1
    assert last_line(r) == (
        f"svcgen: error: cannot connect to the AMQP broker at amqp://guest:***@127.0.0.1:{port}/: "
        "connection refused (is the broker running, on that host and port?)"
    )


def test_a_host_that_does_not_resolve(tasks_dir: Path) -> None:
    r = run_worker(tasks_dir, "amqp://guest:guest@no-such-host.invalid/")
    assert r.returncode == 1
    assert last_line(r).endswith("no-such-host.invalid/: the host does not resolve to an address")


def test_a_port_that_is_not_a_number_is_a_setting_error(tasks_dir: Path) -> None:
    r = run_worker(tasks_dir, "amqp://guest:guest@127.0.0.1:five/")
    assert (r.returncode, r.stderr) == (
        2,
        "svcgen: error: SVCGEN_AMQP_URL has a port that is not a number from 0 to 65535\n",
    )


def _with(url: str, user: str | None = None, vhost: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc if user is None else f"{user}@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc, path=parts.path if vhost is None else "/" + vhost))


def test_a_refused_login_names_the_credentials_and_hides_the_password(tasks_dir: Path) -> None:
    url = _with(broker_url(), user="guest:not-the-password")
    r = run_worker(tasks_dir, url)
    assert r.returncode == 1
    line = last_line(r)
    assert line.endswith(": the broker refused the login (the user and password in SVCGEN_AMQP_URL)"), line
    assert "not-the-password" not in r.stderr + r.stdout and "guest:***@" in line


def test_a_missing_virtual_host_is_named(tasks_dir: Path) -> None:
    r = run_worker(tasks_dir, _with(broker_url(), vhost="no-such-vhost"))
    assert r.returncode == 1
    assert last_line(r).endswith(
        ": the broker refused the virtual host 'no-such-vhost' (it does not exist, or the user may not use it)"
    )
