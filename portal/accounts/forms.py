"""Account forms. Labels and messages are lazy so they follow the request's language."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, ValidationError

from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_strong
from portal.core.forms import Choice, ChoiceOf, PlaceholderSelect, PortalForm, optional_int, strip

NAME_MAX = 120


def check_email(form: FlaskForm, field: StringField) -> None:
    if len(field.data or "") > 254:
        raise ValidationError(_l("An email address can be at most 254 characters long."))
    try:
        result = validate_email(field.data or "", check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(_l("Enter an email address in the form name@example.cl.")) from exc
    field.data = result.normalized.lower()


def check_phone(form: FlaskForm, field: StringField) -> None:
    if not field.data:
        field.data = None
        return
    try:
        number = phonenumbers.parse(field.data, "CL")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_l("Enter a Chilean phone number, such as 9 1234 5678.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_l("Enter a Chilean phone number, such as 9 1234 5678."))
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_strength(form: FlaskForm, field: PasswordField) -> None:
    if len(field.data or "") < MIN_LENGTH:
        raise ValidationError(_l("Use at least %(n)s characters.", n=MIN_LENGTH))
    inputs = list(getattr(form, "known_inputs", []))
    inputs += [form[name].data or "" for name in ("name", "email") if name in form]
    if not is_strong(field.data, inputs):
        raise ValidationError(
            _l(
                "This password is easy to guess. Use three or four words that mean something "
                "to you, with spaces or numbers between them."
            )
        )


def name_field() -> StringField:
    return StringField(
        _l("Full name"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter your name.")),
            Length(
                max=NAME_MAX, message=_l("A name can be at most %(n)s characters long.", n=NAME_MAX)
            ),
        ],
    )


def comuna_field() -> SelectField:
    return SelectField(
        _l("Comuna where you live or work"),
        coerce=optional_int,
        validate_choice=False,
        validators=[ChoiceOf(_l("Choose your comuna."))],
        widget=PlaceholderSelect(_l("Choose a comuna")),
    )


def phone_field() -> StringField:
    return StringField(_l("Phone (optional)"), filters=[strip], validators=[check_phone])


def locale_field() -> Choice:
    return Choice(
        _l("Language of the portal and of the mail it sends you"),
        choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")],
        default="es",
        message=_l("Choose a language."),
    )


def new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(message=_l("Enter a password.")),
            Length(
                max=MAX_LENGTH,
                message=_l("A password can be at most %(n)s characters long.", n=MAX_LENGTH),
            ),
            check_strength,
        ],
    )


def confirm_field() -> PasswordField:
    return PasswordField(
        _l("Type the password again"),
        validators=[
            InputRequired(message=_l("Type the password again.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class RegisterForm(PortalForm):
    name = name_field()
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter your email address.")), check_email],
    )
    password = new_password_field(_l("Password"))
    confirm = confirm_field()
    comuna = comuna_field()
    phone = phone_field()
    locale = locale_field()


class LoginForm(PortalForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("An email address can be at most 254 characters long.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(
                max=MAX_LENGTH,
                message=_l("A password can be at most %(n)s characters long.", n=MAX_LENGTH),
            ),
        ],
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(PortalForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(message=_l("Enter your email address.")), check_email],
    )


class ResetPasswordForm(PortalForm):
    password = new_password_field(_l("New password"))
    confirm = confirm_field()


class ChangePasswordForm(PortalForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Enter your current password."))],
    )
    password = new_password_field(_l("New password"))
    confirm = confirm_field()


class ProfileForm(PortalForm):
    name = name_field()
    comuna = comuna_field()
    phone = phone_field()
    locale = locale_field()


def code_field(label: str) -> StringField:
    return StringField(
        label,
        filters=[strip],
        validators=[
            DataRequired(message=_l("Enter the code.")),
            Length(max=20, message=_l("A code has 6 digits, or 10 letters and digits.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class SecondStepForm(PortalForm):
    code = code_field(_l("Code from your app, or a recovery code"))


class TwoFactorSetupForm(PortalForm):
    code = code_field(_l("The 6-digit code your app shows now"))


class TwoFactorOffForm(PortalForm):
    current = PasswordField(
        _l("Your password"),
        validators=[InputRequired(message=_l("Enter your current password."))],
    )
