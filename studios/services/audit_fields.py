"""Names of the fields studio services record in audit rows (see guild.audit.labels)."""

from flask_babel import lazy_pgettext

from guild.audit.labels import label_fields

label_fields(
    {
        "achieved_on": lazy_pgettext("audited field", "Achieved on"),
        "achievement_id": lazy_pgettext("audited field", "Achievement ID"),
        "photo_id": lazy_pgettext("audited field", "Photo ID"),
        "type": lazy_pgettext("audited field", "File type"),
        "report_id": lazy_pgettext("audited field", "Report ID"),
        "version_count": lazy_pgettext("audited field", "Versions"),
        "top": lazy_pgettext("audited field", "Top studios named per alliance"),
        "picks": lazy_pgettext("audited field", "Studios picked"),
        "named": lazy_pgettext("audited field", "Demonstration studios named"),
        "weights": lazy_pgettext("audited field", "Indicator weights"),
        "alliance_id": lazy_pgettext("audited field", "Alliance ID"),
        "application_number": lazy_pgettext("audited field", "Application number"),
        "benefit_fen": lazy_pgettext("audited field", "Benefit"),
        "capacity": lazy_pgettext("audited field", "Capacity"),
        "category": lazy_pgettext("audited field", "Category"),
        "challenge_id": lazy_pgettext("audited field", "Challenge ID"),
        "claim": lazy_pgettext("audited field", "Claim status"),
        "claim_id": lazy_pgettext("audited field", "Claim ID"),
        "deadline": lazy_pgettext("audited field", "Deadline"),
        "starts_at": lazy_pgettext("audited field", "Starts at"),
        "ends_at": lazy_pgettext("audited field", "Ends at"),
        "event_id": lazy_pgettext("audited field", "Event ID"),
        "experts": lazy_pgettext("audited field", "Experts"),
        "filed_on": lazy_pgettext("audited field", "Filed on"),
        "founded_on": lazy_pgettext("audited field", "Founded on"),
        "granted_on": lazy_pgettext("audited field", "Granted on"),
        "industry": lazy_pgettext("audited field", "Industry"),
        "inventors": lazy_pgettext("audited field", "Inventors"),
        "leader_honours": lazy_pgettext("audited field", "Leader's honours"),
        "leader_id": lazy_pgettext("audited field", "Leader ID"),
        "parent_id": lazy_pgettext("audited field", "Parent alliance ID"),
        "passed": lazy_pgettext("audited field", "Passed"),
        "patent_type": lazy_pgettext("audited field", "Patent type"),
        "place": lazy_pgettext("audited field", "Place"),
        "plan": lazy_pgettext("audited field", "Plan"),
        "rating": lazy_pgettext("audited field", "Rating"),
        "reward_fen": lazy_pgettext("audited field", "Reward"),
        "schedule": lazy_pgettext("audited field", "Schedule"),
        "studio_id": lazy_pgettext("audited field", "Studio ID"),
        "team": lazy_pgettext("audited field", "Team"),
        "winners_wanted": lazy_pgettext("audited field", "Winners wanted"),
    }
)
