"""``portal worker`` sends the outbox; ``portal remind`` queues reminders and digests."""

from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.notifications import reminders
from portal.notifications import worker as outbox_worker


def start_beside(app, interval: float = 2.0) -> threading.Event:  # type: ignore[no-untyped-def]
    """A worker thread in this process (the demo's, with the embedded database); setting the
    returned event stops it."""
    stop = threading.Event()

    def work() -> None:
        with app.app_context():
            outbox_worker.run(stop, interval=interval, worker="beside")

    threading.Thread(target=work, name="outbox-worker", daemon=True).start()
    return stop


@click.command("worker")
@click.option("--once", is_flag=True, help="Send what is due now and stop.")
@click.option(
    "--interval", default=2.0, show_default=True, type=float, help="Seconds between looks."
)
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Send the mail that waits in the outbox (run one or more beside `portal serve`)."""
    if once:
        tally = outbox_worker.run_once()
        click.echo(
            f"{tally.sent} sent, {tally.postponed} waiting again, {tally.given_up} given up."
        )
        return
    stop = threading.Event()
    for sign in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sign, lambda *_: stop.set())
    server = current_app.config["MAIL_SERVER"] or current_app.config["MAIL_DIR"]
    click.echo(f"Sending the outbox to {server} every {interval:g} s (Ctrl+C stops).")
    outbox_worker.run(stop, interval=interval)


@click.command("remind")
@with_appcontext
def remind_command() -> None:
    """Give the day's reminders and digests (for cron; running it twice a day sends nothing
    twice). `portal worker` then sends the mail."""
    with current_app.test_request_context("/"):
        given = reminders.remind()
    if not given:
        click.echo("No reminders due.")
        return
    for kind, count in sorted(given.items()):
        click.echo(f"{kind}: {count}")
