"""What each action of the console is called in its log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION = {
    "territory.create": _l("Admitted a territory"),
    "territory.edit": _l("Changed a territory's name or decree"),
    "territory.stage": _l("Recorded a territory's new stage"),
    "territory.comuna_joins": _l("Added a comuna to a territory"),
    "territory.comuna_leaves": _l("Recorded that a comuna left a territory"),
    "mesa.create": _l("Created a mesa"),
    "organization.merge": _l("Merged a duplicate organization"),
    "gap.create": _l("Added a gap dimension"),
    "gap.edit": _l("Changed a gap dimension"),
    "objectives.import": _l("Imported a territory's strategic objectives"),
    "person.desactivar": _l("Deactivated an account"),
    "person.reactivar": _l("Reactivated an account"),
    "person.clave": _l("Made an account's password stop working"),
    "person.dar-admin": _l("Made an account an administrator"),
    "person.quitar-admin": _l("Removed an account's administration"),
    "person.dos-pasos": _l("Turned off an account's two-step sign-in"),
    "person.coordinate": _l("Named a regional coordinator"),
    "person.stop_coordinating": _l("Ended a regional coordination"),
    "webhook.register": _l("Registered a system that receives events"),
    "webhook.on": _l("Switched on the events of a system"),
    "webhook.off": _l("Switched off the events of a system"),
    "webhook.secret": _l("Gave a system that receives events a new secret"),
    "token.create": _l("Created a write key for the API"),
    "token.revoke": _l("Revoked a write key of the API"),
}
