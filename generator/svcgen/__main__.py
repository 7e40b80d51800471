from svcgen.cli import run

run()
