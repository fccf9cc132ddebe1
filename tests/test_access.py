"""Role by route: every registered route, walked as a visitor and as each role."""

import pytest

from guild.access import AccessRule, rule_for
from guild.accounts.roles import Role
from tests.conftest import login, union_today

PUBLIC = AccessRule(login=False)
SIGNED_IN = AccessRule(login=True)
# Signed in, checked by the view's own read of the claimed session (the answer API)
SIGNED_IN_BY_READ = AccessRule(login=True, checked_by_read=True)


def roles(*names: Role) -> AccessRule:
    return AccessRule(login=True, roles=frozenset(names))


# Every route's rule, written out so that adding or loosening one is a visible decision.
EXPECTED_RULES = {
    "main.index": PUBLIC,
    "main.ping": PUBLIC,
    "main.language": PUBLIC,
    "auth.register": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.profile": SIGNED_IN,
    "auth.password": SIGNED_IN,
    "admin.users": roles(Role.ADMIN),
    "admin.user": roles(Role.ADMIN),
    "admin.change_role": roles(Role.ADMIN),
    "admin.set_active": roles(Role.ADMIN),
    "audit.index": roles(Role.ADMIN),
    "enterprises.index": SIGNED_IN,
    "enterprises.create": roles(Role.ADMIN),
    "trades.index": PUBLIC,
    "trades.create": roles(Role.ORGANISER, Role.ADMIN),
    "trades.edit": roles(Role.ORGANISER, Role.ADMIN),
    "trades.upload": roles(Role.ORGANISER, Role.ADMIN),
    "competitions.index": PUBLIC,
    "banks.index": roles(Role.ORGANISER, Role.ADMIN),
    "banks.image": SIGNED_IN,
    "banks.trade_bank": roles(Role.ORGANISER, Role.ADMIN),
    "banks.create": roles(Role.ORGANISER, Role.ADMIN),
    "banks.edit": roles(Role.ORGANISER, Role.ADMIN),
    "banks.preview": roles(Role.ORGANISER, Role.ADMIN),
    "banks.change_status": roles(Role.ORGANISER, Role.ADMIN),
    "banks.item_statistics": roles(Role.ORGANISER, Role.ADMIN),
    "banks.template": roles(Role.ORGANISER, Role.ADMIN),
    "banks.export": roles(Role.ORGANISER, Role.ADMIN),
    "banks.upload": roles(Role.ORGANISER, Role.ADMIN),
    "banks.confirm_import": roles(Role.ORGANISER, Role.ADMIN),
    "training.index": SIGNED_IN,
    "training.choose_trades": SIGNED_IN,
    "training.start": SIGNED_IN,
    "training.mistake_book": SIGNED_IN,
    "attempts.show": SIGNED_IN,
    "attempts.question": SIGNED_IN,
    "attempts.submit": SIGNED_IN,
    "attempts.result": SIGNED_IN,
    "training_api.answer": SIGNED_IN_BY_READ,
    "blueprints.index": roles(Role.ORGANISER, Role.ADMIN),
    "blueprints.create": roles(Role.ORGANISER, Role.ADMIN),
    "blueprints.edit": roles(Role.ORGANISER, Role.ADMIN),
    "campaigns.index": SIGNED_IN,
    "campaigns.create": roles(Role.ORGANISER, Role.ADMIN),
    "campaigns.edit": roles(Role.ORGANISER, Role.ADMIN),
    "campaigns.detail": SIGNED_IN,
    "campaigns.statistics": roles(Role.ORGANISER, Role.ADMIN),
    "campaigns.export_statistics": roles(Role.ORGANISER, Role.ADMIN),
    "contests.index": SIGNED_IN,
    "contests.create": roles(Role.ORGANISER, Role.ADMIN),
    "contests.edit": roles(Role.ORGANISER, Role.ADMIN),
    "contests.detail": SIGNED_IN,
    "contests.open_entries": roles(Role.ORGANISER, Role.ADMIN),
    "contests.staff": roles(Role.ORGANISER, Role.ADMIN),
    "contests.appoint": roles(Role.ORGANISER, Role.ADMIN),
    "contests.dismiss": roles(Role.ORGANISER, Role.ADMIN),
    "contests.scheme": roles(Role.ORGANISER, Role.ADMIN, Role.JUDGE),
    "contests.upload_scheme": roles(Role.ORGANISER, Role.ADMIN),
    "contests.export_scheme": roles(Role.ORGANISER, Role.ADMIN, Role.JUDGE),
    "contests.scheme_template": roles(Role.ORGANISER, Role.ADMIN),
    "contests.panels": roles(Role.ORGANISER, Role.ADMIN, Role.JUDGE),
    "contests.assign": roles(Role.ORGANISER, Role.ADMIN, Role.JUDGE),
    "contests.unassign": roles(Role.ORGANISER, Role.ADMIN, Role.JUDGE),
    "contests.entries": roles(Role.ORGANISER, Role.ADMIN),
    "contests.decide_entry": roles(Role.ORGANISER, Role.ADMIN),
    "contests.roster": roles(Role.ORGANISER, Role.ADMIN),
    "contests.theory": roles(Role.ORGANISER, Role.ADMIN),
    "contests.start_theory_stage": roles(Role.ORGANISER, Role.ADMIN),
    "contests.close_theory_stage": roles(Role.ORGANISER, Role.ADMIN),
    "contests.draw": roles(Role.ORGANISER, Role.ADMIN),
    "contest_entries.entry": SIGNED_IN,
    "contest_entries.team": roles(Role.ENTERPRISE_CONTACT),
    "contest_entries.withdraw": SIGNED_IN,
    "contest_entries.sit_theory": SIGNED_IN,
    "contest_entries.result": SIGNED_IN,
    "contest_entries.appeal": SIGNED_IN,
    "contest_entries.appeals": roles(Role.ORGANISER, Role.ADMIN),
    "contest_entries.rule": roles(Role.ORGANISER, Role.ADMIN),
    "contest_entries.publish": roles(Role.ORGANISER, Role.ADMIN),
    "contest_entries.finalise": roles(Role.ORGANISER, Role.ADMIN),
    "judging.index": SIGNED_IN,
    "judging.sheet": roles(Role.JUDGE),
    "judging.aspect": roles(Role.JUDGE),
    "judging.mark_json": roles(Role.JUDGE),
    "judging.progress": roles(Role.JUDGE),
    "judging.lock": roles(Role.JUDGE),
    "judging.mapping": SIGNED_IN,
    "judging.reveal_codes": SIGNED_IN,
    "contest_results.results": SIGNED_IN,
    "contest_results.results_xlsx": SIGNED_IN,
    "contest_results.sheet": SIGNED_IN,
    "contest_results.sheet_xlsx": SIGNED_IN,
    "contest_results.certificates": roles(Role.ORGANISER, Role.ADMIN),
    "contest_results.my_certificate": SIGNED_IN,
    "contest_results.analytics": SIGNED_IN,
    "studios.index": PUBLIC,
    "challenge_work.accept": SIGNED_IN,
    "challenge_work.claim": SIGNED_IN,
    "challenge_work.claim_detail": SIGNED_IN,
    "challenge_work.claims": SIGNED_IN,
    "challenge_work.confirm": SIGNED_IN,
    "challenge_work.download": PUBLIC,
    "challenge_work.report": SIGNED_IN,
    "challenge_work.results": PUBLIC,
    "challenge_work.select": SIGNED_IN,
    "challenge_work.shortlist": SIGNED_IN,
    "challenge_work.withdraw": SIGNED_IN,
    "challenges.attach": SIGNED_IN,
    "challenges.cancel": SIGNED_IN,
    "challenges.detail": PUBLIC,
    "challenges.edit": SIGNED_IN,
    "challenges.index": PUBLIC,
    "challenges.mark_read": SIGNED_IN,
    "challenges.mine": SIGNED_IN,
    "challenges.new": SIGNED_IN,
    "challenges.notification_list": SIGNED_IN,
    "challenges.remove_attachment": SIGNED_IN,
    "challenges.review": SIGNED_IN,
    "challenges.review_queue": SIGNED_IN,
    "challenges.submit": SIGNED_IN,
    "courseware.alliance_events": PUBLIC,
    "courseware.cancel_event": SIGNED_IN,
    "courseware.cancel_signup": SIGNED_IN,
    "courseware.check_in": SIGNED_IN,
    "courseware.detail": PUBLIC,
    "courseware.download": PUBLIC,
    "courseware.event_detail": PUBLIC,
    "courseware.event_signups": SIGNED_IN,
    "courseware.events_index": PUBLIC,
    "courseware.new_alliance_event": SIGNED_IN,
    "courseware.new_studio_event": SIGNED_IN,
    "courseware.new_version": SIGNED_IN,
    "courseware.sign_up": SIGNED_IN,
    "courseware.studio_courseware": PUBLIC,
    "courseware.studio_events": PUBLIC,
    "courseware.upload": SIGNED_IN,
    "publications.achievement": PUBLIC,
    "publications.achievements": PUBLIC,
    "publications.add_photo": SIGNED_IN,
    "publications.delete_achievement": SIGNED_IN,
    "publications.delete_patent": SIGNED_IN,
    "publications.delete_photo": SIGNED_IN,
    "publications.edit_achievement": SIGNED_IN,
    "publications.edit_patent": SIGNED_IN,
    "publications.new_achievement": SIGNED_IN,
    "publications.new_patent": SIGNED_IN,
    "publications.patent": PUBLIC,
    "publications.patent_status": SIGNED_IN,
    "publications.patents": PUBLIC,
    "publications.photo": PUBLIC,
    "publications.search": PUBLIC,
    "studio_reports.alliance_report": PUBLIC,
    "studio_reports.alliance_report_xlsx": PUBLIC,
    "studio_reports.evaluation": roles(Role.ADMIN, Role.ORGANISER),
    "studio_reports.evaluation_history": PUBLIC,
    "studio_reports.evaluation_name": roles(Role.ADMIN, Role.ORGANISER),
    "studio_reports.evaluation_weights": roles(Role.ADMIN, Role.ORGANISER),
    "studio_reports.evaluation_year": roles(Role.ADMIN, Role.ORGANISER),
    "studio_reports.studio_report": PUBLIC,
    "studio_reports.studio_report_xlsx": PUBLIC,
    "studios.accept": SIGNED_IN,
    "studios.alliance": PUBLIC,
    "studios.alliance_admins_page": roles(Role.ADMIN),
    "studios.apply": SIGNED_IN,
    "studios.appoint_admin": roles(Role.ADMIN),
    "studios.approvals": SIGNED_IN,
    "studios.decide_founding": SIGNED_IN,
    "studios.decide_joining": SIGNED_IN,
    "studios.decline": SIGNED_IN,
    "studios.edit": SIGNED_IN,
    "studios.hand_over_studio": SIGNED_IN,
    "studios.invite": SIGNED_IN,
    "studios.join_alliance": SIGNED_IN,
    "studios.leave": SIGNED_IN,
    "studios.leave_an_alliance": SIGNED_IN,
    "studios.members": SIGNED_IN,
    "studios.mine": SIGNED_IN,
    "studios.new_alliance": roles(Role.ADMIN),
    "studios.remove": SIGNED_IN,
    "studios.remove_admin": roles(Role.ADMIN),
    "studios.studio": PUBLIC,
    "studios.studio_alliances": SIGNED_IN,
    "studios.withdraw": SIGNED_IN,
}

