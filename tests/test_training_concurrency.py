"""Answers arriving at once, from threads with their own sessions: nothing doubled, nothing
lost, standings exact. Runs on SQLite (the default) and on PostgreSQL (TEST_DATABASE_URL)."""

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from competitions.campaigns.models import WHOLE_CAMPAIGN, Tally
from competitions.campaigns.services.leaderboards import my_place
from competitions.training.models import Answer, Attempt, Mode
from competitions.training.services.answering import answer_question
from competitions.training.services.attempts import Clock, start_attempt
from guild.accounts.models import User
from guild.extensions import db
from guild.trades.models import Trade
from guild.transactions import begin_writing
from tests.test_training import (
    D0,
    TRUE_FALSE,
    add_question,
    assert_rebuild_agrees,
    at,
    begin,
    count_rows,
    items_of,
    new_campaign,
    new_trade,
    ranked_by_hand,
    right,
    standing,
    wrong,
)

THREADS = 20


def run_together(app, work: Callable[[int], object], count: int = THREADS) -> list:
    """Run work(0) … work(count - 1) in threads released together by a barrier.

    Each thread has its own app context, so its own session and connection; an exception in
    any thread fails the test.
    """
    db.session.commit()  # the test's own session holds no snapshot while threads write
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def runner(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=60)
                results[index] = work(index)
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [], [repr(error) for error in errors]
    db.session.commit()  # read what the threads wrote, not a snapshot from before
    return results


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_the_same_answer_twenty_times_at_once(ctx, people):
    """Twenty taps of the same answer for each question of a daily practice: one row each,
    one grading, and the points of three right answers and the perfect day, exactly."""
    app = ctx
    worker = people.make().id
    trade = new_trade()
    for _ in range(3):
        add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign(
        [trade], daily_count=3, points_per_correct=10, daily_points_cap=100, perfect_day_bonus=20
    )
    attempt = begin(worker, trade, Mode.DAILY, at())
    items = [(item.position, item.question_id, right(item)) for item in items_of(attempt.id)]
    attempt_id = attempt.id
    db.session.commit()
    for position, question_id, response in items:
        clock = at(seconds=30 * position)

        def tap(_index, position=position, question_id=question_id, response=response, clock=clock):
            graded = answer_question(worker, attempt_id, position, question_id, response, clock)
            result = (graded.answer.id, graded.repeated, graded.answer.is_correct)
            db.session.commit()
            return result

        results = run_together(app, tap)
        assert len({answer_id for answer_id, _, _ in results}) == 1
        assert sorted(repeated for _, repeated, _ in results) == [False] + [True] * 19
        assert all(is_correct for _, _, is_correct in results)
        rows = db.session.scalars(
            select(Answer).where(Answer.attempt_id == attempt_id, Answer.position == position)
        ).all()
        assert len(rows) == 1 and rows[0].seconds == 30
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.answered_count, attempt.correct_count, attempt.score) == (3, 3, 3.0)
    assert attempt.submitted_at == at(seconds=90).now
    assert count_rows(Answer) == 3
    # By hand: 3 × 10 points, then the perfect-day bonus of 20; 3 × 30 seconds.
    for board in (WHOLE_CAMPAIGN, trade.id):
        row = standing(campaign.id, worker, board)
        assert (row.points, row.seconds, row.answers, row.correct, row.attempts) == (
            50,
            90,
            3,
            3,
            1,
        )
    day = db.session.get(Tally, (campaign.id, "day", D0.isoformat()))
    assert (day.answers, day.correct, day.points, day.attempts, day.participants) == (
        3,
        3,
        50,
        1,
        1,
    )
    assert_rebuild_agrees(campaign.id)


