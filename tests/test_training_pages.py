"""Training pages as a worker uses them: dashboard, daily practice, exams, mistakes, the API."""

import re
from datetime import timedelta

from competitions.questions.types import QuestionType
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.extensions import db
from tests.conftest import SECRET_EXPLANATION, login


def _start(client, trade_id, mode="daily", **extra):
    response = client.post(
        "/skills/training/start", data={"mode": mode, "trade_id": trade_id, **extra}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client.get(response.headers["Location"], follow_redirects=False)


def _key_for(app, attempt_id, position):
    """The right response in display terms, read from the database as a test oracle."""
    from competitions.questions.models import QuestionVersion
    from competitions.training.grading import to_display_letters
    from competitions.training.models import AttemptItem

    with app.app_context():
        item = db.session.get(AttemptItem, (attempt_id, position))
        version = db.session.get(QuestionVersion, item.version_id)
        if version.options:
            return item.question_id, to_display_letters(item.option_order, version.answer)
        return item.question_id, list(version.answer)


def _question_url(response):
    location = response.headers["Location"]
    match = re.search(r"/attempts/(\d+)/(\d+)$", location)
    assert match, location
    return location, int(match[1]), int(match[2])


def test_daily_practice_shows_the_key_only_after_answering(app, client, people, trade_id):
    worker = people.make()
    login(client, worker)
    url, attempt_id, position = _question_url(_start(client, trade_id))
    page = client.get(url).get_data(as_text=True)
    # Nothing of the key before the answer: no explanation, no verdict, no marked option.
    assert SECRET_EXPLANATION not in page and 'id="verdict"' not in page
    assert "is-key" not in page and "<strong>答案" not in page
    question_id, key = _key_for(app, attempt_id, position)
    if key[0] in "ABCDEFGH":
        wrong = ["A"] if key != ["A"] else ["B"]
    else:
        wrong = ["false"] if key == ["true"] else ["x"]
    response = client.post(url, data={"question_id": question_id, "response": wrong})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'id="verdict"' in page and "alert-danger" in page
    # The mistake book now holds it.
    book = client.get(f"/skills/training/mistakes?trade={trade_id}").get_data(as_text=True)
    with app.app_context():
        from competitions.questions.models import Question

        stem = db.session.get(Question, question_id).current.stem
    assert stem in book


def test_answering_twice_records_one_answer(app, client, people, trade_id):
    from competitions.training.models import Answer

    login(client, people.make())
    url, attempt_id, position = _question_url(_start(client, trade_id))
    question_id, key = _key_for(app, attempt_id, position)
    for _ in range(3):
        assert (
            client.post(url, data={"question_id": question_id, "response": key}).status_code == 302
        )
    with app.app_context():
        rows = db.session.scalars(db.select(Answer).where(Answer.attempt_id == attempt_id)).all()
        assert len(rows) == 1 and rows[0].is_correct


def test_bad_answers_are_refused_and_nothing_is_recorded(app, client, people, trade_id):
    from competitions.training.models import Answer

    login(client, people.make())
    url, attempt_id, position = _question_url(_start(client, trade_id))
    question_id, key = _key_for(app, attempt_id, position)
    if key[0] in "ABCDEFGH":
        impossible = ["Z"]  # no such option
    else:
        impossible = ["maybe"] if key[0] in ("true", "false") else ["9" * 300]
    cases = [
        {"question_id": question_id + 1000, "response": key},  # tampered question id
        {"question_id": question_id, "response": impossible},
        {"question_id": question_id},  # nothing chosen
        {"question_id": "abc", "response": key},
    ]
    for data in cases:
        response = client.post(url, data=data)
        assert response.status_code == 400, data
    assert (
        client.post(
            f"/skills/training/attempts/{attempt_id}/99", data={"question_id": question_id}
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 0


def test_another_workers_attempt_is_not_found(app, client, people, trade_id):
    login(client, people.make())
    url, attempt_id, position = _question_url(_start(client, trade_id))
    question_id, key = _key_for(app, attempt_id, position)
    client.post("/account/logout")
    login(client, people.make(real_name="李四"))
    assert client.get(url).status_code == 404
    assert client.post(url, data={"question_id": question_id, "response": key}).status_code == 404
    api = client.post(
        f"/api/training/attempts/{attempt_id}/{position}/answer", json={"response": key}
    )
    assert api.status_code == 404 and api.is_json


def test_second_daily_practice_is_refused(app, client, people, trade_id):
    login(client, people.make())
    _url, attempt_id, _ = _question_url(_start(client, trade_id))
    for position in range(1, 7):
        question_id, key = _key_for(app, attempt_id, position)
        client.post(
            f"/skills/training/attempts/{attempt_id}/{position}",
            data={"question_id": question_id, "response": key},
        )
    result = client.get(f"/skills/training/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "6/6" in result
    again = client.post(
        "/skills/training/start",
        data={"mode": "daily", "trade_id": trade_id},
        follow_redirects=True,
    )
    assert "每日一练" in again.get_data(as_text=True) or "daily" in again.get_data(as_text=True)
    from competitions.training.models import Attempt

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1


def test_api_answers_with_json_and_keeps_the_key_back_until_then(app, client, people, trade_id):
    from competitions.training.models import Answer

    login(client, people.make())
    _url, attempt_id, position = _question_url(_start(client, trade_id, mode="random"))
    question_id, key = _key_for(app, attempt_id, position)
    endpoint = f"/api/training/attempts/{attempt_id}/{position}/answer"
    assert client.post(endpoint, data="not json").status_code == 400
    assert (
        client.post(endpoint, json={"question_id": question_id, "response": 5}).status_code == 400
    )
    nul = client.post(endpoint, json={"question_id": question_id, "response": ["A\x00"]})
    assert nul.status_code == 400 and nul.is_json
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 0
    first = client.post(endpoint, json={"question_id": question_id, "response": key})
    assert first.status_code == 200 and first.json["correct"] is True and first.json["key"] == key
    again = client.post(endpoint, json={"question_id": question_id, "response": ["A"]})
    assert again.json["repeated"] is True and again.json["correct"] is True


def test_mock_exam_refuses_answers_after_the_deadline_and_submits_itself(
    app, client, people, trade_id
):
    from competitions.training.models import Answer, Attempt, ExamBlueprint

    organiser = people.make(Role.ORGANISER)
    login(client, organiser)
    form = {
        "name": "理论模拟",
        "duration": 30,
        "parts-0-kind": "single",
        "parts-0-difficulty": "0",
        "parts-0-count": 2,
        "parts-0-points": 50,
    }
    assert client.post(f"/skills/blueprints/new?trade={trade_id}", data=form).status_code == 302
    too_many = {**form, "parts-0-count": 9}
    assert client.post(f"/skills/blueprints/new?trade={trade_id}", data=too_many).status_code == 400
    with app.app_context():
        blueprint_id = db.session.scalars(db.select(ExamBlueprint.id)).one()
    url, attempt_id, position = _question_url(
        _start(client, trade_id, mode="exam", blueprint_id=blueprint_id)
    )
    question_id, key = _key_for(app, attempt_id, position)
    page = client.get(url).get_data(as_text=True)
    assert 'id="exam-timer"' in page and SECRET_EXPLANATION not in page
    assert (
        client.post(
            url, data={"question_id": question_id, "response": key, "action": "next"}
        ).status_code
        == 302
    )
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = attempt.started_at - timedelta(seconds=1)
        db.session.commit()
    late = client.post(url, data={"question_id": question_id, "response": key, "action": "next"})
    assert late.status_code == 302 and late.headers["Location"].endswith("/result")
    result = client.get(f"/skills/training/attempts/{attempt_id}/result").get_data(as_text=True)
    assert SECRET_EXPLANATION in result
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at is not None and attempt.score == 50
        assert db.session.scalar(db.select(db.func.count()).select_from(Answer)) == 1


def test_dashboard_lists_trades_and_streak(app, client, people, trade_id):
    login(client, people.make())
    assert client.post("/skills/training/trades", data={"trade_id": [trade_id]}).status_code == 302
    page = client.get("/skills/training/").get_data(as_text=True)
    assert "电工" in page and 'id="streak">0<' in page
    _start(client, trade_id, mode="random")
    page = client.get("/skills/training/").get_data(as_text=True)
    assert 'id="streak">1<' in page


def test_odd_numbers_in_forms_are_refused_without_an_error(app, client, people, trade_id):
    """Digits that are not ASCII, or absurdly long, never reach int(): no 500."""
    login(client, people.make())
    for value in ("²", "1" * 5000, "-3", "٣"):
        response = client.post("/skills/training/trades", data={"trade_id": [value]})
        assert response.status_code == 302, value
    url, attempt_id, position = _question_url(_start(client, trade_id, mode="random"))
    question_id, _key = _key_for(app, attempt_id, position)
    response = client.post(url, data={"question_id": question_id, "action": "9" * 5000})
    assert response.status_code in (302, 400)


def test_an_exam_submitted_at_the_deadline_keeps_the_answer_on_screen(
    app, client, people, trade_id
):
    """The timer's submission arrives a moment late: within the grace, its answer counts."""
    from competitions.training.models import Attempt
    from competitions.training.services.blueprints import Part, save_blueprint
    from guild.trades.models import Trade

    with app.app_context():
        part = Part(QuestionType.SINGLE, 0, 2, 50)
        blueprint = save_blueprint(
            Actor(None), None, db.session.get(Trade, trade_id), "模拟", 30, [part]
        )
        db.session.commit()
        blueprint_id = blueprint.id
    login(client, people.make())
    url, attempt_id, position = _question_url(
        _start(client, trade_id, mode="exam", blueprint_id=blueprint_id)
    )
    question_id, key = _key_for(app, attempt_id, position)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        # The deadline passed two seconds ago, within the grace of a submission.
        attempt.deadline_at = attempt.started_at - timedelta(seconds=2)
        db.session.commit()
    data = {"question_id": question_id, "response": key, "action": "submit"}
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    again = client.post(url, data=data)  # a double tap
    assert again.status_code == 302 and again.headers["Location"].endswith("/result")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 50
