"""Names of the codes studio rows hold (levels, kinds, statuses), as the pages and the
audit log show them."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from guild.audit.labels import label_values
from studios.activity_models import SignupStatus
from studios.models import AllianceKind, Decision, MemberStatus, StudioLevel

LEVEL_LABELS = {
    StudioLevel.NATIONAL: _l("National level"),
    StudioLevel.PROVINCIAL: _l("Provincial level"),
    StudioLevel.CITY: _l("City level"),
    StudioLevel.ENTERPRISE: _l("Enterprise level"),
}
KIND_LABELS = {
    AllianceKind.PROVINCIAL: _l("Provincial alliance"),
    AllianceKind.CITY: _l("City alliance"),
    AllianceKind.INDUSTRY: _l("Industry alliance"),
}
DECISION_LABELS = {
    Decision.PENDING: _l("Waiting for approval"),
    Decision.APPROVED: _l("Approved"),
    Decision.REJECTED: _l("Rejected"),
    Decision.WITHDRAWN: _l("Withdrawn"),
}
MEMBER_STATUS_LABELS = {
    MemberStatus.INVITED: _l("Invited"),
    MemberStatus.ACTIVE: _l("Active"),
    MemberStatus.DECLINED: lazy_pgettext("studio member", "Declined"),
    MemberStatus.LEFT: lazy_pgettext("studio member", "Left"),
}
SIGNUP_LABELS = {
    SignupStatus.CONFIRMED: _l("Confirmed"),
    SignupStatus.WAITING: _l("Waiting"),
    SignupStatus.CANCELLED: _l("Cancelled"),
}

label_values("Studio", {"level": LEVEL_LABELS, "status": DECISION_LABELS})
label_values("Alliance", {"kind": KIND_LABELS})
label_values("AllianceMembership", {"status": DECISION_LABELS})
label_values("StudioMember", {"status": MEMBER_STATUS_LABELS})
label_values("EventSignup", {"status": SIGNUP_LABELS})
