"""Account pages. Thin: load, check, call a service, render."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from portal.accounts import bp, services, two_factor
from portal.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    SecondStepForm,
    TwoFactorOffForm,
    TwoFactorSetupForm,
)
from portal.accounts.forms import (
    ResetPasswordForm as ResetForm,
)
from portal.accounts.models import User
from portal.accounts.passwords import hash_password, verify_password
from portal.core import clock
from portal.core.actions import carried_out
from portal.core.clients import client_address
from portal.core.forms import EmptyForm, safe_next
from portal.core.i18n import current_language, remember_language
from portal.core.links import external_url
from portal.core.refusals import INVALID
from portal.extensions import db, limiter
from portal.notifications import notices as notice_service
from portal.places.queries import comuna_choices


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == INVALID


def _account_key() -> str:
    """The account a form names, from this address: a script that locks an account out from
    its address never locks its owner out from another one (the address alone when the form
    names no account)."""
    email = services.normalize_email(request.form.get("email", ""))[:254]
    return f"account:{email}:{client_address()}" if email else client_address()


# A community hall signs up and signs in its whole meeting behind one mobile connection: the
# limits per address let a room of people through, and still stop a script, which needs
# thousands of tries; each account has its own, lower limit on wrong passwords.
SIGN_UPS_PER_ADDRESS = "10 per minute;300 per hour"
FAILED_SIGN_INS_PER_ACCOUNT = "5 per minute;20 per hour"
FAILED_SIGN_INS_PER_ADDRESS = "30 per minute;300 per hour"
RESETS_PER_ACCOUNT = "5 per hour"
RESETS_PER_ADDRESS = "100 per hour"


def _after_login(user, remember: bool = False):  # type: ignore[no-untyped-def]
    with carried_out():
        login_user(user, remember=remember)
    response = redirect(safe_next(request.args.get("next"), url_for("public.home")))
    remember_language(response, user.locale)
    return response


@bp.route("/registro", methods=["GET", "POST"])
@limiter.limit(SIGN_UPS_PER_ADDRESS, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = RegisterForm()
    form.comuna.choices = comuna_choices()
    if request.method == "GET":
        form.locale.data = current_language()  # what the person is reading the form in
    if form.validate_on_submit():
        existing = services.find_by_email(form.email.data)
        if existing is None:
            data = services.NewAccount(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                comuna_id=form.comuna.data,
                phone=form.phone.data,
                locale=form.locale.data,
            )
            # The same form sent twice at once: the second finds the address taken.
            with carried_out(
                page=("accounts/register.html", {"form": form}), conflict=str(SENT_TWICE)
            ):
                user = services.create_user(data)
                _send_confirmation(user)
        else:
            # The same answer, and about the same time, as for a new address: whoever types
            # an address learns nothing of it; its owner is told by mail.
            hash_password(form.password.data)
            with carried_out():
                if existing.is_verified:
                    services.send_address_in_use_mail(
                        existing,
                        external_url("accounts.login"),
                        external_url("accounts.forgot_password"),
                    )
                elif existing.active:
                    _send_confirmation(existing)
        return render_template("accounts/confirm_sent.html", email=form.email.data)
    status = INVALID if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


SENT_TWICE = _l("The form was sent twice at once. Check your email: we wrote to you there.")


def _send_confirmation(user) -> None:  # type: ignore[no-untyped-def]
    link = external_url("accounts.confirm", token=services.verification_token(user))
    services.send_confirmation_mail(user, link)


@bp.route("/confirmar/<token>")
def confirm(token: str):
    """The link mailed to a new account: it confirms the address; the person then signs in."""
    with carried_out():
        user = services.confirm_address(token)
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if user is None:
        return (
            render_template("accounts/confirm_invalid.html", days=services.VERIFY_DAYS),
            410,
            headers,
        )
    flash(_("Your address is confirmed. You can log in now."), "success")
    return redirect(url_for("accounts.login")), 303, headers


@bp.route("/ingresar", methods=["GET", "POST"])
@limiter.limit(
    FAILED_SIGN_INS_PER_ACCOUNT, key_func=_account_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit(FAILED_SIGN_INS_PER_ADDRESS, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("public.home")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and not user.is_verified:
            with carried_out():
                _send_confirmation(user)
            form.form_errors.append(
                _(
                    "Confirm your address before you log in: we have sent a link to %(email)s"
                    " again. If it does not arrive, look in the spam folder.",
                    email=user.email,
                )
            )
        elif user is not None and user.has_two_factor:
            # Nothing is stored until the second step: signing in is one action.
            session[PENDING] = {
                "id": user.login_id,
                "remember": bool(form.remember.data),
                "at": int(clock.now().timestamp()),
            }
            return redirect(url_for("accounts.second_step", next=request.args.get("next")))
        elif user is not None:
            return _after_login(user, remember=form.remember.data)
        else:
            form.form_errors.append(_("The email or the password is not correct."))
    status = INVALID if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


# The account that gave the right password and still owes its second factor, for a few minutes.
PENDING = "two_factor_pending"
PENDING_MINUTES = 5
FAILED_CODES = "5 per minute;20 per hour"


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    if clock.now().timestamp() - pending["at"] > PENDING_MINUTES * 60:
        return None
    return db.session.scalar(
        sa.select(User).where(User.login_id == str(pending.get("id")), User.active)
    )


def _pending_key() -> str:
    pending = session.get(PENDING)
    who = pending.get("id") if isinstance(pending, dict) else None
    return f"second-step:{who}:{client_address()}"


@bp.route("/ingresar/codigo", methods=["GET", "POST"])
@limiter.limit(FAILED_CODES, key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def second_step():
    """The second step of signing in, for an account with two factors: the app's code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Log in again: the first step is valid for %(n)s minutes.", n=PENDING_MINUTES))
        return redirect(url_for("accounts.login", next=request.args.get("next")))
    form = SecondStepForm()
    if form.validate_on_submit():
        if two_factor.check(user, form.code.data):
            remember = bool(session.pop(PENDING)["remember"])
            return _after_login(user, remember=remember)
        form.code.errors.append(
            _(
                "That code is not right, or was already used. Type the code your app shows now,"
                " or one of your recovery codes."
            )
        )
    status = INVALID if form.is_submitted() else 200
    headers = {"Cache-Control": "no-store"}
    return render_template("accounts/second_step.html", form=form), status, headers


