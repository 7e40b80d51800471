"""The `svcgen` command. Exit codes: 0 fine, 1 errors in the input, 2 bad usage.

Heavy modules (lark, jinja2, black, croniter) are imported inside the commands so that
`svcgen --help` and `svcgen --version` start fast.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from svcgen import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Generate services, clients and documents from a service IDL.",
)


class Format(StrEnum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"svcgen {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Generate services, clients and documents from a service IDL."""


Files = Annotated[list[Path], typer.Argument(help="IDL files.", show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", help="How to print diagnostics.")]


@app.command()
def check(files: Files, format: FormatOpt = Format.text) -> None:
    """Parse and check IDL files; print every error with its place."""
    from svcgen.commands import run_check

    raise typer.Exit(run_check(files, json=format is Format.json))


@app.command()
def build(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="IDL files, built as one (default: sources of [tool.svcgen]).", show_default=False),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: [tool.svcgen] out, else ./generated).")
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            help="Only these targets (repeatable): python-models, python-server, python-client, typescript, all.",
        ),
    ] = None,
    check_only: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 and list the stale files if the output is not up to date."),
    ] = False,
    format: FormatOpt = Format.text,
) -> None:
    """Check IDL files and generate code for them."""
    from svcgen.build import configured_sources, destination

    if not files:
        files = configured_sources(Path.cwd())
        if not files:
            typer.echo("svcgen: error: name the IDL files, or list them as sources in [tool.svcgen]", err=True)
            raise typer.Exit(2)
    if format is Format.text:
        # Nothing changed since the last build into that folder: done, without compiling (svcgen.stamp).
        from svcgen.stamp import up_to_date

        if up_to_date(files, *destination(files[0], out, target or [])):
            raise typer.Exit(0)
    from svcgen.commands import run_build

    raise typer.Exit(run_build(files, out, target or [], check_only=check_only, json=format is Format.json))


@app.command()
def fmt(
    files: Files,
    check_only: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 and name the files that are not formatted.")
    ] = False,
) -> None:
    """Rewrite IDL files in the one canonical layout, keeping every comment."""
    from svcgen.commands import run_fmt

    raise typer.Exit(run_fmt(files, check_only=check_only))


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


