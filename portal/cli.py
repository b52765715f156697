"""Entry point of the ``portal`` console script."""

from portal.core.cli import main

__all__ = ["main"]
