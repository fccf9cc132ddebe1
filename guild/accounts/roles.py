"""The platform roles; studio rights come from studio membership, not from here."""

from enum import StrEnum

from guild.i18n import mark, translate


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
        return translate(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.WORKER: mark("Worker"),
    Role.JUDGE: mark("Judge"),
    Role.ORGANISER: mark("Organiser"),
    Role.ENTERPRISE_CONTACT: mark("Enterprise contact"),
    Role.ADMIN: mark("Administrator"),
}
