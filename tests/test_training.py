"""The training engine through its services, on real rows: drawing, answering, exams, the
mistake book, campaign points, leaderboards and their rebuild."""

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from competitions.campaigns.models import (
    WHOLE_CAMPAIGN,
    Campaign,
    CampaignDay,
    Standing,
    StandingCount,
    StandingMinuteCount,
    Tally,
)
from competitions.campaigns.services.campaigns import CampaignFields, save_campaign
from competitions.campaigns.services.leaderboards import group_board, my_place, top_places
from competitions.campaigns.services.rebuild import rebuild_campaign
from competitions.questions.models import Question, QuestionVersion
from competitions.questions.services.bank import create_question, edit_question
from competitions.questions.types import FALSE, OPTION_LETTERS, TRUE, QuestionData, QuestionType
from competitions.training.grading import to_display_letters
from competitions.training.models import (
    Answer,
    Attempt,
    AttemptItem,
    ChapterProgress,
    ExamBlueprint,
    Exposure,
    Mistake,
    Mode,
    TrainingTrade,
)
from competitions.training.services.answering import (
    MAX_SECONDS_PER_ANSWER,
    SUBMIT_GRACE,
    answer_question,
    close_if_expired,
    save_response,
    submit_exam,
)
from competitions.training.services.attempts import (
    DAILY_DONE,
    Clock,
    choose_trades,
    own_attempt,
    start_attempt,
    todays_daily,
)
from guild.accounts.models import User
from guild.audit.services import Actor
from guild.errors import DomainError
from guild.extensions import db
from guild.trades.levels import SkillLevel
from guild.trades.models import Trade
from guild.trades.services.catalogue import TradeFields, save_trade

SINGLE, MULTIPLE = QuestionType.SINGLE, QuestionType.MULTIPLE
TRUE_FALSE, FILL_BLANK = QuestionType.TRUE_FALSE, QuestionType.FILL_BLANK

T0 = datetime(2025, 3, 10, 1, 0)  # 09:00 in Hangzhou, naive UTC as stored
D0 = date(2025, 3, 10)


# ---- helpers (also used by test_training_concurrency) -------------------------------------


def at(day: int = 0, seconds: float = 0) -> Clock:
    """A moment `seconds` after 09:00 local on the day `day` days after D0."""
    return Clock(T0 + timedelta(days=day, seconds=seconds), D0 + timedelta(days=day))


def new_trade(name: str = "电工", category: str = "电力能源") -> Trade:
    trade = save_trade(Actor(None), None, TradeFields(name, category, (SkillLevel.L5,)))
    db.session.flush()
    return trade


_stems = iter(range(1, 1_000_000))


def add_question(
    trade: Trade,
    kind: QuestionType = SINGLE,
    chapter: str = "",
    difficulty: int = 3,
    options: int = 4,
    answer: list[str] | None = None,
) -> Question:
    """A question of the kind; choice keys default to B (single) or A and C (multiple)."""
    number = next(_stems)
    if kind in (SINGLE, MULTIPLE):
        texts = [f"选项{OPTION_LETTERS[i]}-{number}" for i in range(options)]
        key = answer or (["B"] if kind is SINGLE else ["A", "C"])
    else:
        texts = []
        key = answer or ([TRUE] if kind is TRUE_FALSE else ["ABC12", "甲乙丙"])
    data = QuestionData(
        type=kind,
        stem=f"第{number}题 {kind.value}",
        options=texts,
        answer=key,
        explanation="解析",
        difficulty=difficulty,
        chapter=chapter,
    )
    question = create_question(Actor(None), trade, data)
    db.session.flush()
    return question


def make_worker(people, **kwargs) -> int:
    """A registered worker's id (commits the open session first: people use their own)."""
    db.session.commit()
    return people.make(**kwargs).id


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def begin(user_id: int, trade: Trade, mode: Mode, clock: Clock, **kwargs) -> Attempt:
    """Start an attempt and commit it, as the request would."""
    attempt = start_attempt(user(user_id), trade, mode, clock, **kwargs)
    db.session.commit()
    return attempt


def items_of(attempt_id: int) -> list[AttemptItem]:
    query = select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
    return list(db.session.scalars(query.order_by(AttemptItem.position)))


def version_of(item: AttemptItem) -> QuestionVersion:
    return db.session.get(QuestionVersion, item.version_id)


def right(item: AttemptItem) -> list[str]:
    """The right response as the worker sees it (display letters of the shuffled options)."""
    version = version_of(item)
    if version.type in (SINGLE, MULTIPLE):
        return to_display_letters(item.option_order, version.answer)
    return [version.answer[0]]


def wrong(item: AttemptItem) -> list[str]:
    """A response scoring 0 even with partial credit."""
    version = version_of(item)
    if version.type in (SINGLE, MULTIPLE):
        shown = OPTION_LETTERS[: len(item.option_order)]
        return [next(letter for letter in shown if letter not in right(item))]
    if version.type is TRUE_FALSE:
        return [FALSE if version.answer == [TRUE] else TRUE]
    return ["完全不对"]


def answer(user_id: int, attempt_id: int, position: int, response: list[str], clock: Clock):
    """Answer a practice question through the service and commit, as the request would."""
    item = db.session.get(AttemptItem, (attempt_id, position))
    graded = answer_question(user_id, attempt_id, position, item.question_id, response, clock)
    db.session.commit()
    return graded


def partly(item: AttemptItem) -> list[str]:
    """One right option of a multiple choice (partial credit where allowed); else wrong."""
    version = version_of(item)
    if version.type is MULTIPLE:
        return to_display_letters(item.option_order, version.answer[:1])
    return wrong(item)


def play(user_id: int, attempt: Attempt, pattern: str, clock: Clock, step: int = 10) -> Clock:
    """Answer an attempt's questions in order: "1" right, "0" wrong, "h" partly right (one
    right option of a multiple choice), "-" skipped.

    Each answer comes `step` seconds after the previous one; returns the last clock.
    """
    items = items_of(attempt.id)
    for item, mark in zip(items, pattern, strict=False):
        if mark == "-":
            continue
        clock = Clock(clock.now + timedelta(seconds=step), clock.day)
        response = {"1": right, "0": wrong, "h": partly}[mark](item)
        answer(user_id, attempt.id, item.position, response, clock)
    return clock


def new_campaign(trades: list[Trade], starts: int = 0, days: int = 30, **rules) -> Campaign:
    fields = CampaignFields(
        name="春季练兵",
        description="",
        starts_on=D0 + timedelta(days=starts),
        ends_on=D0 + timedelta(days=starts + days - 1),
        trade_ids=tuple(trade.id for trade in trades),
        **rules,
    )
    campaign = save_campaign(Actor(None), None, fields)
    db.session.commit()
    return campaign


def standing(campaign_id: int, user_id: int, trade_id: int = WHOLE_CAMPAIGN) -> Standing:
    row = db.session.get(Standing, (campaign_id, trade_id, user_id))
    db.session.refresh(row)
    return row


