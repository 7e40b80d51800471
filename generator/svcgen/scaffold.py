"""`svcgen new` and `svcgen upgrade`: a service project rendered with copier from templates/scaffold.

copier updates a project by rendering the *old* template version with the recorded answers, diffing
that against the project (the user's edits) and replaying the diff on the *new* version; it needs
both versions as tags of a git repository. svcgen's template ships inside its wheel, not as a git
repository, so svcgen keeps the versions itself:

- `new` writes `.svcgen/scaffold.tar.gz`, a deterministic archive of the template it rendered, and
  `.copier-answers.yml` with the answers, the template's content hash (`_commit`) and svcgen's version;
- `upgrade` builds a throw-away git repository with two tagged commits, the project's archive (1.0.0)
  and the installed svcgen's template (2.0.0), and runs copier's `run_update` from one to the other
  with a temporary answers file pointing at it. Then it writes the new archive and answers.

So an upgrade works offline, on any machine, whichever svcgen (index, wheel, checkout) made the project.
"""

from __future__ import annotations

import hashlib
import io
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from svcgen import __version__
from svcgen.resources import templates_dir

PARTS = ("http", "topics", "schedules", "rpc", "sockets")
ANSWERS = ".copier-answers.yml"
SNAPSHOT = Path(".svcgen/scaffold.tar.gz")
CONFLICT_MARK = "<<<<<<< "
_PROJECT = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_PACKAGE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")


class ScaffoldError(Exception):
    """Bad input: the message says what and how to fix it; nothing was written."""


def template_dir() -> Path:
    """The scaffold template (SVCGEN_SCAFFOLD_TEMPLATE names another one: template development, tests)."""
    override = os.environ.get("SVCGEN_SCAFFOLD_TEMPLATE")
    return Path(override) if override else templates_dir() / "scaffold"


def _template_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def snapshot(root: Path) -> tuple[bytes, str]:
    """A deterministic tar.gz of the template at `root` and its content hash (12 hex digits)."""
    digest = hashlib.sha256()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _template_files(root):
            rel = path.relative_to(root).as_posix()
            data = path.read_bytes()
            digest.update(rel.encode() + b"\0" + data + b"\0")
            info = tarfile.TarInfo(rel)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    import gzip

    return gzip.compress(raw.getvalue(), mtime=0), digest.hexdigest()[:12]


def svcgen_source() -> str:
    """How a project requires the running svcgen: `==VERSION` from an index, ` @ URL` from a checkout or wheel.

    Read from the installation's direct_url.json (PEP 610), written by pip for local and VCS installs.
    """
    try:
        dist = metadata.distribution("svcgen")
    except metadata.PackageNotFoundError:  # run from a source tree without installing
        return f" @ {Path(__file__).resolve().parents[2].as_uri()}"
    text = dist.read_text("direct_url.json")
    if not text:
        return f"=={dist.version}"
    info = json.loads(text)
    url = str(info.get("url", ""))
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        return f" @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}"
    return f" @ {url}" if url else f"=={dist.version}"


def check_project_name(name: str) -> None:
    if not _PROJECT.match(name):
        raise ScaffoldError(
            f"invalid project name {name!r}: use lowercase letters and digits, words joined by - or _ (like orders-api)"
        )


def check_package(package: str) -> None:
    if not _PACKAGE.match(package) or any(keyword.iskeyword(p) for p in package.split(".")):
        raise ScaffoldError(
            f"invalid IDL package {package!r}: use dotted lowercase words that are not Python keywords (like acme.orders)"
        )


