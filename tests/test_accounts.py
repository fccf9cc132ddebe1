"""Accounts: registration, signing in and out, sessions, profile, password, masking."""

import pytest

from guild.accounts.models import User
from guild.accounts.names import mask_name, mask_phone
from guild.accounts.roles import Role
from guild.extensions import db
from tests.conftest import PASSWORD, login

GOOD = {
    "real_name": "张小三",
    "phone": "13912345678",
    "password": "Factory2024",
    "confirm": "Factory2024",
    "city": "杭州市",
    "enterprise": "",
}


def _users(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(db.select(User)))


def test_register_creates_a_worker_and_signs_in(app, client):
    """A valid registration writes one worker, signs in and lands on the home page."""
    response = client.post("/account/register", data=GOOD)
    assert response.status_code == 302
    [user] = _users(app)
    assert (user.real_name, user.phone, user.city) == ("张小三", "13912345678", "杭州市")
    assert user.role_set == {Role.WORKER}
    assert user.password_hash != "Factory2024"
    assert client.get("/account/profile").status_code == 200


def test_register_with_an_enterprise(app, client, people):
    """The chosen enterprise is stored on the account."""
    enterprise_id = people.enterprise()
    client.post("/account/register", data={**GOOD, "enterprise": str(enterprise_id)})
    [user] = _users(app)
    assert user.enterprise_id == enterprise_id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "short1"),
        ("password", "allletters"),
        ("password", "12345678"),
        ("password", "a13912345678"),
        ("phone", "12345"),
        ("phone", "2391234567x"),
        ("real_name", "<script>alert(1)</script>"),
        ("real_name", "张" * 31),
        ("real_name", ""),
        ("city", "火星市"),
        ("enterprise", "999999"),
        ("enterprise", "abc"),
    ],
)
def test_register_refuses_bad_input(app, client, field, value):
    """Each bad field gives a field error, writes no row, and never a 500."""
    data = {**GOOD, field: value}
    if field == "password":
        data["confirm"] = value
    response = client.post("/account/register", data=data)
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    assert _users(app) == []


def test_register_refuses_mismatched_confirmation(app, client):
    """The two passwords must match."""
    response = client.post("/account/register", data={**GOOD, "confirm": "Factory2025"})
    assert "is-invalid" in response.get_data(as_text=True)
    assert _users(app) == []


def test_register_refuses_a_duplicate_phone(app, client, people):
    """A phone already registered gives a field error and no second row."""
    people.make(phone=GOOD["phone"])
    client.set_cookie("guild_lang", "en")
    response = client.post("/account/register", data=GOOD)
    assert "This phone number is already registered." in response.get_data(as_text=True)
    assert len(_users(app)) == 1


