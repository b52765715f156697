"""The form of a convenio: what it is, its term, its document, its parties (a row each) and the
initiatives it finances."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from portal.convenios import labels
from portal.core.forms import (
    Choice,
    DayField,
    MoneyField,
    PortalForm,
    at_most,
    checkboxes,
    chosen_id,
    enum_choices,
    only_listed,
    optional_int,
    strip,
)

PARTY_ROWS = 4


class PartyRow(Form):
    organization = SelectField(_l("Party"), coerce=optional_int, validate_choice=False)
    signatory_role = StringField(
        _l("Who signs for it (their role)"), filters=[strip], validators=[at_most(160)]
    )
    amount = MoneyField(_l("Contribution in pesos (or its valuation)"))
    in_kind = BooleanField(_l("In kind"))
    contribution = StringField(
        _l("What it contributes, in words"), filters=[strip], validators=[at_most(300)]
    )


class ConvenioForm(PortalForm):
    kind = Choice(
        _l("Kind"), choices=enum_choices(labels.KIND), default="convenio", message=_l("Choose.")
    )
    title = StringField(
        _l("Name"),
        filters=[strip],
        validators=[DataRequired(_l("Give the convenio its name.")), at_most(200)],
    )
    purpose = TextAreaField(
        _l("What it is for (optional)"), filters=[strip], validators=[at_most(2000)]
    )
    signed_on = DayField(
        _l("Signed on"), validators=[InputRequired(_l("Enter the date it was signed."))]
    )
    starts_on = DayField(
        _l("In force from"), validators=[InputRequired(_l("Enter the date it starts."))]
    )
    ends_on = DayField(_l("Until (optional)"), validators=[Optional()])
    renewal_on = DayField(_l("Renewal date (optional)"), validators=[Optional()])
    document = StringField(
        _l("Document (its resolution, or a web address)"),
        filters=[strip],
        validators=[DataRequired(_l("Name the document of the convenio.")), at_most(300)],
    )
    parties = FieldList(FormField(PartyRow), min_entries=PARTY_ROWS, max_entries=PARTY_ROWS)
    initiatives = checkboxes(_l("Initiatives it finances (optional)"))
    agreement = chosen_id(
        _l("Agreement of a mesa that backs it (optional)"),
        _l("Choose an agreement from the list."),
    )

    def validate_initiatives(self, field) -> None:  # type: ignore[no-untyped-def]
        only_listed(_l("Choose initiatives from the list."))(self, field)