def count_rows(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def figures(campaign_id: int) -> dict[str, list[tuple]]:
    """Every running figure of a campaign as sorted plain tuples (zero counts left out)."""
    db.session.expire_all()
    standing_columns = [
        Standing.trade_id,
        Standing.user_id,
        Standing.enterprise_id,
        Standing.city,
        Standing.points,
        Standing.seconds,
        Standing.attempts,
        Standing.answers,
        Standing.correct,
        Standing.last_day,
        Standing.day_points,
    ]
    tally_columns = [
        Tally.dimension,
        Tally.value,
        Tally.attempts,
        Tally.participants,
        Tally.answers,
        Tally.correct,
        Tally.points,
    ]
    queries = {
        "standings": select(*standing_columns).where(Standing.campaign_id == campaign_id),
        "counts": select(
            StandingCount.trade_id, StandingCount.points, StandingCount.participants
        ).where(StandingCount.campaign_id == campaign_id, StandingCount.participants != 0),
        "minutes": select(
            StandingMinuteCount.trade_id,
            StandingMinuteCount.points,
            StandingMinuteCount.minute,
            StandingMinuteCount.participants,
        ).where(
            StandingMinuteCount.campaign_id == campaign_id,
            StandingMinuteCount.participants != 0,
        ),
        "tallies": select(*tally_columns).where(Tally.campaign_id == campaign_id),
        "days": select(CampaignDay.user_id, CampaignDay.day).where(
            CampaignDay.campaign_id == campaign_id
        ),
    }
    return {
        name: sorted(tuple(row) for row in db.session.execute(q)) for name, q in queries.items()
    }


def assert_rebuild_agrees(campaign_id: int) -> dict[str, list[tuple]]:
    """Rebuilding the campaign from its raw rows gives the running figures exactly."""
    running = figures(campaign_id)
    assert not any(points < 0 for _, points, _ in running["counts"])
    assert all(participants > 0 for _, _, participants in running["counts"])
    rebuild_campaign(db.session.get(Campaign, campaign_id))
    db.session.commit()
    rebuilt = figures(campaign_id)
    for name in running:
        assert rebuilt[name] == running[name], name
    return running


def ranked_by_hand(campaign_id: int, trade_id: int = WHOLE_CAMPAIGN) -> dict[int, int]:
    """Each worker's rank from a full sort: points high to low, then seconds; ties share."""
    rows = db.session.execute(
        select(Standing.user_id, Standing.points, Standing.seconds).where(
            Standing.campaign_id == campaign_id, Standing.trade_id == trade_id
        )
    ).all()
    rows.sort(key=lambda row: (-row.points, row.seconds))
    ranks: dict[int, int] = {}
    for position, row in enumerate(rows, start=1):
        previous = rows[position - 2] if position > 1 else None
        tied = previous and (previous.points, previous.seconds) == (row.points, row.seconds)
        ranks[row.user_id] = ranks[previous.user_id] if tied else position
    return ranks


# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def trade(ctx):
    made = new_trade()
    db.session.commit()
    return made


# ---- grading through the service ----------------------------------------------------------


def test_each_type_graded_through_the_shown_order(ctx, people, trade):
    """One question of each type; the right response in display letters scores 1."""
    worker = make_worker(people)
    for kind in (SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK):
        add_question(trade, kind, options=5)
    db.session.commit()
    for mark in ("1", "0"):
        attempt = begin(worker, trade, Mode.RANDOM, at())
        play(worker, attempt, mark * 4, at())
        answers = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).all()
        assert len(answers) == 4
        assert {a.score for a in answers} == {float(mark)}
        assert {a.is_correct for a in answers} == {mark == "1"}
        attempt = db.session.get(Attempt, attempt.id)
        assert (attempt.answered_count, attempt.correct_count) == (4, 4 * int(mark))
        assert attempt.is_finished  # every question answered ends a practice round


def test_choice_responses_are_stored_in_the_questions_own_letters(ctx, people, trade):
    worker = make_worker(people)
    question = add_question(trade, MULTIPLE, options=6, answer=["A", "F"])
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    (item,) = items_of(attempt.id)
    shown = [OPTION_LETTERS[item.option_order.index(0)], OPTION_LETTERS[item.option_order.index(5)]]
    graded = answer(worker, attempt.id, 1, shown, at(seconds=20))
    assert graded.answer.response == ["A", "F"]
    assert graded.answer.is_correct
    assert graded.answer.question_id == question.id


def test_fill_blank_is_normalised(ctx, people, trade):
    worker = make_worker(people)
    add_question(trade, FILL_BLANK, answer=["ABC12", "甲乙丙"])
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    graded = answer(worker, attempt.id, 1, ["  ＡＢＣ １２ "], at(seconds=5))
    assert graded.answer.score == 1.0
    assert graded.answer.response == ["ＡＢＣ １２"]  # as typed, trimmed
    attempt = begin(worker, trade, Mode.RANDOM, at(seconds=10))
    assert answer(worker, attempt.id, 1, ["甲 乙 丙"], at(seconds=15)).answer.is_correct
    attempt = begin(worker, trade, Mode.RANDOM, at(seconds=20))
    assert not answer(worker, attempt.id, 1, ["ABC1"], at(seconds=25)).answer.is_correct


def test_true_false_is_exact(ctx, people, trade):
    worker = make_worker(people)
    add_question(trade, TRUE_FALSE, answer=[FALSE])
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    assert answer(worker, attempt.id, 1, [TRUE], at(seconds=5)).answer.score == 0.0
    attempt = begin(worker, trade, Mode.RANDOM, at(seconds=10))
    assert answer(worker, attempt.id, 1, [FALSE], at(seconds=15)).answer.score == 1.0


def test_partial_credit_is_a_campaign_setting(ctx, people):
    """少选: half the key found scores 0.5 in a partial-credit campaign, 0 elsewhere."""
    worker = make_worker(people)
    partial, strict = new_trade("电工"), new_trade("焊工", "机械制造")
    for trade in (partial, strict):
        add_question(trade, MULTIPLE, options=4, answer=["A", "C"])
    db.session.commit()
    campaign = new_campaign([partial], partial_credit=True, points_per_correct=10)
    scores = {}
    for trade in (partial, strict):
        attempt = begin(worker, trade, Mode.DAILY, at())
        assert attempt.partial_credit is (trade.id == partial.id)
        (item,) = items_of(attempt.id)
        half = to_display_letters(item.option_order, ["C"])
        scores[trade.name] = answer(worker, attempt.id, 1, half, at(seconds=30)).answer
    assert (scores["电工"].score, scores["电工"].is_correct) == (0.5, False)
    assert (scores["焊工"].score, scores["焊工"].is_correct) == (0.0, False)
    # Partly right is still a mistake; it earned round(0.5 × 10) = 5 points.
    assert count_rows(Mistake, Mistake.user_id == worker) == 2
    assert standing(campaign.id, worker).points == 5


# ---- drawing ------------------------------------------------------------------------------


def test_draws_prefer_the_least_seen(ctx, people, trade):
    """15 questions, rounds of 10: the second round takes the 5 unseen first, and so on."""
    worker, other = make_worker(people), make_worker(people)
    bank = {add_question(trade, kind).id for kind in [SINGLE, TRUE_FALSE, FILL_BLANK] * 5}
    db.session.commit()
    first = {item.question_id for item in items_of(begin(worker, trade, Mode.RANDOM, at()).id)}
    assert len(first) == 10
    second = {item.question_id for item in items_of(begin(worker, trade, Mode.RANDOM, at()).id)}
    assert bank - first <= second  # all five unseen are in
    third = {item.question_id for item in items_of(begin(worker, trade, Mode.RANDOM, at()).id)}
    seen_once = (first | second) - (first & second)
    assert third == seen_once  # the ten seen once, none of the five seen twice
    exposures = dict(
        db.session.execute(
            select(Exposure.question_id, Exposure.seen_count).where(Exposure.user_id == worker)
        ).all()
    )
    assert sorted(exposures.values()) == [2] * 15  # 30 showings over 15 questions
    # Another worker's exposure is their own: nothing seen yet.
    assert count_rows(Exposure, Exposure.user_id == other) == 0


def test_retired_and_draft_questions_are_never_drawn(ctx, people, trade):
    from competitions.questions.services.bank import set_status
    from competitions.questions.types import QuestionStatus

    worker = make_worker(people)
    kept = add_question(trade)
    retired = add_question(trade)
    set_status(Actor(None), [retired], QuestionStatus.RETIRED)
    create_question(
        Actor(None),
        trade,
        QuestionData(SINGLE, "草稿题", ["a", "b"], ["A"]),
        status=QuestionStatus.DRAFT,
    )
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    assert [item.question_id for item in items_of(attempt.id)] == [kept.id]


def test_an_empty_bank_is_refused(ctx, people, trade):
    worker = make_worker(people)
    with pytest.raises(DomainError):
        start_attempt(user(worker), trade, Mode.RANDOM, at())
    db.session.rollback()
    assert count_rows(Attempt) == 0


