"""What convenios are called in the interface."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.convenios.models import ConvenioKind

KIND = {
    ConvenioKind.CONVENIO: _l("Convenio (binding, with contributions)"),
    ConvenioKind.PROTOCOLO: _l("Protocolo (of intentions)"),
}
NAME = {
    ConvenioKind.CONVENIO: _l("Convenio"),
    ConvenioKind.PROTOCOLO: _l("Protocolo"),
}
