"""The previous version of a root file: read at a git revision, or from a folder that holds it.

It is parsed and resolved but not checked: it was valid when it was merged, and the rules
would double the time of a large comparison. Errors that stop resolving still stop it.

At a revision the same paths are read from git's object store (`git show REV:path`), imports
too, so the working tree is never touched; the texts are handed to the front end, which then
reports places under the files' usual names. From a folder, the file's path relative to the
current directory is looked up under it and compiled from there.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from svcgen.frontend import Compiled, compile_file

# Imports stand before the declarations, one `import "path";` each (comments are `//` lines).
_IMPORT = re.compile(r'^[ \t]*import\s+"((?:[^"\\\n]|\\.)*)"\s*;', re.M)


class UsageError(Exception):
    """REF names neither a folder nor a revision, or a FILE cannot be found where it must be: exit 2."""


@dataclass(frozen=True)
class Previous:
    """Where the previous version of one root is: a file (with the texts of a revision), absent, or unreadable."""

    root: Path | None = None  # the previous root file; None: a new file, nothing to compare
    texts: dict[Path, str] | None = None  # the files at a revision, by working-tree path
    problem: str | None = None  # why it could not be read (exit 1)

    def compile(self, new: Compiled) -> Compiled:
        """Parsed and resolved (not checked), reusing the unchanged declarations of `new` when it can."""
        assert self.root is not None
        from svcgen.breaking.reuse import previous_model

        key = self.root.resolve()
        text = self.texts.get(key) if self.texts else None
        if text is None:
            try:
                text = self.root.read_text(encoding="utf-8").removeprefix("\ufeff")
            except (OSError, UnicodeDecodeError):
                text = None
        fast = previous_model(self.root, text, self.texts, new) if text is not None else None
        return fast or compile_file(self.root, self.texts, check=False)


def previous(root: Path, ref: str) -> Previous:
    folder = Path(ref)
    if folder.is_dir():
        return _from_folder(root, folder)
    return _from_git(root, ref)


def _from_folder(root: Path, folder: Path) -> Previous:
    try:
        relative = root.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        raise UsageError(f"{root} is not below the current directory, so it has no place under {folder}") from None
    old = folder / relative
    return Previous(old if old.exists() else None)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc.strerror or exc}") from None


def _from_git(root: Path, ref: str) -> Previous:
    here = root.resolve().parent
    if not here.is_dir():
        raise UsageError(f"no such file: {root}")
    top = _git(here, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"'{ref}' is not a folder, and {root} is not in a git repository")
    commit = _git(here, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit.returncode != 0:
        raise UsageError(f"'{ref}' is neither a folder nor a git revision")
    repo = Path(top.stdout.decode().strip()).resolve()
    rev = commit.stdout.decode().strip()
    texts: dict[Path, str] = {}
    pending = [root.resolve()]
    while pending:
        path = pending.pop()
        if path in texts:
            continue
        try:
            inside = path.relative_to(repo).as_posix()
        except ValueError:
            return Previous(problem=f"{path} is outside the repository, so it has no version at '{ref}'")
        shown = _git(repo, "show", f"{rev}:{inside}")
        if shown.returncode != 0:
            if path == root.resolve():
                return Previous()  # a new file: nothing to compare
            return Previous(problem=f"cannot read '{inside}' at '{ref}': no such file")
        try:
            text = shown.stdout.decode("utf-8")
        except UnicodeDecodeError:
            return Previous(problem=f"'{inside}' at '{ref}' is not valid UTF-8")
        texts[path] = text.removeprefix("\ufeff")
        pending.extend((path.parent / imported).resolve() for imported in _IMPORT.findall(text))
    return Previous(root, texts)