def test_no_question_twice_in_an_attempt(ctx, people, trade):
    worker = make_worker(people)
    for number in range(12):
        add_question(trade, SINGLE, difficulty=1 + number % 3)
    for _ in range(4):
        add_question(trade, TRUE_FALSE)
    blueprint = ExamBlueprint(
        trade_id=trade.id,
        name="同类两部分",
        duration_minutes=30,
        parts=[
            {"type": "single", "difficulty": 2, "count": 4, "points": 2},
            {"type": "single", "difficulty": 0, "count": 8, "points": 1},  # any difficulty
            {"type": "true_false", "difficulty": 0, "count": 4, "points": 1},
        ],
    )
    db.session.add(blueprint)
    db.session.commit()
    for _ in range(5):
        for mode in (Mode.RANDOM, Mode.EXAM):
            chosen = blueprint if mode is Mode.EXAM else None
            attempt = begin(worker, trade, mode, at(), blueprint=chosen)
            ids = [item.question_id for item in items_of(attempt.id)]
            assert len(ids) == len(set(ids)) == attempt.item_count
    # The exam took all 16 questions: the 12 single choice split 4 + 8 without overlap.
    assert attempt.item_count == 16


def test_option_order_is_stored_and_stable(ctx, people, app, trade):
    """Reading the attempt again (a reload, another session) gives the same orders."""
    worker = make_worker(people)
    for options in (2, 4, 8):
        add_question(trade, SINGLE, options=options, answer=["A"])
    add_question(trade, TRUE_FALSE)
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    first = [(item.question_id, list(item.option_order)) for item in items_of(attempt.id)]
    for _, order in first:
        assert sorted(order) == list(range(len(order)))
    with app.app_context():  # a fresh session reads what is stored
        again = [(item.question_id, list(item.option_order)) for item in items_of(attempt.id)]
    assert again == first
    db.session.expire_all()
    assert [(i.question_id, i.option_order) for i in items_of(attempt.id)] == first


def test_option_and_question_order_shuffled_across_attempts(ctx, people, trade):
    """An 8-option question in 20 attempts: 8! orders, so the same one 20 times is ~0."""
    worker = make_worker(people)
    eight = add_question(trade, SINGLE, options=8, answer=["C"])
    others = [add_question(trade, TRUE_FALSE).id for _ in range(5)]
    db.session.commit()
    orders, sequences = set(), set()
    for _ in range(20):
        attempt = begin(worker, trade, Mode.RANDOM, at())
        items = items_of(attempt.id)
        (mine,) = [item for item in items if item.question_id == eight.id]
        orders.add(tuple(mine.option_order))
        sequences.add(tuple(item.question_id for item in items))
        # Whatever the order, the key's place answers it right.
        graded = answer(worker, attempt.id, mine.position, right(mine), at(seconds=5))
        assert graded.answer.is_correct and graded.answer.response == ["C"]
    assert len(orders) >= 15
    assert len(sequences) > 1
    assert {q for seq in sequences for q in seq} == {eight.id, *others}


def test_chapter_practice_resumes_where_the_worker_left(ctx, people, trade):
    worker = make_worker(people)
    chapter = [add_question(trade, TRUE_FALSE, chapter="安全用具").id for _ in range(12)]
    for _ in range(3):
        add_question(trade, TRUE_FALSE, chapter="电工基础")
    db.session.commit()
    attempt = begin(worker, trade, Mode.SEQUENTIAL, at(), chapter="安全用具")
    items = items_of(attempt.id)
    assert [item.question_id for item in items] == chapter[:10]  # bank order, not shuffled
    play(worker, attempt, "1101", at())  # four answered, up to the fourth
    progress = db.session.get(ChapterProgress, (worker, trade.id, "安全用具"))
    assert progress.last_question_id == chapter[3]
    attempt = begin(worker, trade, Mode.SEQUENTIAL, at(seconds=100), chapter="安全用具")
    assert [item.question_id for item in items_of(attempt.id)] == chapter[4:12]
    play(worker, attempt, "1" * 8, at(seconds=100))
    # The chapter is done: round again from its start.
    attempt = begin(worker, trade, Mode.SEQUENTIAL, at(seconds=300), chapter="安全用具")
    assert [item.question_id for item in items_of(attempt.id)] == chapter[:10]
    # Another chapter keeps its own place.
    other = begin(worker, trade, Mode.SEQUENTIAL, at(seconds=400), chapter="电工基础")
    assert len(items_of(other.id)) == 3


# ---- daily practice -----------------------------------------------------------------------


def test_daily_practice_once_per_trade_and_day(ctx, people):
    worker = make_worker(people)
    electric, welding = new_trade("电工"), new_trade("焊工", "机械制造")
    for trade in (electric, welding):
        for _ in range(12):
            add_question(trade, TRUE_FALSE)
    db.session.commit()
    daily = begin(worker, electric, Mode.DAILY, at())
    assert daily.item_count == 10  # the default outside a campaign
    play(worker, daily, "10", at())
    # Unfinished: starting again resumes the same attempt.
    again = begin(worker, electric, Mode.DAILY, at(seconds=60))
    assert again.id == daily.id
    assert todays_daily(worker, electric.id, D0).id == daily.id
    play(worker, daily, "--" + "1" * 8, at(seconds=60))
    assert db.session.get(Attempt, daily.id).is_finished
    # Finished: refused for the rest of the day, whatever the hour.
    with pytest.raises(DomainError) as refused:
        start_attempt(user(worker), electric, Mode.DAILY, at(seconds=12 * 3600))
    assert str(refused.value) == str(DAILY_DONE)
    db.session.rollback()
    # Another trade the same day, and the same trade the next day, are new attempts.
    other = begin(worker, welding, Mode.DAILY, at(seconds=70))
    tomorrow = begin(worker, electric, Mode.DAILY, at(day=1))
    assert len({daily.id, other.id, tomorrow.id}) == 3
    assert count_rows(Attempt, Attempt.mode == Mode.DAILY) == 3
    # Other modes are never limited.
    for _ in range(3):
        begin(worker, electric, Mode.RANDOM, at(seconds=80))
    assert count_rows(Attempt, Attempt.mode == Mode.RANDOM) == 3


def test_second_daily_row_is_refused_by_the_database(ctx, people, trade):
    """The unique index, not a prior lookup, is what makes the daily practice one a day."""
    worker = make_worker(people)
    add_question(trade, TRUE_FALSE)
    db.session.commit()
    begin(worker, trade, Mode.DAILY, at())
    duplicate = Attempt(user_id=worker, trade_id=trade.id, mode=Mode.DAILY, day=D0)
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(Attempt(user_id=worker, trade_id=trade.id, mode=Mode.RANDOM, day=D0))
    db.session.commit()  # the index is partial: other modes repeat freely


def test_daily_count_comes_from_the_campaign(ctx, people, trade):
    worker = make_worker(people)
    for _ in range(8):
        add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign([trade], daily_count=5)
    daily = begin(worker, trade, Mode.DAILY, at())
    assert (daily.item_count, daily.campaign_id, daily.max_score) == (5, campaign.id, 5.0)
    # Before or after the campaign the default applies (the bank has only 8).
    before = begin(worker, trade, Mode.DAILY, at(day=-1))
    assert (before.item_count, before.campaign_id) == (8, None)


# ---- answers recorded once, and refusals ---------------------------------------------------


def test_the_same_answer_twice_stores_one_row(ctx, people, trade):
    worker = make_worker(people)
    add_question(trade, SINGLE)
    add_question(trade, SINGLE)
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    item = items_of(attempt.id)[0]
    first = answer(worker, attempt.id, 1, right(item), at(seconds=30))
    assert not first.repeated
    first_id = first.answer.id
    # A double tap, then a retry with another letter: both get the first result back.
    for response in (right(item), wrong(item)):
        again = answer(worker, attempt.id, 1, response, at(seconds=40))
        assert again.repeated
        assert (again.answer.id, again.answer.is_correct) == (first_id, True)
    assert count_rows(Answer, Answer.attempt_id == attempt.id) == 1
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.answered_count, attempt.correct_count, attempt.score) == (1, 1, 1.0)
    assert attempt.last_activity_at == at(seconds=30).now