def test_names_and_enterprises_are_escaped_where_shown(app, client, people):
    """Quotes in names and ampersands in enterprise names reach pages escaped."""
    admin = people.make(Role.ADMIN)
    people.make(real_name="O'Brien", enterprise_id=people.enterprise("宁波港 & 物流", "宁波市"))
    login(client, admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "O&#39;Brien" in html
    assert "宁波港 &amp; 物流" in html


def test_login_and_logout(client, people):
    """Signing in opens signed-in pages; signing out closes them."""
    person = people.make()
    assert client.get("/account/profile").status_code == 302
    login(client, person)
    assert client.get("/account/profile").status_code == 200
    assert client.post("/account/logout").status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_login_refuses_a_wrong_password(client, people):
    """A wrong password re-renders the form and signs nobody in."""
    person = people.make()
    response = client.post("/account/login", data={"phone": person.phone, "password": "Wrong1234"})
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302


def test_login_follows_a_local_next(client, people):
    """After signing in the user returns to the page they asked for."""
    person = people.make()
    response = client.get("/account/profile")
    assert response.headers["Location"].endswith("/account/login?next=/account/profile")
    response = client.post(
        "/account/login?next=/account/profile",
        data={"phone": person.phone, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account/profile"


def test_remember_me_survives_a_lost_session(app, people):
    """With remember me, a new browser session is signed in by the remember cookie alone."""
    person = people.make()
    client = app.test_client()
    login(client, person, remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/account/profile").status_code == 200


def test_deactivation_ends_sessions_at_once(app, people):
    """An admin deactivating an account signs it out everywhere, remember cookie included."""
    admin, worker = people.make(Role.ADMIN), people.make(real_name="李四")
    worker_client, admin_client = app.test_client(), app.test_client()
    login(worker_client, worker, remember=True)
    remember = worker_client.get_cookie("remember_token").value
    login(admin_client, admin)
    admin_client.post(f"/admin/users/{worker.id}/active", data={"active": "0"})
    assert worker_client.get("/account/profile").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/account/profile").status_code == 302
    response = fresh.post("/account/login", data={"phone": worker.phone, "password": PASSWORD})
    assert response.status_code == 200  # refused: the form comes back


def test_password_change_signs_out_other_devices(app, people):
    """Changing the password keeps this device signed in and ends the others."""
    person = people.make()
    phone_client, desk_client = app.test_client(), app.test_client()
    login(phone_client, person)
    login(desk_client, person)
    response = desk_client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "Welding2025"},
    )
    assert response.status_code == 302
    assert desk_client.get("/account/profile").status_code == 200
    assert phone_client.get("/account/profile").status_code == 302
    relogin = app.test_client().post(
        "/account/login", data={"phone": person.phone, "password": "Welding2025"}
    )
    assert relogin.status_code == 302


def test_password_change_needs_the_current_password(app, client, people):
    """A wrong current password or a weak new one changes nothing."""
    person = people.make()
    login(client, person)
    with app.app_context():
        before = db.session.get(User, person.id).password_hash
    for data in (
        {"current_password": "Wrong1234", "new_password": "Welding2025"},
        {"current_password": PASSWORD, "new_password": "weak"},
    ):
        response = client.post("/account/password", data=data)
        assert "is-invalid" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, person.id).password_hash == before


def test_profile_edit(app, client, people):
    """A user changes their own name, city and enterprise."""
    enterprise_id = people.enterprise()
    person = people.make()
    login(client, person)
    response = client.post(
        "/account/profile",
        data={"real_name": "张三丰", "city": "宁波市", "enterprise": str(enterprise_id)},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, person.id)
        assert (user.real_name, user.city, user.enterprise_id) == (
            "张三丰",
            "宁波市",
            enterprise_id,
        )


def test_phone_numbers_are_never_shown_to_others(client, people):
    """An admin's user list and account page show the phone masked only."""
    admin = people.make(Role.ADMIN)
    other = people.make(real_name="李四", phone="13712345678")
    login(client, admin)
    for url in ("/admin/users", f"/admin/users/{other.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "13712345678" not in html
        assert "137****5678" in html
    found = client.get("/admin/users?q=13712345678").get_data(as_text=True)
    assert "137****5678" in found  # an exact phone finds the account, still masked in the row


def test_own_phone_is_shown_on_the_profile(client, people):
    """Users see their own phone number."""
    person = people.make(phone="13612345678")
    login(client, person)
    assert "13612345678" in client.get("/account/profile").get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张小三", "张*三"), ("欧阳小明", "欧**明"), ("李", "*"), (" 王五 ", "王*")],
)
def test_mask_name(name, masked):
    """Public names keep the first and last character."""
    assert mask_name(name) == masked


def test_mask_phone():
    """Staff lists keep the first three and last four digits."""
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("phone", ["13912345678\n", "13٩12345678", "１3912345678", " 13912345678"])
def test_look_alike_phones_are_refused(app, client, people, phone):
    """A trailing newline, other scripts' digits or spaces never make a second account."""
    people.make(phone="13912345678")
    response = client.post("/account/register", data={**GOOD, "phone": phone})
    assert response.status_code == 200
    assert len(_users(app)) == 1


def test_signing_out_ends_the_session_on_the_server(app, people):
    """After sign-out, a copy of the old cookies no longer signs anyone in."""
    person = people.make()
    client = app.test_client()
    login(client, person, remember=True)
    remember = client.get_cookie("remember_token").value
    session_cookie = client.get_cookie("session").value
    client.post("/account/logout")
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    thief.set_cookie("session", session_cookie)
    assert thief.get("/account/profile").status_code == 302


def test_signing_out_leaves_other_devices_signed_in(app, people):
    """Sign-out ends this browser's session only."""
    person = people.make()
    phone, desk = app.test_client(), app.test_client()
    login(phone, person)
    login(desk, person)
    phone.post("/account/logout")
    assert desk.get("/account/profile").status_code == 200


def test_each_sign_in_gets_its_own_token(app, people):
    """Two sign-ins never share a remember token."""
    person = people.make()
    first, second = app.test_client(), app.test_client()
    login(first, person, remember=True)
    login(second, person, remember=True)
    assert first.get_cookie("remember_token").value != second.get_cookie("remember_token").value


def test_an_expired_session_signs_nobody_in(app, people):
    """A session past its lifetime no longer counts, cookie or not."""
    from datetime import timedelta

    from guild.accounts.models import UserSession
    from guild.timeutil import utcnow

    person = people.make()
    client = app.test_client()
    login(client, person)
    assert client.get("/account/profile").status_code == 200
    with app.app_context():
        for session in db.session.scalars(db.select(UserSession)):
            session.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get("/account/profile").status_code == 302
