"""Full-text search over a territory's initiatives, agreements and commitments.

``text`` turns words into folded Spanish stems, ``models`` holds the index table and what each
engine builds over it (FTS5 on SQLite, a GIN index on PostgreSQL), ``index`` keeps it in step
from a flush hook (installed when ``routes`` is imported), ``queries`` searches with the
visibility rules, ``routes`` serves the page."""

from flask import Blueprint

bp = Blueprint("search", __name__)