def check_destination(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ScaffoldError(f"{dest} already exists and is not an empty folder: choose another name")
    parent = dest.parent if not dest.exists() else dest
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ScaffoldError(f"cannot write in {parent}: no permission")


@dataclass
class NewResult:
    path: Path
    answers: dict[str, Any]
    build_status: int


def new(
    dest: Path, answers: Mapping[str, Any], interactive: bool, run_build: bool = True, git_init: bool = True
) -> NewResult:
    """Render the scaffold into `dest` (rendered aside first, then moved: on failure nothing is left)."""
    from copier import run_copy

    dest = dest.absolute()
    name = dest.name
    check_project_name(name)
    check_destination(dest)
    if "package" in answers:
        check_package(str(answers["package"]))
    template = template_dir()
    archive, version = snapshot(template)
    data = {**answers, "project_name": name, "svcgen_source": svcgen_source()}
    parent = dest.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.svcgen-new-", dir=parent))
    try:
        target = staging / name
        worker = run_copy(
            str(template), target, data=data, defaults=not interactive, quiet=True, unsafe=False, vcs_ref=None
        )
        chosen = {k: v for k, v in worker.answers.combined.items() if k in ("package", *PARTS)}
        check_package(str(chosen["package"]))
        if not any(chosen[p] for p in PARTS):
            raise ScaffoldError("choose at least one part (HTTP, topics, schedules, RPC, sockets)")
        _write_state(target, chosen, archive, version)
        if dest.exists():
            dest.rmdir()
        target.rename(dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if git_init and shutil.which("git") and not _inside_git(dest):
        subprocess.run(["git", "init", "-q", str(dest)], check=False)
    status = _build(dest) if run_build else 0
    return NewResult(dest, chosen, status)


def _write_state(project: Path, chosen: Mapping[str, Any], archive: bytes, version: str) -> None:
    (project / SNAPSHOT).parent.mkdir(parents=True, exist_ok=True)
    (project / SNAPSHOT).write_bytes(archive)
    lines = [
        "# Written by svcgen new/upgrade: the answers and the template version this project was rendered from",
        "# (the template itself is .svcgen/scaffold.tar.gz). Commit it; `svcgen upgrade` reads it.",
        f"_commit: {version}",
        "_src_path: svcgen:scaffold",
        f"_svcgen_version: {__version__}",
        *(f"{key}: {json.dumps(chosen[key])}" for key in ("package", *PARTS)),
    ]
    (project / ANSWERS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _inside_git(path: Path) -> bool:
    r = subprocess.run(["git", "-C", str(path), "rev-parse", "--git-dir"], capture_output=True, text=True)
    return r.returncode == 0


def _build(project: Path) -> int:
    from svcgen.build import configured_sources
    from svcgen.commands import run_build

    cwd = Path.cwd()
    os.chdir(project)
    try:
        return run_build(configured_sources(project), None, [], check_only=False, json=False)
    finally:
        os.chdir(cwd)


# -- upgrade --------------------------------------------------------------------------------------


def find_project(start: Path) -> Path:
    for folder in (start.absolute(), *start.absolute().parents):
        answers = folder / ANSWERS
        if answers.is_file() and "_svcgen_version" in answers.read_text(encoding="utf-8", errors="replace"):
            return folder
    raise ScaffoldError(f"{start} is not inside a project made by `svcgen new` (no {ANSWERS} from svcgen)")


def read_answers(project: Path) -> dict[str, Any]:
    """The answers file as svcgen writes it: `key: value` lines, values in JSON (or bare words)."""
    answers: dict[str, Any] = {}
    for line in (project / ANSWERS).read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if line.startswith("#") or not sep:
            continue
        try:
            answers[key.strip()] = json.loads(value)
        except ValueError:
            answers[key.strip()] = value.strip()
    return answers


@dataclass
class UpgradeResult:
    project: Path
    old: str
    new: str
    changed: list[str]
    conflicts: list[str]


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "svcgen",
        "GIT_AUTHOR_EMAIL": "svcgen@localhost",
        "GIT_COMMITTER_NAME": "svcgen",
        "GIT_COMMITTER_EMAIL": "svcgen@localhost",
    }
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise ScaffoldError(f"git {' '.join(args)} failed in {cwd}: {r.stderr.strip()}")
    return r.stdout


def upgrade(start: Path) -> UpgradeResult:
    """copier update from the project's template version to the installed one; see the module docstring."""
    from copier import run_update

    project = find_project(start)
    if shutil.which("git") is None:
        raise ScaffoldError("svcgen upgrade needs git on PATH")
    if not _inside_git(project):
        raise ScaffoldError(f"{project} is not in a git repository: `git init` and commit it, then upgrade")
    dirty = _git(project, "status", "--porcelain", "--", ".").strip()
    if dirty:
        files = ", ".join(line[3:] for line in dirty.splitlines()[:5])
        raise ScaffoldError(f"the git tree has uncommitted changes ({files}): commit or stash them, then upgrade")
    answers = read_answers(project)
    if not (project / SNAPSHOT).is_file():
        raise ScaffoldError(f"{project / SNAPSHOT} is missing: it holds the template version to upgrade from")
    old = str(answers.get("_commit", ""))
    archive, new_version = snapshot(template_dir())
    if old == new_version:
        return UpgradeResult(project, old, new_version, [], [])
    with tempfile.TemporaryDirectory(prefix="svcgen-upgrade-") as tmp:
        repo = Path(tmp) / "template"
        repo.mkdir()
        _git(repo, "init", "-q")
        with tarfile.open(project / SNAPSHOT, "r:gz") as tar:
            tar.extractall(repo, filter="data")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "--allow-empty", "-m", f"template {old}")
        _git(repo, "tag", "1.0.0")
        for entry in repo.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            tar.extractall(repo, filter="data")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "--allow-empty", "-m", f"template {new_version}")
        _git(repo, "tag", "2.0.0")
        chosen = {k: answers[k] for k in ("package", *PARTS) if k in answers}
        temp_answers = Path(tmp) / "answers.yml"
        temp_answers.write_text(
            "\n".join(
                ["_commit: '1.0.0'", f"_src_path: {json.dumps(str(repo))}"]
                + [f"{k}: {json.dumps(v)}" for k, v in chosen.items()]
                + [f"project_name: {json.dumps(project.name)}"]
            )
            + "\n",
            encoding="utf-8",
        )
        data = {**chosen, "project_name": project.name, "svcgen_source": svcgen_source()}
        run_update(
            project,
            data=data,
            answers_file=Path(os.path.relpath(temp_answers, project)),  # copier wants it relative
            vcs_ref="2.0.0",
            defaults=True,
            overwrite=True,
            quiet=True,
            conflict="inline",
            skip_answered=True,
            unsafe=False,
        )
    _write_state(project, chosen, archive, new_version)
    changed = [line[3:] for line in _git(project, "status", "--porcelain", "--", ".").splitlines()]
    conflicts = []
    root = _git_root(project)
    for rel in changed:
        path = root / rel
        if path.is_file() and CONFLICT_MARK + "before updating" in path.read_text(encoding="utf-8", errors="replace"):
            conflicts.append(os.path.relpath(path, project))
    return UpgradeResult(project, old, new_version, changed, sorted(conflicts))


def _git_root(path: Path) -> Path:
    return Path(_git(path, "rev-parse", "--show-toplevel").strip())


def print_next_steps(result: NewResult, out: Any = sys.stdout) -> None:
    rel = os.path.relpath(result.path)
    print(f"Created {rel} (svcgen build done). Next:", file=out)
    print(f"  cd {rel} && sed -n 1,2p README.md    # the two commands: run the service, run its tests", file=out)
    print(
        "  edit service.idl, then svcgen build; implement the handlers in app.py (mypy lists what is missing)", file=out
    )
    print("  git add -A && git commit -m 'svcgen new'    # svcgen upgrade needs a committed tree", file=out)