@pytest.mark.parametrize(
    "case",
    [
        "position outside",
        "question elsewhere",
        "question not in attempt",
        "another worker",
        "missing attempt",
        "letter E of four",
        "lower-case letter",
        "two letters for single",
        "nothing chosen",
        "true for a choice",
    ],
)
def test_refused_answers_record_nothing(ctx, people, trade, case):
    worker, stranger = make_worker(people), make_worker(people)
    add_question(trade, SINGLE)
    add_question(trade, SINGLE)
    outsider = new_trade("焊工", "机械制造")
    outside = add_question(outsider, SINGLE)
    db.session.commit()
    campaign = new_campaign([trade])
    attempt = begin(worker, trade, Mode.DAILY, at())
    first, second = items_of(attempt.id)
    before = figures(campaign.id)
    answers_before = count_rows(Answer)
    user_id, attempt_id, position, question_id, response = (
        worker,
        attempt.id,
        1,
        first.question_id,
        right(first),
    )
    if case == "position outside":
        position = 3
    elif case == "question elsewhere":
        question_id = second.question_id
    elif case == "question not in attempt":
        question_id = outside.id
    elif case == "another worker":
        user_id = stranger
    elif case == "missing attempt":
        attempt_id = attempt.id + 1000
    elif case == "letter E of four":
        response = ["E"]
    elif case == "lower-case letter":
        response = ["b"]
    elif case == "two letters for single":
        response = ["A", "B"]
    elif case == "nothing chosen":
        response = []
    elif case == "true for a choice":
        response = [TRUE]
    with pytest.raises(DomainError):
        answer_question(user_id, attempt_id, position, question_id, response, at(seconds=50))
    db.session.rollback()
    assert count_rows(Answer) == answers_before == 0
    assert count_rows(Mistake) == 0
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.answered_count, attempt.submitted_at) == (0, None)
    assert figures(campaign.id) == before


def test_a_refused_answer_leaves_the_question_answerable(ctx, people, trade):
    """A refusal raises before anything is written; the right answer is then taken."""
    worker = make_worker(people)
    add_question(trade, SINGLE)
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    with pytest.raises(DomainError):
        answer_question(worker, attempt.id, 1, None, ["Z"], at(seconds=5))
    db.session.rollback()
    graded = answer(worker, attempt.id, 1, right(items_of(attempt.id)[0]), at(seconds=9))
    assert graded.answer.is_correct and graded.answer.seconds == 9


def test_exam_answers_are_not_graded_one_by_one(ctx, people, trade):
    worker = make_worker(people)
    add_question(trade, TRUE_FALSE)
    blueprint = ExamBlueprint(
        trade_id=trade.id,
        name="判断",
        duration_minutes=10,
        parts=[{"type": "true_false", "difficulty": 0, "count": 1, "points": 1}],
    )
    db.session.add(blueprint)
    db.session.commit()
    exam = begin(worker, trade, Mode.EXAM, at(), blueprint=blueprint)
    practice = begin(worker, trade, Mode.RANDOM, at())
    with pytest.raises(DomainError):
        answer_question(worker, exam.id, 1, None, [TRUE], at(seconds=5))
    with pytest.raises(DomainError):
        save_response(worker, practice.id, 1, None, [TRUE], at(seconds=5))
    with pytest.raises(DomainError):
        submit_exam(worker, practice.id, at(seconds=5))
    db.session.rollback()
    assert count_rows(Answer) == 0


def test_locked_attempt_is_read_afresh(ctx, people, trade):
    """own_attempt(for_update) returns the row as locked, not a stale copy from the session.

    A view that loaded the attempt before calling the service must not write back counts
    another request moved in between (simulated by an UPDATE the session does not see).
    """
    worker = make_worker(people)
    for _ in range(3):
        add_question(trade, TRUE_FALSE)
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    assert attempt.answered_count == 0  # loaded in the session
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id)
        .values(answered_count=2, correct_count=2, score=2.0)
        .execution_options(synchronize_session=False)
    )
    locked = own_attempt(worker, attempt.id, for_update=True)
    assert locked.answered_count == 2
    item = items_of(attempt.id)[2]
    answer(worker, attempt.id, 3, right(item), at(seconds=5))
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.answered_count, attempt.correct_count, attempt.score) == (3, 3, 3.0)
    assert attempt.is_finished


def test_choose_trades(ctx, people):
    worker = make_worker(people)
    electric, welding, fitting = new_trade("电工"), new_trade("焊工"), new_trade("钳工")
    choose_trades(worker, [electric.id, welding.id])
    db.session.commit()
    choose_trades(worker, [welding.id, fitting.id])
    db.session.commit()
    chosen = db.session.scalars(
        select(TrainingTrade.trade_id).where(TrainingTrade.user_id == worker)
    ).all()
    assert sorted(chosen) == sorted([welding.id, fitting.id])
    with pytest.raises(DomainError):
        choose_trades(worker, [welding.id, 999_999])
    db.session.rollback()
    assert count_rows(TrainingTrade, TrainingTrade.user_id == worker) == 2


# ---- versions ------------------------------------------------------------------------------


def test_answers_keep_the_version_they_were_shown(ctx, people, trade):
    worker = make_worker(people)
    question = add_question(trade, SINGLE, answer=["A"])
    db.session.commit()
    old_version = question.current.id
    answered = begin(worker, trade, Mode.RANDOM, at())
    pending = begin(worker, trade, Mode.RANDOM, at())
    graded = answer(worker, answered.id, 1, right(items_of(answered.id)[0]), at(seconds=5))
    shown_key_a = to_display_letters(items_of(pending.id)[0].option_order, ["A"])
    # The organiser corrects the key to B.
    data = db.session.get(QuestionVersion, old_version).to_data()
    data.answer = ["B"]
    new_version = edit_question(Actor(None), db.session.get(Question, question.id), data, None)
    db.session.commit()
    assert new_version.id != old_version
    assert db.session.get(Answer, graded.answer.id).version_id == old_version
    # The attempt drawn before the edit still shows, and grades by, the old version.
    late = answer(worker, pending.id, 1, shown_key_a, at(seconds=10))
    assert late.answer.version_id == old_version and late.answer.is_correct
    assert late.version.id == old_version
    # New attempts draw the new version.
    fresh = begin(worker, trade, Mode.RANDOM, at(seconds=20))
    assert items_of(fresh.id)[0].version_id == new_version.id
    shown_a = to_display_letters(items_of(fresh.id)[0].option_order, ["A"])
    graded = answer(worker, fresh.id, 1, shown_a, at(seconds=30))
    assert (graded.answer.version_id, graded.answer.is_correct) == (new_version.id, False)
    assert db.session.get(QuestionVersion, old_version).answer == ["A"]


# ---- mock exams ----------------------------------------------------------------------------


@pytest.fixture
def exam_bank(ctx, trade):
    """4 single choice (2 of difficulty 2), 3 multiple choice, 3 true/false; a blueprint."""
    for difficulty in (2, 2, 4, 5):
        add_question(trade, SINGLE, difficulty=difficulty)
    for _ in range(3):
        add_question(trade, MULTIPLE)
    for _ in range(3):
        add_question(trade, TRUE_FALSE)
    blueprint = ExamBlueprint(
        trade_id=trade.id,
        name="电工模拟卷",
        duration_minutes=30,
        parts=[
            {"type": "single", "difficulty": 2, "count": 2, "points": 2},
            {"type": "multiple", "difficulty": 0, "count": 2, "points": 4},
            {"type": "true_false", "difficulty": 0, "count": 3, "points": 1.5},
        ],
    )
    db.session.add(blueprint)
    db.session.commit()
    return blueprint


def _kinds(items: list[AttemptItem]) -> dict[str, list[AttemptItem]]:
    found: dict[str, list[AttemptItem]] = {}
    for item in items:
        found.setdefault(version_of(item).type.value, []).append(item)
    return found


