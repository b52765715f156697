"""Entry point of the ``portal`` console script."""

from portal.commands import main

__all__ = ["main"]
