"""Demo accounts. Invented people; the addresses use the reserved ``.example`` domain."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.accounts.services import NewAccount, create_user, find_by_email
from portal.extensions import db
from portal.places.models import Comuna

DEMO_PASSWORD = "mesa demo 2026"  # noqa: S105 - printed by `portal demo`, demo data only


# (email, name, comuna code, admin?, what the account is for)
DEMO_ACCOUNTS = (
    ("admin@demo.example", "Administración del portal", "04302", True, "admin, two-step sign-in"),
    ("productora@demo.example", "Rosa Aravena Tapia", "04302", False, "a producer, no mesa yet"),
    ("presidencia@demo.example", "Marcela Cortés Ríos", "04303", False, "chair, goat mesa"),
    ("secretaria@demo.example", "Javiera Olivares Pizarro", "04301", False, "secretary, goat mesa"),
    ("integrante@demo.example", "Luis Araya Campusano", "04302", False, "member, goat mesa"),
    ("indap@demo.example", "Patricio Vega Alfaro", "04301", False, "INDAP rep., goat mesa"),
    ("observador@demo.example", "Teresa Rojas Muñoz", "04304", False, "observer, goat mesa"),
)


def load_demo_accounts() -> int:
    """Create the demo accounts that are missing. Returns how many were created."""
    comunas = {c.code: c.id for c in db.session.scalars(sa.select(Comuna))}
    created = 0
    for email, name, comuna_code, is_admin, _role in DEMO_ACCOUNTS:
        if find_by_email(email) is not None:
            continue
        create_user(
            NewAccount(
                name=name,
                email=email,
                password=DEMO_PASSWORD,
                comuna_id=comunas[comuna_code],
                is_admin=is_admin,
                verified=True,
            )
        )
        created += 1
    return created


def demo_account_lines() -> list[str]:
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    return [
        f"  {email:<28} {role}"
        for email, _name, _code, _admin, role in DEMO_ACCOUNTS
        if email in users
    ]
