"""The platform roles; studio rights come from studio membership, not from here."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    """A platform-wide role a user may hold; a user may hold several."""

    WORKER = "worker"
    JUDGE = "judge"
    ORGANISER = "organiser"
    ENTERPRISE_CONTACT = "enterprise_contact"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role's name in the user's language."""
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.WORKER: _l("Worker"),
    Role.JUDGE: _l("Judge"),
    Role.ORGANISER: _l("Organiser"),
    Role.ENTERPRISE_CONTACT: _l("Enterprise contact"),
    Role.ADMIN: _l("Administrator"),
}