def test_exam_is_composed_by_its_blueprint(ctx, people, trade, exam_bank):
    worker = make_worker(people)
    exam = begin(worker, trade, Mode.EXAM, at(), blueprint=exam_bank)
    assert exam.item_count == exam_bank.question_count == 7
    assert exam.max_score == exam_bank.total_points == 2 * 2 + 2 * 4 + 3 * 1.5
    assert exam.deadline_at == at(seconds=30 * 60).now
    kinds = _kinds(items_of(exam.id))
    assert {k: len(v) for k, v in kinds.items()} == {"single": 2, "multiple": 2, "true_false": 3}
    assert {version_of(item).difficulty for item in kinds["single"]} == {2}
    assert {item.points for item in kinds["single"]} == {2.0}
    assert {item.points for item in kinds["multiple"]} == {4.0}
    assert {item.points for item in kinds["true_false"]} == {1.5}


def test_exam_blueprint_must_fit(ctx, people, trade, exam_bank):
    worker = make_worker(people)
    other = new_trade("焊工", "机械制造")
    db.session.commit()
    too_big = ExamBlueprint(
        trade_id=trade.id,
        name="太大",
        parts=[{"type": "single", "difficulty": 2, "count": 3, "points": 1}],
    )
    inactive = ExamBlueprint(trade_id=trade.id, name="停用", parts=exam_bank.parts, is_active=False)
    db.session.add_all([too_big, inactive])
    db.session.commit()
    for blueprint, chosen in (
        (too_big, trade),
        (inactive, trade),
        (exam_bank, other),
        (None, trade),
    ):
        with pytest.raises(DomainError):
            start_attempt(user(worker), chosen, Mode.EXAM, at(), blueprint=blueprint)
        db.session.rollback()
    assert count_rows(Attempt) == 0
    assert count_rows(Exposure) == 0


def test_exam_responses_saved_until_the_deadline(ctx, people, trade, exam_bank):
    worker = make_worker(people)
    exam = begin(worker, trade, Mode.EXAM, at(), blueprint=exam_bank)
    kinds = _kinds(items_of(exam.id))
    single, multiple, tf = kinds["single"], kinds["multiple"], kinds["true_false"]
    # Change of mind: the last saved response counts; flags are kept apart from responses.
    save_response(worker, exam.id, single[0].position, None, wrong(single[0]), at(seconds=60))
    save_response(worker, exam.id, single[0].position, None, right(single[0]), at(seconds=90))
    save_response(worker, exam.id, single[1].position, None, [], at(seconds=95), flagged=True)
    save_response(worker, exam.id, multiple[0].position, None, right(multiple[0]), at(seconds=99))
    save_response(worker, exam.id, tf[0].position, None, wrong(tf[0]), at(seconds=100))
    # Exactly at the deadline is still in time.
    save_response(worker, exam.id, tf[1].position, None, right(tf[1]), at(seconds=1800))
    db.session.commit()
    assert count_rows(Answer) == 0  # nothing graded before submission
    item = db.session.get(AttemptItem, (exam.id, single[1].position))
    assert (item.flagged, item.response) == (True, None)
    # A response with a letter the question lacks is refused even in time.
    with pytest.raises(DomainError):
        save_response(worker, exam.id, tf[2].position, None, ["A"], at(seconds=1000))
    db.session.rollback()
    # One second late: refused, unless within the auto-submit grace.
    late = at(seconds=1801)
    with pytest.raises(DomainError):
        save_response(worker, exam.id, tf[2].position, None, right(tf[2]), late)
    db.session.rollback()
    assert db.session.get(AttemptItem, (exam.id, tf[2].position)).response is None
    save_response(
        worker, exam.id, tf[2].position, None, right(tf[2]), at(seconds=1804), grace=SUBMIT_GRACE
    )
    with pytest.raises(DomainError):
        save_response(worker, exam.id, 1, None, [], at(seconds=1806), grace=SUBMIT_GRACE)
    db.session.rollback()
    # Another worker cannot touch it.
    stranger = make_worker(people)
    with pytest.raises(DomainError):
        save_response(stranger, exam.id, 1, None, [TRUE], at(seconds=10))
    db.session.rollback()


def test_submitting_an_exam_grades_saved_responses(ctx, people, trade, exam_bank):
    worker = make_worker(people)
    exam = begin(worker, trade, Mode.EXAM, at(), blueprint=exam_bank)
    kinds = _kinds(items_of(exam.id))
    plan = [
        (kinds["single"][0], True),
        (kinds["single"][1], False),
        (kinds["multiple"][0], True),
        (kinds["true_false"][0], True),
        (kinds["true_false"][1], False),
    ]
    for second, (item, is_right) in enumerate(plan, start=1):
        response = right(item) if is_right else wrong(item)
        save_response(
            worker, exam.id, item.position, item.question_id, response, at(seconds=second)
        )
    db.session.commit()
    submitted = submit_exam(worker, exam.id, at(seconds=600))
    db.session.commit()
    assert submitted.submitted_at == at(seconds=600).now
    assert (submitted.answered_count, submitted.correct_count) == (5, 3)
    assert submitted.score == 2 + 4 + 1.5
    answers = db.session.scalars(select(Answer).where(Answer.attempt_id == exam.id)).all()
    assert len(answers) == 5
    assert {a.answered_at for a in answers} == {at(seconds=600).now}
    # Wrong answers went to the mistake book; unanswered questions did not.
    wrong_ids = {item.question_id for item, is_right in plan if not is_right}
    mistakes = db.session.scalars(select(Mistake.question_id).where(Mistake.user_id == worker))
    assert set(mistakes) == wrong_ids
    # Submitting again changes nothing; nor can responses come after.
    again = submit_exam(worker, exam.id, at(seconds=700))
    db.session.commit()
    assert (again.submitted_at, again.score) == (at(seconds=600).now, 7.5)
    assert count_rows(Answer, Answer.attempt_id == exam.id) == 5
    with pytest.raises(DomainError):
        save_response(worker, exam.id, 1, None, [], at(seconds=710), flagged=True)
    db.session.rollback()
    assert close_if_expired(db.session.get(Attempt, exam.id), at(seconds=4000)) is False


def test_close_if_expired_grades_at_the_deadline(ctx, people, trade, exam_bank):
    worker = make_worker(people)
    exam = begin(worker, trade, Mode.EXAM, at(), blueprint=exam_bank)
    kinds = _kinds(items_of(exam.id))
    first, second = kinds["multiple"][0], kinds["true_false"][0]
    save_response(worker, exam.id, first.position, None, right(first), at(seconds=100))
    save_response(worker, exam.id, second.position, None, wrong(second), at(seconds=200))
    db.session.commit()
    attempt = db.session.get(Attempt, exam.id)
    assert close_if_expired(attempt, at(seconds=1800)) is False  # not yet over
    assert not attempt.is_finished
    assert close_if_expired(attempt, at(seconds=5000)) is True
    db.session.commit()
    attempt = db.session.get(Attempt, exam.id)
    deadline = at(seconds=1800).now
    assert (attempt.submitted_at, attempt.last_activity_at) == (deadline, deadline)
    assert attempt.seconds_taken == 1800
    assert (attempt.answered_count, attempt.correct_count, attempt.score) == (2, 1, 4.0)
    answers = db.session.scalars(select(Answer).where(Answer.attempt_id == exam.id)).all()
    assert sorted((a.question_id, a.is_correct) for a in answers) == sorted(
        [(first.question_id, True), (second.question_id, False)]
    )
    assert {a.answered_at for a in answers} == {deadline}
    assert close_if_expired(attempt, at(seconds=6000)) is False
    # The worker's own submit arriving afterwards changes nothing.
    again = submit_exam(worker, exam.id, at(seconds=6000))
    db.session.commit()
    assert (again.submitted_at, again.score, again.answered_count) == (deadline, 4.0, 2)
    assert count_rows(Answer, Answer.attempt_id == exam.id) == 2


