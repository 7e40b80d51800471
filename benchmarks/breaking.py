"""`svcgen breaking` on the 2,000-message benchmark IDL against a copy with one change (aim: < 2 s).

Writes the IDL (benchmarks/frontend.py's generator) into a temporary folder as `api.idl` and
the previous version as `old/api.idl` (the new version lost one required field of a message
that clients read), then runs the installed `svcgen breaking api.idl --against old` and
prints its best wall and CPU time, beside `svcgen check api.idl` for scale: on a shared
machine the wall clock also counts the wait for a core. Needs nothing beyond svcgen itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from frontend import best_of, generate  # noqa: E402

SVCGEN = str(Path(sys.executable).parent / "svcgen")
AIM_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    new = generate(args.messages, 500, 200)
    marker = "message Entity3 {\n  /// The identity.\n  id: uuid;\n"
    assert marker in new
    old = new.replace(marker, marker + "  added_later: string;\n", 1)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "old").mkdir()
        (base / "api.idl").write_text(new, encoding="utf-8")
        (base / "old/api.idl").write_text(old, encoding="utf-8")
        os.chdir(base)
        command = [SVCGEN, "breaking", "api.idl", "--against", "old"]
        wall, cpu, result = best_of(args.runs, command)
        check_wall, check_cpu, _ = best_of(args.runs, [SVCGEN, "check", "api.idl"])
        os.chdir("/")
    first = result.stderr.split("\n", 1)[0]
    if result.returncode != 1 or "[B101]" not in first:
        print(f"unexpected result (exit {result.returncode}):\n{result.stderr[-2000:]}", file=sys.stderr)
        return 1
    print(f"input:           {args.messages} messages, {len(new.encode()) / 1024:.0f} KiB, one field removed")
    print(f"machine:         {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(
        f"svcgen breaking: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU (best of {args.runs})"
        f"  [aim < {AIM_S * 1000:.0f} ms: {'ok' if wall < AIM_S else 'MISSED'}]"
    )
    print(f"svcgen check:    {check_wall * 1000:.0f} ms wall, {check_cpu * 1000:.0f} ms CPU, for scale")
    print(f"finding:         {first}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