@app.command()
def graph(
    files: Files,
    format: Annotated[
        GraphFormat, typer.Option("--format", help="Mermaid, Graphviz DOT or JSON.")
    ] = GraphFormat.mermaid,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Draw the topology: services, topics, who emits and who consumes them, schedules and RPCs."""
    from svcgen.graph import run_graph

    raise typer.Exit(run_graph(files, format.value, out))


class Severity(StrEnum):
    error = "error"
    warning = "warning"


@app.command()
def breaking(
    files: Files,
    against: Annotated[
        str,
        typer.Option(
            "--against", help="The previous version: a git revision (origin/main) or a folder holding the same paths."
        ),
    ],
    severity: Annotated[
        Severity, typer.Option("--severity", help="Fail on errors only, or on warnings too.")
    ] = Severity.error,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow",
            help="Accept one deliberate break, CODE:declaration (B101:shop.Item.note); repeatable. "
            "Also read from allow-breaking in [tool.svcgen].",
        ),
    ] = None,
    format: FormatOpt = Format.text,
) -> None:
    """Report changes that break clients, consumers or queues built against a previous version."""
    from svcgen.breaking import run as run_breaking

    raise typer.Exit(run_breaking(files, against, format is Format.json, severity.value, allow or []))


def _part(name: str, what: str) -> Any:
    return typer.Option(f"--{name}/--no-{name}", help=f"{what} (asked on a terminal; default with --defaults).")


@app.command()
def new(
    name: Annotated[Path, typer.Argument(help="Folder of the new project; its name is the project name.")],
    package: Annotated[
        str | None, typer.Option("--package", help="IDL package (default: the project name, - as _).")
    ] = None,
    http: Annotated[bool | None, _part("http", "HTTP endpoints")] = None,
    topics: Annotated[bool | None, _part("topics", "Topics and consumers")] = None,
    schedules: Annotated[bool | None, _part("schedules", "Schedules")] = None,
    rpc: Annotated[bool | None, _part("rpc", "RPC (gRPC or RabbitMQ)")] = None,
    sockets: Annotated[bool | None, _part("sockets", "WebSockets")] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Ask nothing: the default of every question not given as a flag.")
    ] = False,
) -> None:
    """Create a service project (copier template): IDL, handlers, tests, README, Dockerfile; then build it."""
    from svcgen.scaffold import ScaffoldError, print_next_steps
    from svcgen.scaffold import new as scaffold_new

    given = {"package": package, "http": http, "topics": topics, "schedules": schedules, "rpc": rpc}
    answers = {k: v for k, v in {**given, "sockets": sockets}.items() if v is not None}
    interactive = not defaults and len(answers) < 6
    if interactive and not sys.stdin.isatty():
        typer.echo("svcgen: error: not a terminal: pass --defaults (and a flag per answer) to ask nothing", err=True)
        raise typer.Exit(2)
    try:
        result = scaffold_new(name, answers, interactive=interactive)
    except ScaffoldError as exc:
        typer.echo(f"svcgen: error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        typer.echo("svcgen: interrupted: nothing was created", err=True)
        raise typer.Exit(130) from None
    if result.build_status:
        typer.echo(f"svcgen: the project is created but its first build failed (exit {result.build_status})", err=True)
        raise typer.Exit(result.build_status)
    print_next_steps(result)


@app.command()
def upgrade() -> None:
    """Bring the project in this folder to the template of this svcgen (copier update); edits survive."""
    from svcgen.scaffold import ScaffoldError
    from svcgen.scaffold import upgrade as scaffold_upgrade

    try:
        result = scaffold_upgrade(Path.cwd())
    except ScaffoldError as exc:
        typer.echo(f"svcgen: error: {exc}", err=True)
        raise typer.Exit(1) from None
    if result.old == result.new:
        typer.echo(f"{result.project.name} is up to date (template {result.new})")
        raise typer.Exit(0)
    typer.echo(f"upgraded {result.project.name}: template {result.old} -> {result.new}")
    for path in result.changed:
        mark = "conflict" if any(path.endswith(c) for c in result.conflicts) else "changed"
        typer.echo(f"  {mark:<8}  {path}")
    if result.conflicts:
        typer.echo(
            f"{len(result.conflicts)} file(s) with conflicts: resolve the <<<<<<< markers in "
            + ", ".join(result.conflicts)
            + "; then svcgen build and commit",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo("review with git diff, run svcgen build and the tests, then commit")


# The running commands belong to the runtime (`python -m svcgen_runtime`): these forward their
# arguments untouched, so both spell the same options, help and exit codes. Imported only when run.
_FORWARD = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def _forward(command: str | None, ctx: typer.Context) -> None:
    from svcgen_runtime.__main__ import COMMANDS, ROLES, main

    if command is None:  # svcgen run ROLE TARGET
        raise typer.Exit(main(list(ctx.args), prog="svcgen run", commands=ROLES))
    raise typer.Exit(main([command, *ctx.args], prog="svcgen", commands=COMMANDS))


@app.command("run", context_settings=_FORWARD, add_help_option=False)
def run_service(ctx: typer.Context) -> None:
    """Run services: ROLE (http, worker, scheduler, all) TARGET (module:attribute). --help lists the settings."""
    _forward(None, ctx)


@app.command("declare", context_settings=_FORWARD, add_help_option=False)
def declare(ctx: typer.Context) -> None:
    """Create the RabbitMQ exchanges, queues and bindings of TARGET (idempotent)."""
    _forward("declare", ctx)


@app.command("dlq", context_settings=_FORWARD, add_help_option=False)
def dlq(ctx: typer.Context) -> None:
    """Dead letters of a consumer queue: list, count, requeue or purge QUEUE."""
    _forward("dlq", ctx)


def run() -> None:
    """Entry point: no Python traceback ever reaches the user."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("svcgen: interrupted", file=sys.stderr)
        sys.exit(130)
    except RecursionError:
        print("svcgen: error: the input is nested too deeply to process", file=sys.stderr)
        sys.exit(1)
    except MemoryError:
        print("svcgen: error: out of memory while processing the input", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        print(f"svcgen: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("please report this with the input that caused it", file=sys.stderr)
        sys.exit(3)
