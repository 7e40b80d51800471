"""The format stage for Python output: black, only where rendering alone cannot be canonical.

Templates render black-clean code for every shape they know (see emit/python/layout.py),
so a typical build never calls black, which would be the slowest part of a large build by
far. A file that still has a line longer than black's limit holds a shape black would split
its own way (a long annotation, say): that file alone goes through black in process. The
result is cached by content, in memory and on disk, so a rebuild never formats it twice.
"""

from __future__ import annotations

import hashlib
import io
import os
import tokenize
from pathlib import Path, PurePosixPath

LINE = 88  # black's default: the output lands in projects whose settings we do not know
_MEMORY: dict[str, str] = {}


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "svcgen" / "black"


def needs_black(text: str) -> bool:
    """A line over the limit that black might change.

    Black leaves comments and string statements (docstrings) as they are, however long, so
    lines that hold nothing else do not count.
    """
    lines = text.splitlines()
    long = {n for n, line in enumerate(lines, 1) if len(line) > LINE and not line.lstrip().startswith("#")}
    if not long:
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # let black report what it makes of it
    for tok in tokens:
        if tok.type != tokenize.STRING:
            continue
        (first, col), (last, end) = tok.start, tok.end
        alone = not lines[first - 1][:col].strip() and not lines[last - 1][end:].strip()
        if alone:
            long.difference_update(range(first, last + 1))
        else:  # inside a multi-line string only its middle lines are beyond black's reach
            long.difference_update(range(first + 1, last))
    return bool(long)


def _black(text: str) -> str:
    from importlib.metadata import version

    import black  # heavy: imported only when some file needs it
    from black.mode import Mode, TargetVersion

    from svcgen import __version__

    key = hashlib.sha256(f"{version('black')}\0{__version__}\0{text}".encode()).hexdigest()
    if key in _MEMORY:
        return _MEMORY[key]
    cached = _cache_dir() / key[:2] / key
    try:
        result = cached.read_text(encoding="utf-8")
    except OSError:
        mode = Mode(line_length=LINE, target_versions={TargetVersion.PY311})
        result = black.format_str(text, mode=mode)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(result, encoding="utf-8")
            os.replace(tmp, cached)
        except OSError:  # a read-only home only costs speed
            pass
    _MEMORY[key] = result
    return result


def format_python(files: dict[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    """The same files, with each Python file that needs it passed through black."""
    return {path: _black(text) if path.suffix == ".py" and needs_black(text) else text for path, text in files.items()}
