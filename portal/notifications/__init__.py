"""Telling people what they must know and do: the outbox of messages written in the action's
own transaction, the worker that sends them, reminders, digests, preferences, follows, and
each person's list of pending things (``/pendientes``)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
