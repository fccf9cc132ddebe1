"""Signing up, in and out, the profile and the password: blueprint `auth`."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from guild.access import public, signed_in
from guild.accounts.forms import LoginForm, PasswordForm, ProfileFields, RegisterForm
from guild.accounts.services import users
from guild.accounts.services.enterprises import enterprise_choices
from guild.accounts.services.sessions import close_session
from guild.accounts.session import sign_in_as
from guild.errors import DomainError
from guild.extensions import db, limiter
from guild.forms import select_choices
from guild.web import city_choices, current_account, safe_next, show_domain_error

bp = Blueprint("auth", __name__, url_prefix="/account")


def _fill_choices(form: ProfileFields) -> None:
    form.city.choices = select_choices(city_choices(), _("Choose your city"))
    form.enterprise.choices = select_choices(enterprise_choices(), _("No enterprise / not listed"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_IP"], methods=["POST"])
def register():
    """Open a worker account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    _fill_choices(form)
    if form.validate_on_submit():
        data = users.Registration(
            real_name=form.real_name.data,
            phone=form.phone.data,
            password=form.password.data,
            city=form.city.data,
            enterprise_id=form.enterprise.data,
        )
        try:
            user = users.register_user(data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            login_user(sign_in_as(user, remember=False))
            session.pop("_id", None)
            db.session.commit()
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.real_name), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


def _login_phone() -> str:
    """Rate-limit key: the account being tried, whatever address it comes from."""
    return "login-account:" + (request.form.get("phone") or "").strip()[:20]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_phone, methods=["POST"]
)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"])
def login():
    """Sign in with phone and password."""
    target = safe_next(request.args.get("next"), url_for("main.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.phone.data, form.password.data)
        if user is None:
            form.password.errors = [_("Wrong phone number or password, or the account is off.")]
        else:
            login_user(sign_in_as(user, form.remember.data), remember=form.remember.data)
            session.pop("_id", None)  # Flask-Login's client fingerprint: unused, cookie bloat
            db.session.commit()
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out of this device: its server-side session ends too."""
    if current_user.is_authenticated:
        close_session(current_user.session_token)
        db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile():
    """See and edit one's own details."""
    account = current_account()
    form = ProfileFields(obj=account, enterprise=account.enterprise_id)
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            users.update_profile(account, form.real_name.data, form.city.data, form.enterprise.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, account=account)


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def password():
    """Change one's own password; other devices are signed out."""
    form = PasswordForm()
    if form.validate_on_submit():
        account = current_account()
        try:
            users.change_password(
                account,
                form.current_password.data,
                form.new_password.data,
                keep_session=current_user.session_token,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form)
