"""Convenios and protocolos: the written agreements between a regional government, companies,
producers' organizations and services that pool money or work for the territory's initiatives
(004:18-27, 149-152). Each names its parties, the role of who signs for each, its term and
renewal date, and what each party contributes, in money or in kind with its valuation; distrust
about who contributes what is what broke those tables (004:1219-1246), so all of it is public."""

from flask import Blueprint

bp = Blueprint("convenios", __name__)
