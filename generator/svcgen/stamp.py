"""No-op rebuilds without compiling: a stamp of what each output folder was last built from.

`svcgen build` must parse, check and render everything before the writer can tell that no byte
changed, which takes seconds for a large API. So after each build we record its inputs (the
generator's own files, the targets, the hash of every IDL file the model read) and the size and
mtime of every file written; a later build with the same inputs into an untouched folder stops
right there. Stamps live in the user's cache folder, never in the output: the output holds exactly
the generated files. Any doubt (a file edited, deleted or unreadable; another generator) means a
full build. SVCGEN_NO_STAMP=1 turns the shortcut off.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from svcgen import __version__
from svcgen.resources import data_dir


def _folder() -> Path:
    """SVCGEN_CACHE_DIR if set (tests give each run its own), else $XDG_CACHE_HOME/svcgen, else ~/.cache/svcgen."""
    own = os.environ.get("SVCGEN_CACHE_DIR")
    if own:
        return Path(own) / "stamps"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "svcgen" / "stamps"


def _stamp_path(out: Path) -> Path:
    return _folder() / f"{hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:32]}.json"


def _generator() -> str:
    """Size and mtime of every file of the generator, its templates and grammar: an edit to any of
    them (an editable install, a new version) changes this and so invalidates every stamp."""
    h = hashlib.sha256(__version__.encode())
    for base in (Path(__file__).resolve().parent, data_dir("templates"), data_dir("idl")):
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _key(roots: Path | Sequence[Path], targets: list[str]) -> dict[str, object]:
    """What a build is: the generator, its root files (several files are one build) and the targets."""
    listed = [roots] if isinstance(roots, Path) else list(roots)
    return {"generator": _generator(), "roots": [str(r.resolve()) for r in listed], "targets": sorted(targets)}


def _hash(path: str) -> str:
    """The file's digest as the loader computes it (svcgen.model.File.digest): of its text, without a BOM."""
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read().removeprefix(b"\xef\xbb\xbf")).hexdigest()


def _stat(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def enabled() -> bool:
    return os.environ.get("SVCGEN_NO_STAMP") != "1"


def up_to_date(roots: Path | Sequence[Path], out: Path, targets: list[str]) -> bool:
    """True when `out` holds, untouched, what building `roots` for `targets` would write."""
    if not enabled():
        return False
    try:
        stamp = json.loads(_stamp_path(out).read_text(encoding="utf-8"))
        if stamp.get("key") != _key(roots, targets):
            return False
        if any(_hash(path) != digest for path, digest in stamp["sources"].items()):
            return False
        return all(_stat(out / rel) == list(st) for rel, st in stamp["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def record(
    roots: Path | Sequence[Path], out: Path, targets: list[str], sources: dict[str, str], files: list[PurePosixPath]
) -> None:
    """Remember a finished build; `sources` maps every IDL file the model read to the digest of what was read."""
    if not enabled():
        return
    try:
        stamp = {
            "key": _key(roots, targets),
            "sources": {str(Path(p).resolve()): digest for p, digest in sources.items()},
            "files": {str(rel): _stat(out / rel) for rel in files},
        }
        path = _stamp_path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stamp), encoding="utf-8")
        os.replace(tmp, path)
        _prune(path.parent)
    except OSError:  # a cache we cannot write only costs the next no-op build its shortcut
        pass


KEEP = 200  # stamps kept regardless of age
MAX_AGE_S = 7 * 24 * 3600


def _prune(folder: Path) -> None:
    """One stamp per output folder ever built (every test's temporary folder too): drop old ones."""
    entries = list(os.scandir(folder))
    if len(entries) <= KEEP:
        return
    cutoff = time.time() - MAX_AGE_S
    for entry in entries:
        if entry.stat().st_mtime < cutoff:
            Path(entry.path).unlink(missing_ok=True)
