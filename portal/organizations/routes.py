"""Organization pages."""

from __future__ import annotations

from portal.organizations import bp  # noqa: F401
