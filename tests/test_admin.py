"""Administration: roles, deactivation, enterprises and the audit log."""

from guild.accounts.models import Enterprise, User
from guild.accounts.roles import Role
from guild.audit.models import AuditEntry
from guild.extensions import db
from tests.conftest import login


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        query = db.select(AuditEntry).where(AuditEntry.action == action)
        return list(db.session.scalars(query))


def _field(page: str, name: str) -> str:
    """The text of one recorded field of the first entry on an audit page."""
    return page.split(f'title="{name}"', 1)[1].split("</dl>", 1)[0]


def _roles(app, user_id: int) -> set[Role]:
    with app.app_context():
        return set(db.session.get(User, user_id).role_set)


def test_grant_and_revoke_a_role_leave_audit_rows(app, client, people):
    """Granting then revoking the judge role changes the account and is audited."""
    admin, worker = people.make(Role.ADMIN), people.make(real_name="李四")
    login(client, admin)
    url = f"/admin/users/{worker.id}/roles"
    client.post(url, data={"role": "judge", "change": "grant"})
    assert _roles(app, worker.id) == {Role.WORKER, Role.JUDGE}
    client.post(url, data={"role": "judge", "change": "revoke"})
    assert _roles(app, worker.id) == {Role.WORKER}
    [grant] = _audit(app, "role.grant")
    assert grant.actor_id == admin.id
    assert grant.object_id == str(worker.id)
    assert grant.before == {"roles": ["worker"]}
    assert grant.after == {"roles": ["judge", "worker"]}
    assert grant.ip == "127.0.0.1"
    assert len(_audit(app, "role.revoke")) == 1


def test_a_granted_role_opens_its_pages_at_once(app, people):
    """A worker granted organiser can edit trades on the next request."""
    admin, worker = people.make(Role.ADMIN), people.make(real_name="李四")
    admin_client, worker_client = app.test_client(), app.test_client()
    login(admin_client, admin)
    login(worker_client, worker)
    assert worker_client.get("/trades/new").status_code == 403
    admin_client.post(
        f"/admin/users/{worker.id}/roles", data={"role": "organiser", "change": "grant"}
    )
    assert worker_client.get("/trades/new").status_code == 200


def test_bad_role_changes_are_refused(app, client, people):
    """An unknown role or change gives 400 and no audit row; admins keep their own role."""
    admin = people.make(Role.ADMIN)
    login(client, admin)
    url = f"/admin/users/{admin.id}/roles"
    assert client.post(url, data={"role": "emperor", "change": "grant"}).status_code == 400
    assert client.post(url, data={"role": "judge", "change": "steal"}).status_code == 400
    client.post(url, data={"role": "admin", "change": "revoke"})
    assert Role.ADMIN in _roles(app, admin.id)
    assert _audit(app, "role.revoke") == []


def test_deactivate_and_reactivate(app, client, people):
    """Deactivation and reactivation are audited; an admin cannot deactivate themself."""
    admin, worker = people.make(Role.ADMIN), people.make(real_name="李四")
    login(client, admin)
    client.post(f"/admin/users/{worker.id}/active", data={"active": "0"})
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    with app.app_context():
        assert db.session.get(User, worker.id).is_active is False
        assert db.session.get(User, admin.id).is_active is True
    client.post(f"/admin/users/{worker.id}/active", data={"active": "1"})
    assert len(_audit(app, "user.deactivate")) == 1
    assert len(_audit(app, "user.reactivate")) == 1
    assert client.post(f"/admin/users/{worker.id}/active", data={"active": "x"}).status_code == 400


def test_user_search_by_name_phone_and_role(client, people):
    """Admins find accounts by name fragment, exact phone, or role."""
    admin = people.make(Role.ADMIN, real_name="周海燕")
    people.make(Role.JUDGE, real_name="王建国", phone="13712345678")
    people.make(real_name="李小明")
    login(client, admin)
    assert "王建国" in client.get("/admin/users?q=建国").get_data(as_text=True)
    assert "李小明" not in client.get("/admin/users?q=建国").get_data(as_text=True)
    assert "王建国" in client.get("/admin/users?q=13712345678").get_data(as_text=True)
    by_role = client.get("/admin/users?role=judge").get_data(as_text=True)
    assert "王建国" in by_role
    assert "李小明" not in by_role
    assert client.get("/admin/users?role=bogus&q=%25").status_code == 200


