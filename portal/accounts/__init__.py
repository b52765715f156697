"""Accounts: register, log in and out, reset a forgotten password, edit the profile."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