def test_twenty_workers_answering_at_once(ctx, people):
    """Twenty workers of two trades, two cities and two enterprises answer their daily
    practices at the same moments: every total is exact and the ranks are right."""
    app = ctx
    enterprises = [people.enterprise("杭州新能电力有限公司"), people.enterprise("宁波港机械")]
    workers = [
        people.make(
            real_name=f"工人{index:02d}",
            city="杭州市" if index % 3 else "宁波市",
            enterprise_id=enterprises[index % 2] if index % 5 else None,
        ).id
        for index in range(THREADS)
    ]
    trades = [new_trade("电工"), new_trade("焊工", "机械制造")]
    for trade in trades:
        for number in range(4):
            add_question(trade, TRUE_FALSE, chapter=f"第{number % 2 + 1}章")
    db.session.commit()
    campaign = new_campaign(
        trades, daily_count=4, points_per_correct=10, daily_points_cap=30, perfect_day_bonus=20
    )
    plans = []  # per worker: (attempt id, [(position, question id, response)], points)
    for index, worker in enumerate(workers):
        attempt = begin(worker, trades[index % 2], Mode.DAILY, at())
        pattern = ["1111", "1101", "0000", "1011", "0111"][index % 5]
        steps = []
        for item, mark in zip(items_of(attempt.id), pattern, strict=True):
            steps.append(
                (item.position, item.question_id, right(item) if mark == "1" else wrong(item))
            )
        rights = pattern.count("1")
        points = min(10 * rights, 30) + (20 if rights == 4 else 0)
        plans.append((attempt.id, steps, points, rights))
    db.session.commit()

    def answer_all(index: int) -> list[bool]:
        attempt_id, steps, _, _ = plans[index]
        correct = []
        for step, (position, question_id, response) in enumerate(steps, start=1):
            clock = Clock(at().now + timedelta(seconds=7 * step + index % 4), D0)
            graded = answer_question(
                workers[index], attempt_id, position, question_id, response, clock
            )
            correct.append(graded.answer.is_correct)
            db.session.commit()
        return correct

    results = run_together(app, answer_all)
    for (_, _, _, rights), correct in zip(plans, results, strict=True):
        assert sum(correct) == rights
    db.session.expire_all()
    assert count_rows(Answer) == 4 * THREADS
    for index, (attempt_id, _, points, rights) in enumerate(plans):
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.answered_count, attempt.correct_count) == (4, rights)
        assert attempt.is_finished
        seconds = 7 * 4 + index % 4  # the first answer counts from the start
        for board in (WHOLE_CAMPAIGN, trades[index % 2].id):
            row = standing(campaign.id, workers[index], board)
            assert (row.points, row.answers, row.correct, row.seconds) == (
                points,
                4,
                rights,
                seconds,
            )
    total = sum(points for _, _, points, _ in plans)
    day = db.session.get(Tally, (campaign.id, "day", D0.isoformat()))
    assert (day.points, day.answers, day.attempts, day.participants) == (
        total,
        4 * THREADS,
        THREADS,
        THREADS,
    )
    for trade in trades:
        tally = db.session.get(Tally, (campaign.id, "trade", str(trade.id)))
        mine = [plan for index, plan in enumerate(plans) if index % 2 == trades.index(trade)]
        assert (tally.points, tally.participants) == (sum(p[2] for p in mine), len(mine))
    assert_rebuild_agrees(campaign.id)
    expected = ranked_by_hand(campaign.id)
    assert {worker: my_place(campaign.id, WHOLE_CAMPAIGN, worker).rank for worker in workers} == (
        expected
    )


def test_twenty_starts_of_the_same_daily_practice(ctx, people):
    """Twenty requests start the same daily practice at once (a double tap, several tabs):
    one attempt is made and every request gets it, no error."""
    app = ctx
    worker = people.make().id
    trade = new_trade()
    for _ in range(5):
        add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign([trade], daily_count=5)
    trade_id = trade.id

    def start(_index: int) -> int:
        begin_writing()  # what the request hook does for a POST
        attempt = start_attempt(
            db.session.get(User, worker), db.session.get(Trade, trade_id), Mode.DAILY, at()
        )
        attempt_id = attempt.id
        db.session.commit()
        return attempt_id

    results = run_together(app, start)
    assert len(set(results)) == 1
    assert count_rows(Attempt) == 1
    (attempt_id,) = set(results)
    assert len(items_of(attempt_id)) == 5
    row = standing(campaign.id, worker)
    assert row.attempts == 1
    assert_rebuild_agrees(campaign.id)
    # Exposure was counted once, for the one attempt made.
    from competitions.training.models import Exposure

    assert sorted(db.session.scalars(select(Exposure.seen_count))) == [1] * 5
    assert db.session.scalars(select(Attempt.day)).all() == [D0]


def test_every_way_out_of_an_answer_hands_back_a_normal_connection(ctx, people):
    """On PostgreSQL an answer begins and commits its own transaction on the driver (in
    autocommit); refused, repeated or recorded, the connection goes back to the pool out of
    autocommit and idle, and what was refused wrote nothing."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the driver transaction is PostgreSQL's (set TEST_DATABASE_URL)")
    from psycopg.pq import TransactionStatus

    from guild.errors import DomainError

    worker = people.make().id
    trade = new_trade()
    add_question(trade, TRUE_FALSE)
    db.session.commit()
    new_campaign([trade], daily_count=1, points_per_correct=10)
    attempt = begin(worker, trade, Mode.DAILY, at())
    (item,) = items_of(attempt.id)
    position, question_id, attempt_id = item.position, item.question_id, attempt.id
    response = right(item)
    db.session.commit()

    def connection_is_normal() -> None:
        db.session.remove()
        pooled = [db.engine.raw_connection() for _ in range(db.engine.pool.checkedin())]
        for connection in pooled:
            driver = connection.driver_connection
            assert driver.autocommit is False
            assert driver.info.transaction_status == TransactionStatus.IDLE
            connection.close()

    with pytest.raises(DomainError):  # someone else's attempt
        answer_question(people.make().id, attempt_id, position, question_id, response, at())
    db.session.rollback()
    connection_is_normal()
    with pytest.raises(DomainError):  # not the question at that position
        answer_question(worker, attempt_id, position, question_id + 1, response, at())
    db.session.rollback()
    connection_is_normal()
    assert count_rows(Answer) == 0
    first = answer_question(worker, attempt_id, position, question_id, response, at(seconds=9))
    db.session.commit()
    connection_is_normal()
    again = answer_question(worker, attempt_id, position, question_id, response, at(seconds=20))
    db.session.commit()
    connection_is_normal()
    assert (first.repeated, again.repeated, again.answer.id) == (False, True, first.answer.id)
    assert count_rows(Answer) == 1
    assert db.session.get(Attempt, attempt_id).answered_count == 1
