"""Generation speed: `svcgen build` against grpc_tools.protoc and datamodel-codegen on one large API.

Writes a 2,000-message API (500 endpoints, 200 topics) as IDL, .proto and JSON Schema (benchmarks/_idl.py), then times, each as
a fresh process into a fresh folder:
  svcgen build api.idl --out OUT              (every target this installation has)
  python -m grpc_tools.protoc --python_out --pyi_out api.proto
  datamodel-codegen --output-model-type pydantic_v2.BaseModel api.schema.json
and, separately, a no-op rebuild (svcgen build into the folder it just wrote, nothing changed).
Then an in-process breakdown of svcgen's own time: front end, each emitter, the writer.
Prints the ratios against the aims: faster than datamodel-codegen, within 3x of protoc, no-op < 0.3 s.

Usage: python benchmarks/generation.py [--messages 2000] [--endpoints 500] [--topics 200] [--repeat 3] [--profile] [--skip-peers]
Needs the bench extra for the peers: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _idl  # noqa: E402

BIN = Path(sys.executable).parent
AIM_PROTOC_RATIO = 3.0
AIM_NOOP_SECONDS = 0.3


def timed(command: list[str], cwd: Path) -> float:
    """Wall-clock seconds of one run; a failing command stops the benchmark with its output."""
    start = time.perf_counter()
    r = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(command)}\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return elapsed


def best(repeat: int, run: Callable[[int], float]) -> float:
    return min(run(i) for i in range(repeat))


def tree_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def usable_targets() -> list[str]:
    """Targets whose emitter is there and loads: while targets land, a half-written one is left out."""
    from svcgen import emit

    usable = []
    for name in emit.TARGETS:
        try:
            emit.TARGETS[name].load()
            usable.append(name)
        except Exception as exc:  # noqa: BLE001 - any failure means: not ready, measure the rest
            print(f"target {name} does not load ({type(exc).__name__}: {exc}); left out")
    return usable


def svcgen_phases(idl: Path, work: Path, targets: list[str], profile: bool) -> None:
    """Where svcgen's time goes, measured in this process with the same calls `svcgen build` makes."""
    from svcgen import emit
    from svcgen.build import generate
    from svcgen.frontend import compile_file
    from svcgen.writer import apply, plan

    print("\nsvcgen in process (one run each):")
    t = time.perf_counter()
    compiled = compile_file(idl)
    front = time.perf_counter() - t
    assert compiled.model is not None, [d.message for d in compiled.diagnostics[:5]]
    print(f"  front end (parse, resolve, check)  {front:7.2f} s")
    options = emit.Options({})
    for target in emit.select(targets):
        t = time.perf_counter()
        files = target.load()(compiled.model, options)
        lines = sum(text.count("\n") for text in files.values())
        print(f"  emit {target.name:<30}{time.perf_counter() - t:7.2f} s  ({len(files)} files, {lines} lines)")
    t = time.perf_counter()
    everything = generate(compiled.model, idl, targets)
    print(f"  all emitters + manifest            {time.perf_counter() - t:7.2f} s")
    out = work / "phases-out"
    t = time.perf_counter()
    apply(out, everything, plan(out, everything))
    print(f"  writer, fresh folder               {time.perf_counter() - t:7.2f} s")
    t = time.perf_counter()
    p = plan(out, everything)
    print(f"  writer plan, nothing changed       {time.perf_counter() - t:7.2f} s  ({len(p.unchanged)} unchanged)")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        compiled = compile_file(idl)
        assert compiled.model is not None
        generate(compiled.model, idl, targets)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        print("\ncProfile of compile_file + generate (own time, then cumulative):")
        print(text.getvalue())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--endpoints", type=int, default=500)
    ap.add_argument("--topics", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="runs of svcgen and protoc; the best counts (default 3)")
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of svcgen's build")
    ap.add_argument("--skip-peers", action="store_true", help="time svcgen only")
    ap.add_argument("--keep", type=Path, help="work in this folder and leave it")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="svcgen-bench-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sources = _idl.write(work / "src", args.messages, args.endpoints, args.topics)
    svcgen = str(BIN / "svcgen")
    from svcgen import emit

    targets = usable_targets()
    flags = [arg for t in targets for arg in ("--target", t)]
    lines = sources["idl"].read_text(encoding="utf-8").count("\n")
    print(
        f"API: {args.messages} messages, {args.endpoints} endpoints, {args.topics} topics ({lines} IDL lines); in {work}"
    )
    print(f"svcgen targets available: {', '.join(targets) or 'none'}")

    results: dict[str, float] = {}

    def build(i: int) -> float:
        out = work / f"svcgen-out-{i}"
        shutil.rmtree(out, ignore_errors=True)
        return timed([svcgen, "build", str(sources["idl"]), "--out", str(out), *flags], work)

    results["svcgen build"] = best(args.repeat, build)
    results["svcgen no-op rebuild"] = best(
        args.repeat,
        lambda i: timed([svcgen, "build", str(sources["idl"]), "--out", str(work / "svcgen-out-0"), *flags], work),
    )
    results["svcgen check"] = best(args.repeat, lambda i: timed([svcgen, "check", str(sources["idl"])], work))
    results["svcgen --help"] = best(5, lambda i: timed([svcgen, "--help"], work))
    sizes = {"svcgen build": tree_size(work / "svcgen-out-0")}

    if not args.skip_peers:
        if importlib.util.find_spec("grpc_tools") is None:
            print("grpc_tools missing: pip install -e '.[bench]'")
        else:

            def protoc(i: int) -> float:
                out = work / f"protoc-out-{i}"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                return timed(
                    [
                        sys.executable,
                        "-m",
                        "grpc_tools.protoc",
                        f"-I{sources['proto'].parent}",
                        f"--python_out={out}",
                        f"--pyi_out={out}",
                        str(sources["proto"]),
                    ],
                    work,
                )

            results["grpc_tools.protoc"] = best(args.repeat, protoc)
            sizes["grpc_tools.protoc"] = tree_size(work / "protoc-out-0")
        dmcg = BIN / "datamodel-codegen"
        if not dmcg.exists():
            print("datamodel-codegen missing: pip install -e '.[bench]'")
        else:
            # One run: it takes tens of seconds. Its defaults, pydantic v2 models.
            out = work / "dmcg-out"
            out.mkdir()
            results["datamodel-codegen"] = timed(
                [
                    str(dmcg),
                    "--input",
                    str(sources["jsonschema"]),
                    "--input-file-type",
                    "jsonschema",
                    "--output-model-type",
                    "pydantic_v2.BaseModel",
                    "--output",
                    str(out / "models.py"),
                ],
                work,
            )
            sizes["datamodel-codegen"] = tree_size(out)

    print(f"\n{'tool':<24}{'seconds':>9}   output")
    for name, seconds in results.items():
        files, size = sizes.get(name, (0, 0))
        print(f"{name:<24}{seconds:9.3f}   {f'{files} files, {size / 1e6:.1f} MB' if files else ''}")

    print("\nratios and aims:")
    build_s = results["svcgen build"]
    verdicts = []
    if "datamodel-codegen" in results:
        ratio = build_s / results["datamodel-codegen"]
        ok = ratio < 1
        verdicts.append(ok)
        print(f"  svcgen build / datamodel-codegen = {ratio:5.2f}   aim < 1     {'met' if ok else 'MISSED'}")
    if "grpc_tools.protoc" in results:
        ratio = build_s / results["grpc_tools.protoc"]
        ok = ratio <= AIM_PROTOC_RATIO
        verdicts.append(ok)
        print(
            f"  svcgen build / protoc            = {ratio:5.2f}   aim <= {AIM_PROTOC_RATIO:g}    {'met' if ok else 'MISSED'}"
        )
    noop = results["svcgen no-op rebuild"]
    ok = noop < AIM_NOOP_SECONDS
    verdicts.append(ok)
    print(
        f"  no-op rebuild                    = {noop:5.2f} s aim < {AIM_NOOP_SECONDS:g} s {'met' if ok else 'MISSED'}"
    )
    if len(targets) < len(emit.TARGETS):
        print(f"  (partial: targets not yet available: {', '.join(t for t in emit.TARGETS if t not in targets)})")

    svcgen_phases(sources["idl"], work, targets, args.profile)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