def test_create_enterprise(app, client, people):
    """An admin creates an enterprise; a duplicate name is a field error and no row."""
    login(client, people.make(Role.ADMIN))
    data = {"name": "宁波港航物流集团有限公司", "city": "宁波市", "credit_code": ""}
    assert client.post("/enterprises/new", data=data).status_code == 302
    again = client.post("/enterprises/new", data=data)
    assert "is-invalid" in again.get_data(as_text=True)
    bad_code = client.post("/enterprises/new", data={**data, "name": "别的", "credit_code": "123"})
    assert "is-invalid" in bad_code.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Enterprise.id))) == 1
    assert len(_audit(app, "enterprise.create")) == 1
    listing = client.get("/enterprises/?q=港航").get_data(as_text=True)
    assert "宁波港航物流集团有限公司" in listing


def test_enterprise_list_counts_members(client, people):
    """The list shows how many users belong to each enterprise."""
    enterprise_id = people.enterprise("温州精工机械有限公司", "温州市")
    people.make(enterprise_id=enterprise_id, real_name="甲乙")
    people.make(enterprise_id=enterprise_id, real_name="丙丁")
    login(client, people.make())
    html = client.get("/enterprises/").get_data(as_text=True)
    assert '<td class="text-end">2</td>' in html


def test_audit_log_filters(app, client, people):
    """The audit page filters by action and actor, and by local dates."""
    admin, worker = people.make(Role.ADMIN, real_name="周海燕"), people.make(real_name="李四")
    login(client, admin)
    client.post(f"/admin/users/{worker.id}/roles", data={"role": "judge", "change": "grant"})
    client.post(f"/admin/users/{worker.id}/active", data={"active": "0"})
    client.set_cookie("guild_lang", "en")
    page = client.get("/admin/audit/?action=role.grant").get_data(as_text=True)
    assert '<code class="small">role.grant</code>' in page
    assert "Role granted" in page
    assert '<code class="small">user.deactivate</code>' not in page
    by_actor = client.get(f"/admin/audit/?actor={admin.id}").get_data(as_text=True)
    assert '<code class="small">user.deactivate</code>' in by_actor
    empty = client.get("/admin/audit/?since=2001-01-01&until=2001-01-02").get_data(as_text=True)
    assert "No entries match." in empty
    assert client.get("/admin/audit/?since=junk&until=99999-1-1&actor=-3").status_code == 200


def test_audit_log_names_objects_and_fields_in_the_users_language(app, client, people):
    """Objects read as 账号 #id in Chinese (Account in English), recorded fields by their
    names (角色, Role) with the code name on hover; the filter still keys by type."""
    admin, worker = people.make(Role.ADMIN), people.make(real_name="李四")
    login(client, admin)
    client.post(f"/admin/users/{worker.id}/roles", data={"role": "judge", "change": "grant"})
    page = client.get("/admin/audit/?object_type=User").get_data(as_text=True)
    assert f"账号 #{worker.id}" in page
    assert '<option value="User" selected>账号</option>' in page
    assert f"User #{worker.id}" not in page
    assert '<dt class="col-4 col-md-2 text-break" title="roles">角色</dt>' in page
    client.set_cookie("guild_lang", "en")
    english = client.get("/admin/audit/").get_data(as_text=True)
    assert f"Account #{worker.id}" in english
    assert 'title="roles">Roles</dt>' in english