def test_close_if_expired_sees_a_submission_made_meanwhile(ctx, people, trade, exam_bank):
    """The page that finds the time up holds a copy loaded before the worker's own submit
    landed (simulated by an UPDATE the session does not see): it must not grade again."""
    worker = make_worker(people)
    exam = begin(worker, trade, Mode.EXAM, at(), blueprint=exam_bank)
    item = items_of(exam.id)[0]
    save_response(worker, exam.id, item.position, None, right(item), at(seconds=10))
    db.session.commit()
    attempt = db.session.get(Attempt, exam.id)
    assert not attempt.is_finished  # loaded, not yet submitted
    db.session.execute(
        update(Attempt)
        .where(Attempt.id == exam.id)
        .values(submitted_at=at(seconds=20).now)
        .execution_options(synchronize_session=False)
    )
    assert close_if_expired(attempt, at(seconds=4000)) is False
    assert attempt.submitted_at == at(seconds=20).now
    assert count_rows(Answer) == 0


def test_a_blueprint_only_shapes_exams(ctx, people, trade, exam_bank):
    """Practice started with a blueprint by mistake gets no deadline and no paper."""
    worker = make_worker(people)
    attempt = begin(worker, trade, Mode.RANDOM, at(), blueprint=exam_bank)
    assert (attempt.blueprint_id, attempt.deadline_at) == (None, None)
    assert attempt.item_count == 10 and attempt.max_score == 10.0
    assert {item.points for item in items_of(attempt.id)} == {1.0}


# ---- mistake book --------------------------------------------------------------------------


def test_mistakes_follow_the_leitner_schedule(ctx, people, trade):
    """Wrong: box 1, due tomorrow. Right in review: up a box, due in 2, 4, 8, 16 days; right
    in box 5: mastered. Wrong again at any point: back to box 1."""
    worker = make_worker(people)
    question = add_question(trade, TRUE_FALSE)
    db.session.commit()
    attempt = begin(worker, trade, Mode.RANDOM, at())
    play(worker, attempt, "0", at())
    mistake = db.session.get(Mistake, (worker, question.id))
    assert (mistake.box, mistake.due_on, mistake.wrong_count) == (1, D0 + timedelta(days=1), 1)
    assert mistake.trade_id == trade.id and mistake.mastered_at is None
    with pytest.raises(DomainError):  # nothing due today
        start_attempt(user(worker), trade, Mode.REVIEW, at())
    db.session.rollback()
    day = 1
    for box, interval in [(2, 2), (3, 4), (4, 8), (5, 16)]:
        review = begin(worker, trade, Mode.REVIEW, at(day=day))
        play(worker, review, "1", at(day=day))
        day += interval
        mistake = db.session.get(Mistake, (worker, question.id))
        db.session.refresh(mistake)
        assert (mistake.box, mistake.due_on, mistake.mastered_at) == (
            box,
            D0 + timedelta(day),
            None,
        )
        with pytest.raises(DomainError):  # not due the day before
            start_attempt(user(worker), trade, Mode.REVIEW, at(day=day - 1))
        db.session.rollback()
    review = begin(worker, trade, Mode.REVIEW, at(day=day))
    play(worker, review, "1", at(day=day))
    mistake = db.session.get(Mistake, (worker, question.id))
    db.session.refresh(mistake)
    assert mistake.box == 5 and mistake.mastered_at is not None
    with pytest.raises(DomainError):  # mastered: never due again
        start_attempt(user(worker), trade, Mode.REVIEW, at(day=day + 100))
    db.session.rollback()
    # Wrong again, anywhere: back into box 1, due the next day.
    attempt = begin(worker, trade, Mode.RANDOM, at(day=day + 1))
    play(worker, attempt, "0", at(day=day + 1))
    mistake = db.session.get(Mistake, (worker, question.id))
    db.session.refresh(mistake)
    assert (mistake.box, mistake.due_on, mistake.wrong_count, mistake.mastered_at) == (
        1,
        D0 + timedelta(days=day + 2),
        2,
        None,
    )


def test_wrong_in_review_goes_back_to_box_one(ctx, people, trade):
    worker = make_worker(people)
    question = add_question(trade, TRUE_FALSE)
    db.session.commit()
    play(worker, begin(worker, trade, Mode.RANDOM, at()), "0", at())
    play(worker, begin(worker, trade, Mode.REVIEW, at(day=1)), "1", at(day=1))
    play(worker, begin(worker, trade, Mode.REVIEW, at(day=3)), "0", at(day=3))
    mistake = db.session.get(Mistake, (worker, question.id))
    db.session.refresh(mistake)
    assert (mistake.box, mistake.due_on, mistake.wrong_count) == (1, D0 + timedelta(days=4), 2)


def test_right_answers_outside_review_do_not_move_mistakes(ctx, people, trade):
    worker = make_worker(people)
    question = add_question(trade, TRUE_FALSE)
    db.session.commit()
    play(worker, begin(worker, trade, Mode.RANDOM, at()), "0", at())
    play(worker, begin(worker, trade, Mode.RANDOM, at(day=1)), "1", at(day=1))
    mistake = db.session.get(Mistake, (worker, question.id))
    assert (mistake.box, mistake.due_on) == (1, D0 + timedelta(days=1))


def test_review_holds_only_due_mistakes(ctx, people):
    worker, other = make_worker(people), make_worker(people)
    trade, welding = new_trade("电工"), new_trade("焊工", "机械制造")
    questions = [add_question(trade, TRUE_FALSE) for _ in range(6)]
    welding_question = add_question(welding, TRUE_FALSE)
    db.session.commit()

    def answer_these(ids: set[int], pattern: str, day: int) -> None:
        """A random round over the bank, answering the given questions as the pattern says."""
        attempt = begin(worker, trade, Mode.RANDOM, at(day=day))
        for item in items_of(attempt.id):
            if item.question_id in ids:
                response = wrong(item) if pattern == "0" else right(item)
                answer(worker, attempt.id, item.position, response, at(day=day, seconds=5))

    q = [question.id for question in questions]
    answer_these({q[0], q[1], q[2]}, "0", day=0)  # due day 1
    answer_these({q[3]}, "0", day=1)  # due day 2
    answer_these({q[4]}, "1", day=0)  # right: never a mistake
    play(worker, begin(worker, welding, Mode.RANDOM, at()), "0", at())  # another trade's
    # Another worker's mistakes are theirs.
    other_attempt = begin(other, trade, Mode.RANDOM, at())
    play(other, other_attempt, "000000", at())
    # q[2] is reviewed right on day 1, so it is next due on day 3.
    review = begin(worker, trade, Mode.REVIEW, at(day=1))
    assert {i.question_id for i in items_of(review.id)} == {q[0], q[1], q[2]}
    for item in items_of(review.id):
        response = right(item) if item.question_id == q[2] else wrong(item)
        answer(worker, review.id, item.position, response, at(day=1, seconds=20))
    # On day 2: q[0] and q[1] (wrong again on day 1, due day 2) and q[3]; not q[2].
    review = begin(worker, trade, Mode.REVIEW, at(day=2))
    assert {i.question_id for i in items_of(review.id)} == {q[0], q[1], q[3]}
    assert review.mode is Mode.REVIEW and review.item_count == 3
    assert welding_question.id not in {i.question_id for i in items_of(review.id)}


# ---- campaign points -----------------------------------------------------------------------


