"""Forms for signing up, signing in, the profile and account administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import Optional, Regexp

from guild.accounts.roles import Role
from guild.accounts.rules import name_problem, phone_problem
from guild.forms import checked_by, length, no_markup, optional_int, required, select_choices


def phone_field():
    return StringField(
        _l("Mobile phone"),
        [required(), checked_by(phone_problem)],
        render_kw={"inputmode": "numeric", "autocomplete": "tel", "maxlength": 11},
    )


class ProfileFields(FlaskForm):
    """The fields a person keeps up to date about themselves."""

    real_name = StringField(
        _l("Real name"), [required(), checked_by(name_problem)], render_kw={"autocomplete": "name"}
    )
    city = SelectField(_l("City"), [required()], choices=[])
    enterprise = SelectField(
        _l("Enterprise"), [Optional()], coerce=optional_int, choices=[], validate_choice=True
    )


class RegisterForm(ProfileFields):
    """Open an account."""

    phone = phone_field()
    password = PasswordField(
        _l("Password"), [required()], render_kw={"autocomplete": "new-password"}
    )
    confirm = PasswordField(
        _l("Repeat password"), [required()], render_kw={"autocomplete": "new-password"}
    )

    def validate_confirm(self, field) -> None:
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords differ."))


class LoginForm(FlaskForm):
    """Sign in with phone and password."""

    phone = phone_field()
    password = PasswordField(
        _l("Password"), [required()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current_password = PasswordField(
        _l("Current password"), [required()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("New password"), [required()], render_kw={"autocomplete": "new-password"}
    )


class EnterpriseForm(FlaskForm):
    """Create an enterprise."""

    name = StringField(_l("Name"), [required(), length(100, 2), no_markup])
    city = SelectField(_l("City"), [required()], choices=[])
    credit_code = StringField(
        _l("Unified social credit code"),
        [
            Optional(),
            Regexp(
                r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}\Z",
                message=_l("Enter the 18-character unified social credit code."),
            ),
        ],
    )


class RoleForm(FlaskForm):
    """Grant or revoke one role."""

    role = SelectField(
        _l("Role"), [required()], choices=select_choices((r.value, r.value) for r in Role)
    )


class ConfirmForm(FlaskForm):
    """An empty form whose only job is to carry the CSRF token of a button."""