# Pages of one worker's own rows: anyone else signed in finds nothing there (404).
OWNER_ONLY = {
    "attempts.show",
    "attempts.question",
    "attempts.submit",
    "attempts.result",
    "training_api.answer",
    "challenge_work.download",  # a claim's files: only its studio, the poster and reviewers
}

# Pages of one contest, whose services then decide by the viewer's part in it (staff, entrant,
# chief judge, officer): past the rule, a viewer with no part may get 403 or 404. What each
# part sees is walked in tests/test_access_contests.py.
CONTEST_SCOPED = {
    endpoint
    for endpoint in EXPECTED_RULES
    if endpoint.split(".")[0] in {"contests", "contest_entries", "judging", "contest_results"}
    and endpoint not in {"contests.index", "contests.create", "contests.scheme_template"}
    and endpoint != "judging.index"
}
# The same for studios: past the rule, a studio's or an alliance's services decide by the
# viewer's part in it (leader, member, alliance admin). Walked by part in
# tests/test_access_studios.py.
STUDIO_SCOPED = {
    endpoint
    for endpoint, rule in EXPECTED_RULES.items()
    if endpoint.split(".")[0]
    in {"studios", "publications", "courseware", "studio_reports", "challenges", "challenge_work"}
    and rule == SIGNED_IN
}