def test_daily_points_cap_and_perfect_day_bonus(ctx, people):
    """10 a right answer, at most 30 a day, 20 for a daily practice all right."""
    worker = make_worker(people)
    electric, welding = new_trade("电工"), new_trade("焊工", "机械制造")
    for trade in (electric, welding):
        for _ in range(4):
            add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign(
        [electric, welding],
        daily_count=4,
        points_per_correct=10,
        daily_points_cap=30,
        perfect_day_bonus=20,
    )
    # Day 0, electric, all right: 10 + 10 + 10 + 0 (cap) + 20 (bonus, outside the cap).
    daily = begin(worker, electric, Mode.DAILY, at())
    play(worker, daily, "1111", at(), step=100)
    whole = standing(campaign.id, worker)
    assert (whole.points, whole.day_points, whole.last_day) == (50, 30, D0)
    assert (whole.answers, whole.correct, whole.seconds, whole.attempts) == (4, 4, 400, 1)
    assert standing(campaign.id, worker, electric.id).points == 50
    # Day 0, welding, all right: the cap is spent, the bonus still comes.
    play(worker, begin(worker, welding, Mode.DAILY, at(seconds=1000)), "1111", at(seconds=1000))
    assert standing(campaign.id, worker).points == 70
    assert standing(campaign.id, worker, welding.id).points == 20
    # Practice outside the daily earns nothing but counts as an attempt.
    play(worker, begin(worker, electric, Mode.RANDOM, at(seconds=2000)), "1111", at(seconds=2000))
    whole = standing(campaign.id, worker)
    assert (whole.points, whole.answers, whole.attempts) == (70, 8, 3)
    # Day 1: the cap starts again; one wrong answer, so no bonus; a long pause counts 300 s.
    daily = begin(worker, electric, Mode.DAILY, at(day=1))
    play(worker, daily, "1011", at(day=1), step=1000)
    whole = standing(campaign.id, worker)
    assert (whole.points, whole.day_points, whole.last_day) == (100, 30, D0 + timedelta(days=1))
    assert whole.seconds == 400 + 40 + 4 * MAX_SECONDS_PER_ANSWER
    electric_row = standing(campaign.id, worker, electric.id)
    assert (electric_row.points, electric_row.answers, electric_row.correct) == (80, 8, 7)
    assert (electric_row.last_day, electric_row.day_points) == (None, 0)
    # The day's tally holds the points earned that day; the counts are right.
    day0 = db.session.get(Tally, (campaign.id, "day", D0.isoformat()))
    assert (day0.points, day0.answers, day0.correct, day0.attempts, day0.participants) == (
        70,
        12,
        12,
        3,
        1,
    )
    counts = figures(campaign.id)["counts"]
    assert counts == sorted([(WHOLE_CAMPAIGN, 100, 1), (electric.id, 80, 1), (welding.id, 20, 1)])
    assert_rebuild_agrees(campaign.id)


def test_partial_credit_points_are_rounded(ctx, people, trade):
    worker = make_worker(people)
    add_question(trade, MULTIPLE, options=5, answer=["A", "B", "C"])
    add_question(trade, MULTIPLE, options=4, answer=["A", "B"])
    db.session.commit()
    campaign = new_campaign([trade], partial_credit=True, points_per_correct=5, daily_count=2)
    daily = begin(worker, trade, Mode.DAILY, at())
    for item in items_of(daily.id):
        one = to_display_letters(item.option_order, ["A"])
        answer(worker, daily.id, item.position, one, at(seconds=30))
    # round(1/3 × 5) = 2 and round(1/2 × 5) = round(2.5) = 2 (half to even, as rebuild).
    assert standing(campaign.id, worker).points == 4
    assert_rebuild_agrees(campaign.id)


def test_late_answers_to_yesterdays_daily_keep_each_days_cap(ctx, people):
    """A daily practice started before midnight and finished after, while the next day's
    practice of another trade is already under way: each day keeps its own cap."""
    worker = make_worker(people)
    electric, welding = new_trade("电工"), new_trade("焊工", "机械制造")
    for trade in (electric, welding):
        for _ in range(4):
            add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign(
        [electric, welding], daily_count=4, points_per_correct=10, daily_points_cap=20
    )
    evening = at(seconds=14 * 3600 + 50 * 60)  # 23:50 local on D0
    late = begin(worker, electric, Mode.DAILY, evening)
    play(worker, late, "11", evening)  # 20: day 0's cap is reached
    after_midnight = Clock(evening.now + timedelta(minutes=20), D0 + timedelta(days=1))
    early = begin(worker, welding, Mode.DAILY, after_midnight)
    assert early.day == D0 + timedelta(days=1)
    play(worker, early, "1", after_midnight)  # 10 on day 1
    play(worker, late, "--11", Clock(after_midnight.now + timedelta(minutes=1), D0))
    # Day 0 was full: its last two answers earn nothing but the perfect-day bonus.
    play(worker, early, "-111", Clock(after_midnight.now + timedelta(minutes=2), early.day))
    # Day 1: 10 more within its cap of 20, then nothing; then the bonus.
    bonus = campaign.perfect_day_bonus
    assert standing(campaign.id, worker, electric.id).points == 20 + bonus
    assert standing(campaign.id, worker, welding.id).points == 20 + bonus
    whole = standing(campaign.id, worker)
    assert (whole.points, whole.last_day, whole.day_points) == (
        40 + 2 * bonus,
        D0 + timedelta(days=1),
        20,
    )
    assert_rebuild_agrees(campaign.id)


# ---- leaderboards --------------------------------------------------------------------------


def test_ranks_break_ties_by_time_and_share_exact_ties(ctx, people, trade):
    for _ in range(3):
        add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign(
        [trade], daily_count=3, points_per_correct=10, perfect_day_bonus=0, daily_points_cap=100
    )
    # name: (pattern, seconds per answer) → points, seconds
    plan = {
        "王大明": ("111", 20),  # 30 points, 60 s  → 1
        "李小红": ("111", 30),  # 30 points, 90 s  → 2
        "赵小刚": ("111", 30),  # 30 points, 90 s  → 2 (shared)
        "孙丽": ("110", 10),  # 20 points, 30 s  → 4
        "周杰": ("011", 50),  # 20 points, 150 s → 5
        "吴芳": ("000", 5),  # 0 points, 15 s   → 6
    }
    ids = {name: make_worker(people, real_name=name) for name in plan}
    outsider = make_worker(people)
    for name, (pattern, step) in plan.items():
        play(ids[name], begin(ids[name], trade, Mode.DAILY, at()), pattern, at(), step=step)
    expected = {"王大明": 1, "李小红": 2, "赵小刚": 2, "孙丽": 4, "周杰": 5, "吴芳": 6}
    for board in (WHOLE_CAMPAIGN, trade.id):
        places = top_places(campaign.id, board)
        assert [(p.user_id, p.rank) for p in places] == sorted(
            [(ids[name], rank) for name, rank in expected.items()],
            key=lambda pair: (pair[1], pair[0]),
        )
        assert [p.points for p in places] == [30, 30, 30, 20, 20, 0]
        assert [p.seconds for p in places] == [60, 90, 90, 30, 150, 15]
        assert places[0].name == "王*明" and places[3].name == "孙*"
        assert places[3].accuracy == pytest.approx(2 / 3)
        for name, rank in expected.items():
            mine = my_place(campaign.id, board, ids[name])
            assert (mine.rank, mine.user_id) == (rank, ids[name])
        assert my_place(campaign.id, board, outsider) is None
    assert [p.rank for p in top_places(campaign.id, limit=2)] == [1, 2]
    assert_rebuild_agrees(campaign.id)


def test_my_place_is_the_position_in_a_full_sort(ctx, people):
    """Random play by many workers: each one's rank equals the full sort's, on each board."""
    rng = random.Random(20250310)
    electric, welding = new_trade("电工"), new_trade("焊工", "机械制造")
    for trade in (electric, welding):
        for _ in range(5):
            add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign(
        [electric, welding], daily_count=5, points_per_correct=10, daily_points_cap=40
    )
    workers = [make_worker(people) for _ in range(14)]
    for day in range(3):
        for worker in workers:
            now = at(day=day, seconds=rng.randrange(3600))  # one worker's clock runs forward
            for trade in (electric, welding):
                if rng.random() < 0.5:
                    continue
                pattern = "".join(rng.choice("110") for _ in range(5))
                attempt = begin(worker, trade, Mode.DAILY, now)
                now = play(worker, attempt, pattern, now, step=rng.choice([5, 10, 10, 20]))
    for board in (WHOLE_CAMPAIGN, electric.id, welding.id):
        expected = ranked_by_hand(campaign.id, board)
        assert len(expected) >= 5
        assert {w: my_place(campaign.id, board, w).rank for w in expected} == expected
        top = top_places(campaign.id, board, limit=100)
        assert {p.user_id: p.rank for p in top} == expected
    assert_rebuild_agrees(campaign.id)
    for board in (WHOLE_CAMPAIGN, electric.id, welding.id):
        expected = ranked_by_hand(campaign.id, board)
        assert {w: my_place(campaign.id, board, w).rank for w in expected} == expected


