"""Push to other modules: subscribers (the plan module, the lag index module, anyone the admin
registers) receive the portal's public events as signed HTTP POSTs (Standard Webhooks). An
event is written to the outbox in the same transaction as the change, one row per subscriber,
and ``portal worker`` delivers it, retrying with growing pauses; each attempt is logged for
the admin."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)