@bp.route("/salir", methods=["POST"])
def logout():
    if EmptyForm().validate_on_submit():
        if current_user.is_authenticated:
            with carried_out():
                # A copy of the cookie, or this account remembered on another device, no
                # longer opens anything.
                services.end_sessions(current_user._get_current_object())  # type: ignore[attr-defined]
        logout_user()
        flash(_("You have logged out, on this device and on every other one."), "info")
    return redirect(url_for("public.home"))


@bp.route("/clave/olvido", methods=["GET", "POST"])
@limiter.limit(RESETS_PER_ACCOUNT, key_func=_account_key, methods=["POST"])
@limiter.limit(RESETS_PER_ADDRESS, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and user.active:
            with carried_out():
                token = services.issue_reset_token(user)
                link = external_url("accounts.reset_password", token=token)
                services.send_reset_mail(user, link)
        # The same answer whether or not an account exists.
        return render_template(
            "accounts/forgot_sent.html",
            email=form.email.data,
            minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        )
    status = INVALID if form.is_submitted() else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/clave/nueva/<token>", methods=["GET", "POST"])
@limiter.limit(RESETS_PER_ADDRESS, methods=["POST"])
def reset_password(token: str):
    record = services.valid_reset_token(token)
    if record is None:
        return render_template("accounts/reset_invalid.html"), 410
    form = ResetForm()
    if form.validate_on_submit():
        with carried_out():
            user = services.reset_password(record, form.password.data)
        flash(_("Your password was changed. You are logged in."), "success")
        return _after_login(user)
    status = INVALID if form.is_submitted() else 200
    response = render_template("accounts/reset.html", form=form)
    return response, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/perfil", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    form.comuna.choices = comuna_choices()
    if request.method == "GET":
        form.comuna.data = current_user.comuna_id
    if form.validate_on_submit():
        current_user.name = form.name.data
        current_user.comuna_id = form.comuna.data
        current_user.phone = form.phone.data
        with carried_out():
            current_user.locale = form.locale.data
        flash(_("Your changes were saved."), "success")
        response = redirect(url_for("accounts.profile"))
        remember_language(response, current_user.locale)
        return response
    status = INVALID if form.is_submitted() else 200
    return render_template("accounts/profile.html", form=form), status


@bp.route("/clave", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], deduct_when=_failed)
def change_password():
    form = ChangePasswordForm()
    # The strength check also looks at the person's name and email.
    form.known_inputs = [current_user.name, current_user.email]
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            user = current_user._get_current_object()  # type: ignore[attr-defined]
            with carried_out():
                services.set_password(user, form.password.data)
            login_user(user)  # this session follows the new login id; the others end
            flash(_("Your password was changed."), "success")
            return redirect(url_for("accounts.profile"))
    status = INVALID if form.is_submitted() else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/avisos")
