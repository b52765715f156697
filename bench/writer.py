"""Writes beside the load benchmark: progress updates at a steady rate, until stopped.

Each one is what the progress form stores (``commitments.services.report``, one transaction,
change log, search index and the data's version included), on an open public commitment
picked at random, by the institution's account of the benchmark data. It runs in a process of
its own on the server's database, not through HTTP: the form allows one person 60 updates an
hour, and what is measured is how the public pages bear the writes, not the form.

    PORTAL_DATABASE_URL=... .venv/bin/python bench/writer.py --rate 1

On SIGTERM it prints how many it wrote and in how many seconds.
"""

from __future__ import annotations

import argparse
import random
import signal
import time

import sqlalchemy as sa

from portal import create_app
from portal.accounts.models import User
from portal.benchdata import ACCOUNT_EMAILS
from portal.commitments import services
from portal.commitments.models import OPEN_STATUSES, Commitment
from portal.core import clock
from portal.extensions import db

# The institution's account of the benchmark data (presidency, secretary, institution).
AUTHOR = ACCOUNT_EMAILS[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, required=True, help="updates per second")
    args = parser.parse_args()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    app = create_app()
    with app.app_context():
        ids = db.session.scalars(
            sa.select(Commitment.id)
            .where(Commitment.status.in_(OPEN_STATUSES), Commitment.is_public)
            .order_by(Commitment.id)
            .limit(5000)
        ).all()
        author = db.session.scalar(sa.select(User).where(User.email == AUTHOR))
        if not ids or author is None:
            raise SystemExit("no open commitment or no author: build with portal bench-data")
        rng = random.Random(2026)  # noqa: S311 - which commitment, not a secret
        started = due = time.monotonic()
        written = 0
        print("writing", flush=True)
        while not stopping:
            commitment = db.session.get(Commitment, rng.choice(ids))
            assert commitment is not None
            services.report(
                commitment,
                services.UpdateData(
                    reported_on=clock.today(), text=f"Avance de la prueba de carga {written}."
                ),
                author,
            )
            db.session.commit()
            written += 1
            due += 1 / args.rate
            time.sleep(max(0.0, due - time.monotonic()))
        print(f"{written} {time.monotonic() - started:.2f}", flush=True)


if __name__ == "__main__":
    main()
