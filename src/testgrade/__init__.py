"""testgrade: a static compliance linter for Python test trees."""

__version__ = "0.1.0"
