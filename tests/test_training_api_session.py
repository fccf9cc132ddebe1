"""The answer API checks the session its cookie claims in the answer's own read."""

import re
from datetime import timedelta

import pytest

from guild.extensions import db
from tests.conftest import login


def _practice(app, client, trade_id) -> tuple[str, dict]:
    """Start a random practice; the API URL of its first question and a right answer."""
    from competitions.questions.models import QuestionVersion
    from competitions.training.grading import to_display_letters
    from competitions.training.models import AttemptItem

    started = client.post("/skills/training/start", data={"mode": "random", "trade_id": trade_id})
    first = client.get(started.headers["Location"])  # the attempt sends on to its question
    attempt_id, position = map(int, re.search(r"/(\d+)/(\d+)$", first.headers["Location"]).groups())
    with app.app_context():
        item = db.session.get(AttemptItem, (attempt_id, position))
        version = db.session.get(QuestionVersion, item.version_id)
        key = (
            to_display_letters(item.option_order, version.answer)
            if version.options
            else version.answer
        )
    url = f"/api/training/attempts/{attempt_id}/{position}/answer"
    return url, {"question_id": item.question_id, "response": list(key)}


def _end_session(app, worker_id: int, how: str) -> None:
    """End the worker's session the way a worker's session ends (or is made unusable)."""
    from guild.accounts.models import User, UserSession
    from guild.accounts.services.sessions import close_session
    from guild.timeutil import utcnow

    with app.app_context():
        row = db.session.scalars(db.select(UserSession).filter_by(user_id=worker_id)).one()
        if how == "signed out elsewhere":
            close_session(row.token)
        elif how == "expired":
            row.expires_at = utcnow() - timedelta(seconds=1)
        else:  # deactivated, with the session row left behind
            db.session.get(User, worker_id).is_active = False
        db.session.commit()


def _recorded(app) -> tuple[int, int]:
    """Answers stored, and answers counted on attempts."""
    from competitions.training.models import Answer, Attempt

    with app.app_context():
        answers = db.session.scalar(db.select(db.func.count()).select_from(Answer))
        counted = db.session.scalar(db.select(db.func.sum(Attempt.answered_count)))
        return answers, counted or 0


@pytest.mark.parametrize("how", ["signed out elsewhere", "expired", "deactivated"])
def test_an_answer_on_a_session_no_longer_live_is_refused(app, client, people, trade_id, how):
    worker = people.make()
    login(client, worker)
    url, body = _practice(app, client, trade_id)
    _end_session(app, worker.id, how)
    response = client.post(url, json=body)
    assert response.status_code == 401 and response.is_json
    assert response.json["error"] == "请先登录"
    malformed = client.post(url, json={"response": 7})  # refused as signed out, not as bad
    assert malformed.status_code == 401 and malformed.json["error"] == "请先登录"
    assert _recorded(app) == (0, 0)


def test_a_live_session_answers_and_another_workers_attempt_is_not_found(
    app, client, people, trade_id
):
    login(client, people.make())
    url, body = _practice(app, client, trade_id)
    other = app.test_client()
    login(other, people.make(real_name="李四"))
    stranger = other.post(url, json=body)
    assert stranger.status_code == 404 and stranger.is_json
    assert _recorded(app) == (0, 0)
    answered = client.post(url, json=body)
    assert answered.status_code == 200 and answered.json["correct"] is True
    assert _recorded(app) == (1, 1)


def test_the_remember_cookie_signs_an_answer_in_again(app, client, people, trade_id):
    """A phone whose session cookie is gone (browser restarted) answers on its remember
    cookie; one whose session was ended while the remember cookie's stays live answers on
    that one."""
    worker = people.make()
    login(client, worker, remember=True)
    url, body = _practice(app, client, trade_id)
    client.delete_cookie("session")
    assert client.post(url, json=body).status_code == 200
    assert _recorded(app) == (1, 1)

    again = app.test_client()
    login(again, worker, remember=True)
    url, body = _practice(app, again, trade_id)
    # The session cookie comes to claim another session, which then ends; the remember
    # cookie's session is still live.
    from guild.accounts.models import User
    from guild.accounts.services.sessions import close_session, open_session

    with app.app_context():
        claimed = open_session(db.session.get(User, worker.id), timedelta(hours=1)).token
        db.session.commit()
    with again.session_transaction() as session:
        session["_user_id"] = f"{worker.id}:{claimed}"
    with app.app_context():
        close_session(claimed)
        db.session.commit()
    answered = again.post(url, json=body)
    assert answered.status_code == 200 and answered.json["correct"] is True
    assert _recorded(app) == (2, 2)
