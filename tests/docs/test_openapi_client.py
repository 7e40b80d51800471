"""openapi-python-client (PyPI) generates a client from the build-time openapi.json, and that client
calls the running tasks example: create (201), get, list, the declared 404 with its body, delete (204).

openapi-python-client lives in a venv of its own, not in the dev extra: it pins typer below 0.28 and
would move the CLI framework svcgen's own tests run on. The venv is made once per version under
`$XDG_CACHE_HOME/svcgen-tests/` (about 80 s the first time, pip's cache reused) and the generated
client runs with that venv's Python (it needs attrs and python-dateutil, which svcgen does not).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python_target"))
from docs_support import ROOT, build  # noqa: E402
from python_target_support import uvicorn_server  # noqa: E402

pytestmark = pytest.mark.slow

VERSION = "0.29.1"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "svcgen-tests"

CALLS = r"""
import sys, uuid
from client import AuthenticatedClient, Client
from client.api.default import create_task, delete_task, get_task, health, list_tasks
from client.models import NewTask, TaskNotFoundBody

assert health.sync(client=Client(base_url=sys.argv[1])).ok  # public: no token
anonymous = create_task.sync_detailed(client=Client(base_url=sys.argv[1]), body=NewTask(title="no"))
assert anonymous.status_code == 401, anonymous
# the document's bearer scheme makes the tool generate a client that takes a token
c = AuthenticatedClient(base_url=sys.argv[1], token="demo-writer", raise_on_unexpected_status=True)
made = create_task.sync_detailed(client=c, body=NewTask(title="from openapi-python-client", tags=["x"]))
assert made.status_code == 201, made
task = made.parsed
assert task.title == "from openapi-python-client" and task.priority.value == "normal", task
got = get_task.sync(client=c, id=task.id)
assert got.id == task.id and got.tags == ["x"], got
page = list_tasks.sync(client=c, limit=10)
assert [t.id for t in page.items] == [task.id], page
missing = uuid.uuid4()
nf = get_task.sync_detailed(client=c, id=missing)
assert nf.status_code == 404 and isinstance(nf.parsed, TaskNotFoundBody) and nf.parsed.id == missing, nf
assert delete_task.sync_detailed(client=c, id=task.id).status_code == 204
print("ok")
"""


def _tool() -> Path:
    """The venv holding openapi-python-client, made once."""
    folder = CACHE / f"openapi-python-client-{VERSION}"
    python = folder / "bin/python"
    if not (folder / ".ready").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        venv.create(folder, with_pip=True)
        proc = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + [f"openapi-python-client=={VERSION}", "python-dateutil"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if proc.returncode != 0:
            if os.environ.get("CI") != "true":
                pytest.skip(f"cannot install openapi-python-client: {proc.stderr[-500:]}")
            raise AssertionError(proc.stderr)
        (folder / ".ready").write_text(VERSION, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    base = tmp_path_factory.mktemp("opc")
    build(ROOT / "examples/tasks/tasks.idl", base / "tasks_api", ["python-models", "python-server", "docs"])
    shutil.copy(ROOT / "examples/tasks/app.py", base / "app.py")
    with uvicorn_server(base, "app:app") as url:
        yield url, base / "tasks_api/docs/acme_tasks/openapi.json"


def test_generated_client_calls_the_running_example(server: tuple[str, Path], tmp_path: Path) -> None:
    url, document = server
    tool = _tool()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(tool / "bin/openapi-python-client"), "generate", "--path", str(document)]
        + ["--output-path", str(tmp_path / "client"), "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert (tmp_path / "client/api/default/create_task.py").is_file(), proc.stdout + proc.stderr
    assert "Warning" not in proc.stdout, proc.stdout
    run = subprocess.run(
        [str(tool / "bin/python"), "-c", CALLS, url], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr
