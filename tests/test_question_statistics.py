"""Item statistics checked against figures worked out by hand."""

import math

import pandas as pd
import pytest

from competitions.questions.services.statistics import item_statistics

# Four attempts of three questions (1 = right):   q1 q2 q3
#   a1                                            1  1  0
#   a2                                            1  0  0
#   a3                                            0  1  1
#   a4                                            0  0  0
SCORES = {"a1": (1, 1, 0), "a2": (1, 0, 0), "a3": (0, 1, 1), "a4": (0, 0, 0)}


def _answers() -> pd.DataFrame:
    rows = [
        {"attempt_id": attempt, "question_id": number + 1, "score": score}
        for attempt, scores in SCORES.items()
        for number, score in enumerate(scores)
    ]
    return pd.DataFrame(rows)


def test_facility_and_discrimination_by_hand():
    """q1: rest 1,0,2,0 gives r = -0.5/sqrt(2.75); q2: rest 1,1,1,0 gives 0.5/sqrt(0.75)."""
    stats = item_statistics(_answers(), min_attempts=4).set_index("question_id")
    assert stats.loc[1, "attempts"] == 4
    assert stats.loc[:, "facility"].tolist() == [0.5, 0.5, 0.25]
    assert stats.loc[1, "discrimination"] == pytest.approx(-0.5 / math.sqrt(2.75))
    assert stats.loc[2, "discrimination"] == pytest.approx(0.5 / math.sqrt(0.75))
    assert stats.loc[3, "discrimination"] == pytest.approx(0.0)
    assert stats["flagged"].tolist() == [True, False, True]


def test_few_attempts_are_not_flagged():
    """Below the minimum number of attempts nothing is flagged, however weak."""
    stats = item_statistics(_answers(), min_attempts=5)
    assert not stats["flagged"].any()


def test_an_item_everyone_gets_right_has_no_discrimination():
    """No variation in the item score leaves discrimination undefined, and flagged."""
    answers = pd.DataFrame(
        {"attempt_id": [1, 1, 2, 2], "question_id": [7, 8, 7, 8], "score": [1, 1, 1, 0]}
    )
    stats = item_statistics(answers, min_attempts=2).set_index("question_id")
    assert math.isnan(stats.loc[7, "discrimination"])
    assert bool(stats.loc[7, "flagged"]) is True


def test_partial_credit_and_no_answers():
    """Scores between 0 and 1 count as they are; no answers give an empty table."""
    answers = pd.DataFrame({"attempt_id": [1, 2], "question_id": [3, 3], "score": [0.5, 1.0]})
    assert item_statistics(answers).loc[0, "facility"] == pytest.approx(0.75)
    empty = pd.DataFrame(columns=["attempt_id", "question_id", "score"])
    assert item_statistics(empty).empty


def test_the_bank_pages_flag_a_question_from_recorded_answers(app, client, people):
    """Answers recorded by training feed the bank: a question the weak get right is flagged."""
    from datetime import date, datetime, timedelta

    from competitions.questions.services.bank import create_question
    from competitions.questions.types import QuestionData, QuestionType
    from competitions.training.models import Mode
    from competitions.training.services.answering import answer_question
    from competitions.training.services.attempts import Clock, start_attempt
    from guild.accounts.models import User
    from guild.accounts.roles import Role
    from guild.audit.services import Actor
    from guild.extensions import db
    from guild.trades.levels import SkillLevel
    from guild.trades.models import Trade
    from guild.trades.services.catalogue import TradeFields, save_trade
    from tests.conftest import login

    stems = ["接地电阻测量题", "验电器使用题", "反常的偏题", "绝缘电阻表使用题", "安全距离题"]
    with app.app_context():
        trade = save_trade(Actor(None), None, TradeFields("电工", "电力能源", (SkillLevel.L5,)))
        ids = [
            create_question(
                Actor(None), trade, QuestionData(QuestionType.TRUE_FALSE, stem, answer=["true"])
            ).id
            for stem in stems
        ]
        db.session.commit()
        trade_id = trade.id
    workers = [people.make(phone=f"1360000{n:04d}") for n in range(32)]
    clock = Clock(datetime(2026, 11, 24, 2), date(2026, 11, 24))
    with app.app_context():
        trade = db.session.get(Trade, trade_id)
        for n, worker in enumerate(workers):
            strong = n % 2 == 0
            attempt = start_attempt(db.session.get(User, worker.id), trade, Mode.RANDOM, clock)
            for item in attempt.items:
                right = strong if item.question_id != ids[2] else not strong  # ids[2] misleads
                if item.question_id == ids[1] and n % 4 == 1:
                    right = True  # the second question: easy, but not for everyone
                response = ["true" if right else "false"]
                later = Clock(clock.now + timedelta(seconds=item.position), clock.day)
                answer_question(
                    worker.id, attempt.id, item.position, item.question_id, response, later
                )
            db.session.commit()
    login(client, people.make(Role.ORGANISER))
    page = client.get(f"/skills/banks/{trade_id}/statistics").get_data(as_text=True)
    rows = page.split('id="item-statistics"')[1]
    assert rows.index(stems[2]) < rows.index(stems[0])  # the flagged question comes first
    assert rows.count("text-bg-danger") == 1 and "32" in rows
    bank = client.get(f"/skills/banks/{trade_id}/").get_data(as_text=True)
    assert bank.count("text-bg-danger") == 1 and "50%" in bank
