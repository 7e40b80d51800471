"""svcgen: a service generator. The version lives here and in the build manifest only."""

__version__ = "0.1.0"
