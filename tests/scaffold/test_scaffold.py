"""`svcgen new` and `svcgen upgrade`: the demo project in a fresh venv (its tests, `svcgen run all`, RabbitMQ),
every combination of parts (build, ruff, mypy --strict, its tests), upgrade with local edits, bad input.

Speed: the fresh venv gets svcgen's dependencies from this venv through a .pth file and installs the project
itself with `pip install --no-deps -e` (the project's install step, without re-downloading FastAPI & co);
the 31 combinations are rendered and built in this process, then checked with one ruff, one mypy and one
pytest run over all of them (their `app` modules renamed apart so they can share one run).
"""

from __future__ import annotations

import itertools
import os
import shutil
import site
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

import httpx
import pytest
from svcgen.scaffold import PARTS, new

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_")}
AMQP_URL = os.environ.get("SVCGEN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def svcgen(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "svcgen"), *args], cwd=cwd, env=env or ENV, capture_output=True, text=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


REQUIREMENTS_MET = """
from importlib import metadata
from packaging.requirements import Requirement
todo, seen = [("demo", set())], set()
while todo:
    name, extras = todo.pop()
    for text in metadata.requires(name) or []:
        req = Requirement(text)
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras or {""}):
            continue
        version = metadata.version(req.name)
        assert req.specifier.contains(version, prereleases=True), (text, version)
        if req.name == "svcgen" and (req.name, frozenset(req.extras)) not in seen:  # demo, then svcgen[extras]
            seen.add((req.name, frozenset(req.extras)))
            todo.append((req.name, set(req.extras)))
print(len(seen))
"""


# -- the demo, as a user gets it --------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`svcgen new demo --defaults`, installed into a fresh venv: (project, venv python)."""
    base = tmp_path_factory.mktemp("scaffold")
    r = svcgen("new", "demo", "--defaults", cwd=base)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 4 and "Next:" in lines[0], r.stdout  # a header, then three lines of what to do next
    project = base / "demo"
    assert (project / "demo_api/demo/service.py").is_file()  # the first build ran
    readme = (project / "README.md").read_text().splitlines()
    assert "svcgen run all app:service" in readme[0] and "127.0.0.1:8000" in readme[0]
    assert "pytest" in readme[1]
    assert f"svcgen[http,amqp] @ {ROOT.as_uri()}" in (project / "pyproject.toml").read_text()  # this checkout
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin/python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True
    ).stdout.strip()
    # this venv's site-packages as a site dir (its own .pth files too: the editable svcgen)
    pth = "".join(f"import site; site.addsitedir({d!r})\n" for d in site.getsitepackages())
    (Path(purelib) / "svcgen-dev.pth").write_text(pth)
    pip = [str(py), "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check", "-e", str(project)]
    r2 = subprocess.run(pip, env=ENV, capture_output=True, text=True)
    assert r2.returncode == 0, r2.stderr
    # the project's requirements, svcgen's extras included, are met in the new venv (pip check does not
    # look through the .pth): every distribution named exists there with a matching version
    check = subprocess.run([str(py), "-c", REQUIREMENTS_MET], env=ENV, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return project, py


def test_demo_passes_its_own_tests(demo: tuple[Path, Path]) -> None:
    project, py = demo
    r = subprocess.run(
        [str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=ENV, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 passed" in r.stdout


def run_demo(project: Path, py: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (project / f"run-{time.monotonic_ns()}.log").open("wb")
    return subprocess.Popen(
        [str(py), "-m", "svcgen", "run", "all", "app:service"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert proc.poll() is None, "svcgen run all exited"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def counted_after_hello(port: int) -> int:
    base = f"http://127.0.0.1:{port}"
    r = httpx.get(f"{base}/hello/ada")
    assert r.status_code == 200 and r.json() == {"name": "ada", "text": "Hello, ada!"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        counted = int(httpx.get(f"{base}/stats").json()["counted"])
        if counted:
            return counted
        time.sleep(0.1)
    return 0


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.terminate()
    return proc.wait(timeout=15)


@pytest.mark.slow
def test_demo_runs_embedded_then_on_rabbitmq(demo: tuple[Path, Path]) -> None:
    project, py = demo
    port = free_port()
    proc = run_demo(project, py, ENV | {"SVCGEN_PORT": str(port), "SVCGEN_SHUTDOWN_GRACE": "2"})
    try:
        wait_for(f"http://127.0.0.1:{port}/stats", proc)
        assert counted_after_hello(port) == 1  # GET /hello published greeting.sent; the consumer counted it
    finally:
        assert stop(proc) == 0
    if not broker_up():
        if os.environ.get("CI") == "true":
            pytest.fail("RabbitMQ is not reachable on 127.0.0.1:5672 (CI needs it)")
        pytest.skip("RabbitMQ is not reachable on 127.0.0.1:5672: the AMQP half did not run")
    port = free_port()
    env = ENV | {"SVCGEN_PORT": str(port), "SVCGEN_SHUTDOWN_GRACE": "2", "SVCGEN_AMQP_URL": AMQP_URL}
    proc = run_demo(project, py, env)
    try:
        wait_for(f"http://127.0.0.1:{port}/stats", proc)
        assert counted_after_hello(port) >= 1  # through the demo.Demo.count_greeting queue on RabbitMQ
    finally:
        assert stop(proc) == 0


# -- every combination of parts ---------------------------------------------------------------------


def test_every_combination_builds_and_passes_ruff_mypy_and_its_tests(tmp_path: Path) -> None:
    projects, combined = tmp_path / "projects", tmp_path / "combined"
    combined.mkdir()
    for bits in itertools.product([False, True], repeat=len(PARTS)):
        if not any(bits):
            continue
        name = "p" + "".join("1" if b else "0" for b in bits)
        result = new(projects / name, dict(zip(PARTS, bits, strict=True)), interactive=False, git_init=False)
        assert result.build_status == 0, name
        project = result.path
        # one mypy and one pytest run for all: each project's `app` becomes `<name>_app`
        shutil.copytree(project / f"{name}_api", combined / f"{name}_api")
        (combined / f"{name}_app.py").write_text((project / "app.py").read_text())
        source = (project / "tests/test_service.py").read_text().replace("from app import", f"from {name}_app import")
        (combined / f"test_{name}.py").write_text(source)
    ruff = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."], cwd=projects, capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout
    (combined / "mypy.ini").write_text(
        "[mypy]\nstrict = True\n[mypy-grpc.*]\nignore_missing_imports = True\n[mypy-grpc]\nignore_missing_imports = True\n"
        "[mypy-google.protobuf.*]\nignore_missing_imports = True\n"
    )
    mypy = subprocess.run(
        [
            str(BIN / "mypy"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            *sorted(p.name for p in combined.glob("*.py")),
        ],
        cwd=combined,
        capture_output=True,
        text=True,
    )
    assert mypy.returncode == 0, mypy.stdout
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", "."],
        cwd=combined,
        env=ENV | {"PYTHONPATH": str(combined)},
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-4000:]
    assert "80 passed" in tests.stdout, tests.stdout[-2000:]  # one test per chosen part: 5 parts x 16 combinations


# -- upgrade and bad input -------------------------------------------------------------------------

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]


def test_upgrade_keeps_edits_and_reports_conflicts(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(ROOT / "templates/scaffold", template)
    env = ENV | {"SVCGEN_SCAFFOLD_TEMPLATE": str(template), "SVCGEN_CACHE_DIR": str(tmp_path / "cache")}
    assert svcgen("new", "demo", "--defaults", cwd=tmp_path, env=env).returncode == 0
    project = tmp_path / "demo"
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", "new"], cwd=project, check=True)
    with (project / "app.py").open("a") as f:
        f.write("# my note\n")  # an edit the template does not touch
    idl = project / "service.idl"
    idl.write_text(idl.read_text().replace("Greetings served by", "Hellos answered by"))  # one it also changes
    assert "uncommitted changes" in svcgen("upgrade", cwd=project, env=env).stderr  # refuses on a dirty tree
    subprocess.run([*GIT, "commit", "-qam", "edits"], cwd=project, check=True)
    gitignore = template / "project/.gitignore.jinja"
    gitignore.write_text(gitignore.read_text() + ".tox/\n")
    template_idl = template / "project/service.idl.jinja"
    template_idl.write_text(template_idl.read_text().replace("Greetings served by", "Greetings answered by"))
    r = svcgen("upgrade", cwd=project, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "conflict  service.idl" in r.stdout and "changed   .gitignore" in r.stdout, r.stdout
    assert "# my note" in (project / "app.py").read_text()
    assert ".tox/" in (project / ".gitignore").read_text()
    assert "<<<<<<< before updating" in idl.read_text()
    assert svcgen("upgrade", cwd=project, env=env).returncode == 1  # still dirty: refuses


@pytest.mark.parametrize(
    "args, setup, message",
    [
        (["new", "taken", "--defaults"], "taken", "already exists and is not an empty folder"),
        (["new", "Bad Name", "--defaults"], "", "invalid project name"),
        (["new", "ok", "--defaults", "--package", "acme.class"], "", "invalid IDL package"),
        (["new", "locked/ok", "--defaults"], "locked-ro", "no permission"),
        (["upgrade"], "", "is not inside a project made by `svcgen new`"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_touches_nothing(
    tmp_path: Path, args: list[str], setup: str, message: str
) -> None:
    if setup == "taken":
        (tmp_path / "taken").mkdir()
        (tmp_path / "taken/keep.txt").write_text("mine")
    locked = tmp_path / "locked"
    made_immutable = False
    if setup == "locked-ro":
        locked.mkdir(mode=0o555)
        if os.access(locked, os.W_OK):
            # root writes through mode bits (CI runs as root): the immutable flag stops root too
            immutable = subprocess.run(["chattr", "+i", str(locked)], capture_output=True, text=True)
            if immutable.returncode != 0:
                pytest.skip(f"root can write anywhere and chattr +i failed: {immutable.stderr.strip()}")
            made_immutable = True
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    try:
        r = svcgen(*args, cwd=tmp_path)
    finally:
        if made_immutable:  # or pytest cannot remove tmp_path
            subprocess.run(["chattr", "-i", str(locked)], capture_output=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_new_without_a_terminal_or_defaults_is_usage_error(tmp_path: Path) -> None:
    r = svcgen("new", "demo", cwd=tmp_path)
    assert r.returncode == 2 and "--defaults" in r.stderr
    assert not (tmp_path / "demo").exists()
