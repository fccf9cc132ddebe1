"""Names of the codes contest rows hold (entry and appeal statuses, staff roles, tie-breaks),
as the pages and the audit log show them."""

from flask_babel import lazy_gettext as _l

from competitions.contests.marking_models import AppealStatus
from competitions.contests.models import EntryStatus, StaffRole
from guild.audit.labels import label_values

ENTRY_STATUS_LABELS = {
    EntryStatus.PENDING: _l("Waiting for approval"),
    EntryStatus.APPROVED: _l("Approved"),
    EntryStatus.REJECTED: _l("Turned down"),
    EntryStatus.WITHDRAWN: _l("Withdrawn"),
}
APPEAL_LABELS = {
    AppealStatus.OPEN: _l("Waiting for a ruling"),
    AppealStatus.UPHELD: _l("Upheld"),
    AppealStatus.DISMISSED: _l("Dismissed"),
}
STAFF_ROLE_LABELS = {
    StaffRole.CHIEF_JUDGE: _l("Chief judge"),
    StaffRole.JUDGE: _l("Judge"),
    StaffRole.ENCRYPTION_OFFICER: _l("Encryption officer"),
}
TIE_BREAK_LABELS = {
    "practical": _l("Practical score"),
    "theory": _l("Theory score"),
    "time": _l("Time taken on the theory paper"),
}

label_values("Entry", {"status": ENTRY_STATUS_LABELS})
label_values("Appeal", {"status": APPEAL_LABELS})
label_values("Contest", {"role": STAFF_ROLE_LABELS, "tie_break": TIE_BREAK_LABELS})