def test_audit_log_shows_recorded_moments_in_local_time_and_money_in_yuan(app, client, people):
    """A moment a service recorded (naive UTC text) reads in China's time, to the minute;
    an amount recorded in fen reads in yuan."""
    from guild.audit.services import Actor, record

    admin = people.make(Role.ADMIN)
    with app.app_context():
        after = {"revealed_at": "2026-03-01T16:30:05.123456", "title": "2026-13-01 25:00"}
        after |= {"reward_fen": 2_000_000_00, "note_fen": "12"}
        record(Actor(db.session.get(User, admin.id)), "contest.reveal", "contest", None, after)
        db.session.commit()
    login(client, admin)
    page = client.get("/admin/audit/?action=contest.reveal").get_data(as_text=True)
    assert "2026/3/2 00:30" in page
    assert "16:30:05" not in page
    assert "2026-13-01 25:00" in page  # text shaped like a moment stays as it was
    assert "¥2,000,000.00" in page and "200000000" not in page  # money recorded in fen
    assert "¥" not in page.split("note_fen", 1)[1].split("</dd>", 1)[0]  # only numbers are money


def test_audit_log_names_recorded_codes_in_the_users_language(app, client, people):
    """Codes a field records (a role, a contest's stage) read by their names, in the
    viewer's language; a code of a field without names, or an unknown code, stays as is."""
    from guild.audit.services import Actor, record

    admin, worker = people.make(Role.ADMIN), people.make(real_name="李四")
    with app.app_context():
        before = {"stage": "draft", "tie_break": "draft"}
        after = {"stage": "registration", "tie_break": "registration"}
        actor = Actor(db.session.get(User, admin.id))
        record(actor, "contest.stage", "Contest", {"stage": "no_such_stage"}, None)
        record(actor, "contest.stage", "Contest", before, after)  # newest: listed first
        db.session.commit()
    login(client, admin)
    client.post(f"/admin/users/{worker.id}/roles", data={"role": "judge", "change": "grant"})
    roles = client.get("/admin/audit/?action=role.grant").get_data(as_text=True)
    granted = _field(roles, "roles")
    assert "裁判" in granted and "judge" not in granted
    page = client.get("/admin/audit/?action=contest.stage").get_data(as_text=True)
    stage = _field(page, "stage")
    assert "草稿" in stage and "报名" in stage
    tie_break = _field(page, "tie_break")
    assert "registration" in tie_break and "报名" not in tie_break  # another field's codes
    assert "no_such_stage" in page
    client.set_cookie("guild_lang", "en")
    english = client.get("/admin/audit/?action=contest.stage").get_data(as_text=True)
    assert "registration" in _field(english, "stage")


def test_audit_log_names_the_studio_domains_codes(app, client, people):
    """A studio's founding decision, its level and a member's answer read in words, as the
    studio pages name them (the codes come from the domains' own services)."""
    from guild.audit.services import Actor
    from studios.services.members import answer_invitation, invite_member
    from studios.services.studios import decide_studio
    from tests.studio_scene import build_studios

    def acting(person) -> Actor:
        return Actor(db.session.get(User, person.id))

    scene = build_studios(app, people)
    with app.app_context():
        decide_studio(acting(scene.city_admin), scene.pending_id, True, "同意")
        studio = scene.studio_ids[0]
        invite_member(acting(scene.leaders[0]), studio, scene.outsider.phone)
        answer_invitation(acting(scene.outsider), studio, False)
        db.session.commit()
    login(client, scene.admin)
    decided = client.get("/admin/audit/?action=studio.approve").get_data(as_text=True)
    assert "待审核" in _field(decided, "status") and "已通过" in _field(decided, "status")
    assert "pending" not in _field(decided, "status")
    founded = client.get("/admin/audit/?action=studio.apply").get_data(as_text=True)
    assert "省级" in _field(founded, "level") and "provincial" not in _field(founded, "level")
    declined = client.get("/admin/audit/?action=studio_member.decline").get_data(as_text=True)
    assert "受邀" in _field(declined, "status") and "已谢绝" in _field(declined, "status")
    client.set_cookie("guild_lang", "en")
    english = client.get("/admin/audit/?action=studio_member.decline").get_data(as_text=True)
    assert "Invited" in _field(english, "status") and "Declined" in _field(english, "status")