# Signed-in users asking for these pages are sent on elsewhere, not shown them.
REDIRECTS_WHEN_SIGNED_IN = {"auth.register", "auth.login"}
VIEWERS = [None, *Role]


def test_every_route_is_in_the_table(app):
    """A new route must be added to EXPECTED_RULES with its rule."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(EXPECTED_RULES)


def test_declared_rules_match_the_table(app):
    """Each view declares exactly the rule the table expects."""
    for endpoint, expected in EXPECTED_RULES.items():
        assert rule_for(app, endpoint) == expected, endpoint


def _sample_values(app, people) -> dict[str, int]:
    """Real ids for every URL parameter the routes take."""
    from competitions.questions.services.bank import create_question
    from competitions.questions.services.images import store_image
    from competitions.questions.types import QuestionData, QuestionType
    from guild.audit.services import Actor
    from guild.extensions import db
    from guild.trades.levels import SkillLevel
    from guild.trades.services.catalogue import TradeFields, save_trade

    with app.app_context():
        trade = save_trade(Actor(None), None, TradeFields("电工", "电力能源", (SkillLevel.L5,)))
        data = QuestionData(QuestionType.TRUE_FALSE, "停电作业前必须验电。", answer=["true"])
        question = create_question(Actor(None), trade, data)
        db.session.commit()
        trade_id, question_id = trade.id, question.id
        picture = store_image(b"GIF89a" + b"\x00" * 32)
    user_id = people.make(real_name="李四").id
    return {
        "user_id": user_id,
        "trade_id": trade_id,
        "question_id": question_id,
        "key": picture,
        **_training_samples(app, user_id, trade_id),
        **_contest_samples(app, people, trade_id),
        **_studio_samples(app, people),
    }


def _challenge_samples(scene, contact) -> dict[str, int]:
    """A challenge posted, opened, claimed (with a file) and its winner selected."""
    import io
    from datetime import timedelta

    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.extensions import db
    from guild.timeutil import utcnow
    from studios.challenge_models import Milestone
    from studios.services import challenge_claims, challenge_files, challenges
    from studios.services.courseware import Upload

    def actor(person) -> Actor:
        return Actor(db.session.get(User, person.id), "127.0.0.1")

    deadline = utcnow() + timedelta(days=30)
    fields = challenges.ChallengeFields(
        "减速箱故障预测", "振动数据预测故障。", deadline, scene.city_id
    )
    challenge = challenges.create_challenge(actor(contact), fields)
    challenges.submit_challenge(actor(contact), challenge.id)
    challenges.review_challenge(actor(scene.city_admin), challenge.id, True)
    leader = actor(scene.leaders[0])
    proposal = challenge_claims.Proposal("频谱建模")
    claim = challenge_claims.claim_challenge(leader, challenge.id, scene.studio_ids[0], proposal)
    pdf = Upload(io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "方案.pdf")
    attached = challenge_files.attach_file(leader, challenge.id, pdf, claim_id=claim.id)
    due = [("模型", union_today() + timedelta(days=20))]
    challenge_claims.select_winner(actor(contact), claim.id, due)
    db.session.commit()
    milestone = db.session.scalar(db.select(Milestone.id).where(Milestone.claim_id == claim.id))
    return {
        "challenge_id": challenge.id,
        "claim_id": claim.id,
        "milestone_id": milestone,
        "file_id": attached.id,
    }


def _studio_samples(app, people) -> dict[str, int]:
    """Alliances, studios and their publications, events and a photo, by the services."""
    import io

    from guild.extensions import db
    from studios.activity_models import Event, EventSignup
    from studios.models import AllianceMembership
    from studios.publication_models import Achievement, Patent
    from studios.services.achievement_photos import add_photo
    from tests.report_scene import actor, build_activity
    from tests.studio_scene import build_studios

    scene = build_studios(app, people)
    activity = build_activity(app, scene)
    contact = people.make(
        Role.ENTERPRISE_CONTACT, real_name="吴发榜", enterprise_id=people.enterprise("宁波港集团")
    )
    with app.app_context():
        first = lambda model: db.session.scalar(db.select(model.id).order_by(model.id))  # noqa: E731
        achievement = db.session.get(Achievement, first(Achievement))
        png = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        photo = add_photo(actor(scene.leaders[0]), achievement.studio_id, achievement.id, png)
        db.session.commit()
        patent = db.session.get(Patent, first(Patent))
        samples = _challenge_samples(scene, contact)
        return samples | {
            "studio_id": activity.studio_a,
            "alliance_id": scene.city_id,
            "membership_id": first(AllianceMembership),
            "courseware_id": activity.courseware_ids[0],
            "number": 1,
            "event_id": first(Event),
            "signup_id": first(EventSignup),
            "year": 2026,
            "patent_id": patent.id,
            "achievement_id": achievement.id,
            "photo_id": photo.id,
        }


def _contest_samples(app, people, trade_id: int) -> dict[str, int]:
    """A contest in publicity (every page has something to show) with an appeal filed."""
    from competitions.contests.models import Stage
    from competitions.contests.services.appeals import file_appeal
    from competitions.questions.services.bank import create_question
    from competitions.questions.types import QuestionData, QuestionType
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.extensions import db
    from guild.trades.models import Trade
    from tests.contest_scene import build_contest

    with app.app_context():  # the theory paper's blueprint takes 3 single and 1 multiple choice
        trade = db.session.get(Trade, trade_id)
        for kind, stem, answer in [(QuestionType.SINGLE, "单选", ["A"])] * 3 + [
            (QuestionType.MULTIPLE, "多选", ["A", "B"])
        ]:
            data = QuestionData(kind, stem, options=["甲", "乙", "丙"], answer=answer)
            create_question(Actor(None), trade, data)
        db.session.commit()
    scene = build_contest(app, people, trade_id, until=Stage.PUBLICITY)
    with app.app_context():
        worker = db.session.get(User, scene.workers[0].id)
        appeal = file_appeal(Actor(worker), scene.contest_id, "复核")
        db.session.commit()
        return {
            "contest_id": scene.contest_id,
            "aspect_id": scene.aspects["A1.2"],
            "criterion_id": scene.criteria["A"],
            "entry_id": scene.entries[worker.id],
            "appeal_id": appeal.id,
        }


def _training_samples(app, user_id: int, trade_id: int) -> dict[str, int]:
    """An attempt of another worker, an exam blueprint and a campaign on the sample trade."""
    from datetime import datetime

    from competitions.campaigns.services.campaigns import CampaignFields, save_campaign
    from competitions.questions.types import QuestionType
    from competitions.training.models import Mode
    from competitions.training.services.attempts import Clock, start_attempt
    from competitions.training.services.blueprints import Part, save_blueprint
    from guild.accounts.models import User
    from guild.audit.services import Actor
    from guild.extensions import db
    from guild.trades.models import Trade

    with app.app_context():
        trade = db.session.get(Trade, trade_id)
        part = Part(QuestionType.TRUE_FALSE, 0, 1, 100)
        blueprint = save_blueprint(Actor(None), None, trade, "模拟", 30, [part])
        today = union_today()
        fields = CampaignFields("练兵", "", today, today, (trade_id,))
        campaign = save_campaign(Actor(None), None, fields)
        clock = Clock(datetime.now(), today)
        attempt = start_attempt(db.session.get(User, user_id), trade, Mode.RANDOM, clock)
        db.session.commit()
        return {
            "attempt_id": attempt.id,
            "position": 1,
            "blueprint_id": blueprint.id,
            "campaign_id": campaign.id,
        }


def _urls(app, values):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.endpoint}: add sample values for {missing}"
        method = "GET" if "GET" in rule.methods else "POST"
        yield rule.endpoint, method, rule.build({k: values[k] for k in rule.arguments})[1]


def _expected(endpoint: str, viewer: Role | None) -> str:
    rule = EXPECTED_RULES[endpoint]
    if not rule.login:
        return "allowed"
    if viewer is None:
        return "login"
    held = {Role.WORKER, viewer}
    return "allowed" if not rule.roles or rule.roles & held else "forbidden"


def url_is_api(response) -> bool:
    """True for a JSON answer of the /api/ routes."""
    return response.is_json


def _outcome(response, method: str, endpoint: str) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/account/login" in location:
        return "login"
    if response.status_code == 401 and url_is_api(response):
        return "login"  # the JSON API answers 401 rather than sending to the sign-in page
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404 and endpoint in OWNER_ONLY:
        return "allowed"  # through the access rule; the attempt is someone else's
    if method == "GET" and endpoint not in REDIRECTS_WHEN_SIGNED_IN:
        assert response.status_code == 200, (endpoint, response.status_code)
    else:
        assert response.status_code in (200, 302, 400), (endpoint, response.status_code)
    return "allowed"


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.value if v else "visitor")
def test_role_by_route(make_app, viewer):
    """Visitors go to the sign-in page, the wrong role gets 403, the right one gets through."""
    from tests.conftest import People

    app = make_app()
    people = People(app)
    values = _sample_values(app, people)
    client = app.test_client()
    if viewer is not None:
        login(client, people.make(viewer, real_name="王五"))
    for endpoint, method, url in _urls(app, values):
        if endpoint == "auth.logout":
            continue  # signing out mid-walk would change the viewer; tested in test_accounts
        response = client.open(url, method=method)
        expected = _expected(endpoint, viewer)
        if endpoint in CONTEST_SCOPED | STUDIO_SCOPED and expected == "allowed":
            assert response.status_code in (200, 302, 400, 403, 404), (url, viewer)
            assert "/account/login" not in response.headers.get("Location", ""), (url, viewer)
            continue
        assert _outcome(response, method, endpoint) == expected, (url, viewer)