@login_required
def notices():
    """Shows the latest notices, the new ones marked as such, and counts them as read."""
    listed = notice_service.latest(current_user)
    notice_service.mark_all_read(current_user)  # the listed ones keep showing as new
    with carried_out():
        page = render_template("accounts/notices.html", notices=listed)
    return page


# Two-factor sign-in -------------------------------------------------------------------------

SETUP = "two_factor_setup"


def _codes_page(codes: list[str]):  # type: ignore[no-untyped-def]
    """The recovery codes, shown once and never kept by a cache."""
    page = render_template("accounts/recovery_codes.html", codes=codes)
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/dos-pasos", methods=["GET", "POST"])
@login_required
@limiter.limit(FAILED_CODES, methods=["POST"], deduct_when=_failed)
def two_factor_page():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if user.has_two_factor:
        return render_template(
            "accounts/two_factor.html",
            left=two_factor.recovery_codes_left(user),
            required=two_factor.required(user),
            off_form=TwoFactorOffForm(prefix="off"),
            codes_form=TwoFactorOffForm(prefix="codes"),
        )
    secret = session.get(SETUP)
    if not isinstance(secret, str):
        secret = session[SETUP] = two_factor.new_secret()
    form = TwoFactorSetupForm()
    if form.validate_on_submit():
        with carried_out():
            codes = two_factor.enable(user, secret, form.code.data)
        if codes is not None:
            session.pop(SETUP, None)
            flash(_("Two-step sign-in is on. Keep your recovery codes."), "success")
            return _codes_page(codes)
        form.code.errors.append(
            _("That code is not right. Check that the app shows the portal, and type it again.")
        )
    status = INVALID if form.is_submitted() else 200
    context = {
        "form": form,
        "qr": Markup(two_factor.qr_svg(user, secret)),  # noqa: S704 - drawn here by segno
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": two_factor.required(user),
    }
    page = render_template("accounts/two_factor_setup.html", **context)
    return page, status, {"Cache-Control": "no-store"}


def _password_checked(form) -> bool:  # type: ignore[no-untyped-def]
    if not form.validate_on_submit():
        return False
    if verify_password(current_user.password_hash, form.current.data):
        return True
    form.current.errors.append(_("That is not your current password."))
    return False


@bp.route("/dos-pasos/codigos", methods=["POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], deduct_when=_failed)
def new_recovery_codes():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    form = TwoFactorOffForm(prefix="codes")
    if user.has_two_factor and _password_checked(form):
        with carried_out():
            codes = two_factor.new_recovery_codes(user)
        flash(_("New recovery codes: the ones before no longer work."), "success")
        return _codes_page(codes)
    return _two_factor_refused(user, codes_form=form)


@bp.route("/dos-pasos/desactivar", methods=["POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], deduct_when=_failed)
def two_factor_off():
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if two_factor.required(user):
        abort(403)
    form = TwoFactorOffForm(prefix="off")
    if user.has_two_factor and _password_checked(form):
        with carried_out():
            two_factor.disable(user)
        flash(_("Two-step sign-in is off."), "info")
        return redirect(url_for("accounts.profile"))
    return _two_factor_refused(user, off_form=form)


def _two_factor_refused(user, **forms):  # type: ignore[no-untyped-def]
    if not user.has_two_factor:
        return redirect(url_for("accounts.two_factor_page"))
    context = {
        "left": two_factor.recovery_codes_left(user),
        "required": two_factor.required(user),
        "off_form": TwoFactorOffForm(prefix="off"),
        "codes_form": TwoFactorOffForm(prefix="codes"),
        **forms,
    }
    return render_template("accounts/two_factor.html", **context), INVALID