def test_enterprise_and_city_boards(ctx, people, trade):
    for _ in range(2):
        add_question(trade, TRUE_FALSE)
    db.session.commit()
    first = people.enterprise("杭州新能电力有限公司")
    second = people.enterprise("宁波港机械有限公司", "宁波市")
    campaign = new_campaign([trade], daily_count=2, points_per_correct=10, perfect_day_bonus=0)
    plan = [
        (first, "杭州市", "11"),  # first: 20 + 0 → average 10 over 2
        (first, "杭州市", "00"),
        (second, "宁波市", "10"),  # second: 10 → average 10 over 1
        (None, "宁波市", "11"),  # no enterprise
    ]
    for enterprise_id, city, pattern in plan:
        worker = make_worker(people, enterprise_id=enterprise_id, city=city)
        play(worker, begin(worker, trade, Mode.DAILY, at()), pattern, at())
    board, mine = group_board(campaign.id, "enterprise", mine=str(second))
    assert [(g.rank, g.key, g.participants, g.average) for g in board] == [
        (1, str(first), 2, 10.0),  # ties on average go to more participants
        (2, str(second), 1, 10.0),
    ]
    assert board[0].name == "杭州新能电力有限公司"
    assert board[0].headcount == 2 and board[0].participation_rate == 1.0
    assert (mine.rank, mine.key) == (2, str(second))
    cities, _ = group_board(campaign.id, "city")
    assert [(g.key, g.participants, g.average) for g in cities] == [
        ("宁波市", 2, 15.0),
        ("杭州市", 2, 10.0),
    ]
    assert_rebuild_agrees(campaign.id)


# ---- rebuild -------------------------------------------------------------------------------


def test_rebuild_agrees_with_the_running_figures(ctx, people):
    """Several workers, trades, days and modes, partial credit and the cap: recomputing
    from the raw rows gives the very same standings, counts, tallies and days."""
    rng = random.Random(7)
    electric, welding = new_trade("电工"), new_trade("焊工", "机械制造")
    chapters = ["安全", "基础", "仪表"]
    for trade in (electric, welding):
        for number in range(9):
            kind = [SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK][number % 4]
            add_question(trade, kind, chapter=chapters[number % 3], difficulty=1 + number % 5)
    blueprint = ExamBlueprint(
        trade_id=electric.id,
        name="小卷",
        duration_minutes=20,
        parts=[
            {"type": "single", "difficulty": 0, "count": 2, "points": 2},
            {"type": "true_false", "difficulty": 0, "count": 2, "points": 1},
        ],
    )
    db.session.add(blueprint)
    db.session.commit()
    campaign = new_campaign(
        [electric, welding],
        daily_count=6,
        points_per_correct=7,
        daily_points_cap=25,
        perfect_day_bonus=11,
        partial_credit=True,
    )
    enterprise = people.enterprise()
    workers = [
        make_worker(people, city="杭州市", enterprise_id=enterprise),
        make_worker(people, city="杭州市", enterprise_id=enterprise),
        make_worker(people, city="温州市"),
        make_worker(people, city="宁波市"),
    ]
    outside = new_trade("钳工", "机械制造")  # not in the campaign
    add_question(outside, TRUE_FALSE)
    db.session.commit()
    partly_answered = False
    for day in range(4):
        for worker in workers:
            now = at(day=day, seconds=rng.randrange(600))
            for trade in rng.sample([electric, welding], 2):
                mode = rng.choice([Mode.DAILY, Mode.DAILY, Mode.RANDOM, Mode.SEQUENTIAL])
                try:
                    attempt = begin(worker, trade, mode, now, chapter=rng.choice(chapters))
                except DomainError:  # today's daily of this trade already done
                    db.session.rollback()
                    continue
                pattern = "".join(rng.choice("1110h-") for _ in range(attempt.item_count))
                if day == 0 and worker == workers[0] and mode is Mode.DAILY:
                    pattern = "1" * attempt.item_count  # at least one perfect day
                elif mode is Mode.DAILY and not partly_answered:
                    # Draws are random: answer the multiple choices of the first daily that
                    # has one partly, so partial credit happens in every run.
                    kinds = [version_of(item).type for item in items_of(attempt.id)]
                    pattern = "".join("h" if kind is MULTIPLE else "1" for kind in kinds)
                    partly_answered = MULTIPLE in kinds
                now = play(worker, attempt, pattern, now, step=rng.choice([3, 40, 400]))
            if rng.random() < 0.5:
                exam = begin(worker, electric, Mode.EXAM, now, blueprint=blueprint)
                for item in items_of(exam.id):
                    response = right(item) if rng.random() < 0.6 else wrong(item)
                    save_response(worker, exam.id, item.position, None, response, now)
                now = Clock(now.now + timedelta(seconds=300), now.day)
                submit_exam(worker, exam.id, now)
                db.session.commit()
            try:
                review = begin(worker, electric, Mode.REVIEW, now)
                now = play(worker, review, "10" * 5, now)
            except DomainError:
                db.session.rollback()
            play(worker, begin(worker, outside, Mode.RANDOM, now), "1", now)
    running = assert_rebuild_agrees(campaign.id)
    # The scenario exercised what it claims to.
    assert sorted(row[1] for row in running["standings"] if row[0] == WHOLE_CAMPAIGN) == workers
    assert {row[0] for row in running["standings"]} == {WHOLE_CAMPAIGN, electric.id, welding.id}
    assert {row[0] for row in running["tallies"]} == {
        "day",
        "trade",
        "city",
        "enterprise",
        "chapter",
    }
    assert str(outside.id) not in {row[1] for row in running["tallies"] if row[0] == "trade"}
    scored = db.session.scalars(
        select(Answer.score)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Attempt.campaign_id == campaign.id, Attempt.mode == Mode.DAILY)
    ).all()
    assert any(0 < score < 1 for score in scored)  # partial credit happened
    whole_points = [row[4] for row in running["standings"] if row[0] == WHOLE_CAMPAIGN]
    assert max(whole_points) > 0
    # Rebuilding again is a fixed point; and a wiped campaign is restored by it.
    assert_rebuild_agrees(campaign.id)
    for model in (Standing, StandingCount, StandingMinuteCount, Tally, CampaignDay):
        db.session.execute(model.__table__.delete().where(model.campaign_id == campaign.id))
    db.session.commit()
    rebuild_campaign(db.session.get(Campaign, campaign.id))
    db.session.commit()
    assert figures(campaign.id) == running


def test_rebuild_of_a_campaign_without_answers(ctx, people, trade):
    add_question(trade, TRUE_FALSE)
    db.session.commit()
    campaign = new_campaign([trade])
    assert rebuild_campaign(campaign) == 0  # nothing happened yet
    db.session.commit()
    worker = make_worker(people)
    begin(worker, trade, Mode.DAILY, at())  # started, never answered
    running = assert_rebuild_agrees(campaign.id)
    assert [row[:9] for row in running["standings"]] == sorted(
        [
            (WHOLE_CAMPAIGN, worker, None, "杭州市", 0, 0, 1, 0, 0),
            (trade.id, worker, None, "杭州市", 0, 0, 1, 0, 0),
        ]
    )


def test_review_rounds_side_by_side_move_a_mistake_once(ctx, people, trade):
    """Two review rounds opened the same day cannot skip the schedule."""
    worker = make_worker(people)
    question = add_question(trade, TRUE_FALSE)
    db.session.commit()
    play(worker, begin(worker, trade, Mode.RANDOM, at()), "0", at())
    first = begin(worker, trade, Mode.REVIEW, at(day=1))
    second = begin(worker, trade, Mode.REVIEW, at(day=1))
    play(worker, first, "1", at(day=1))
    play(worker, second, "1", at(day=1, seconds=30))
    mistake = db.session.get(Mistake, (worker, question.id))
    db.session.refresh(mistake)
    assert (mistake.box, mistake.due_on) == (2, D0 + timedelta(days=3))
