"""Campaign pages: forms, access, leaderboards, statistics, the Excel export, the rebuild CLI."""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import select

from competitions.campaigns import views
from competitions.campaigns.models import Campaign, Standing, StandingCount, Tally
from competitions.campaigns.services.campaigns import CampaignFields, save_campaign
from competitions.campaigns.services.statistics import campaign_statistics
from competitions.questions.models import QuestionVersion
from competitions.questions.services.bank import create_question
from competitions.questions.types import QuestionData, QuestionType
from competitions.training.grading import to_display_letters
from competitions.training.models import Mode
from competitions.training.services.answering import answer_question
from competitions.training.services.attempts import Clock, start_attempt
from guild.accounts.models import User
from guild.accounts.roles import Role
from guild.audit.services import Actor
from guild.extensions import db
from guild.timeutil import local_day, utcnow
from guild.trades.levels import SkillLevel
from guild.trades.models import Trade
from guild.trades.services.catalogue import TradeFields, save_trade
from tests.conftest import login

CHAPTERS = ("安全用电", "电工基础")


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the tests read the source strings."""
    client.set_cookie("guild_lang", "en")


def _today() -> date:
    return local_day(utcnow(), "Asia/Shanghai")


def _trade(name: str, category: str = "电力能源") -> int:
    """A trade with six single-choice questions over two chapters."""
    trade = save_trade(Actor(None), None, TradeFields(name, category, (SkillLevel.L5,)))
    for number in range(6):
        data = QuestionData(
            type=QuestionType.SINGLE,
            stem=f"{name}题目{number}：下列哪项正确？",
            options=["甲", "乙", "丙", "丁"],
            answer=["A"],
            chapter=CHAPTERS[number % 2],
        )
        create_question(Actor(None), trade, data)
    db.session.commit()
    return trade.id


@pytest.fixture
def trade_ids(app) -> tuple[int, int]:
    with app.app_context():
        return _trade("电工"), _trade("焊工", "机械制造")


def _campaign(trade_ids, **rules) -> int:
    today = _today()
    values = {
        "name": "春季练兵",
        "description": "每天五题。",
        "starts_on": today - timedelta(days=3),
        "ends_on": today + timedelta(days=10),
        "trade_ids": tuple(trade_ids),
        **rules,
    }
    campaign = save_campaign(Actor(None), None, CampaignFields(**values))
    db.session.commit()
    return campaign.id


def _practise(user_id, trade_id, day, right, *, mode=Mode.DAILY, answered=None, step=10, hour=1):
    """Do an attempt: the first `right` answers right, the rest wrong, `step` seconds each."""
    now = datetime.combine(day, time(hour, 0))
    user = db.session.get(User, user_id)
    attempt = start_attempt(user, db.session.get(Trade, trade_id), mode, Clock(now, day))
    db.session.commit()
    attempt_id, items = attempt.id, list(attempt.items)
    for number, item in enumerate(items[:answered] if answered else items):
        version = db.session.get(QuestionVersion, item.version_id)
        letters = to_display_letters(item.option_order, version.answer)
        if number >= right:
            letters = [next(letter for letter in "ABCD" if letter not in letters)]
        now += timedelta(seconds=step)
        answer_question(
            user_id, attempt_id, item.position, item.question_id, letters, Clock(now, day)
        )
        db.session.commit()


@dataclass
class Scenario:
    campaign_id: int
    trades: tuple[int, int]
    zhang: object
    li: object
    wang: object
    days: tuple[date, date]


@pytest.fixture
def scenario(app, people, trade_ids) -> Scenario:
    """Three workers, two trades; 5 questions at 10 points, a biting cap of 25, a bonus of 20."""
    power = people.enterprise("杭州新能电力有限公司")
    steel = people.enterprise("宁波钢铁有限公司", city="宁波市")
    zhang = people.make(real_name="张小三", enterprise_id=power)
    li = people.make(real_name="李大明", city="宁波市", enterprise_id=power)
    wang = people.make(real_name="王五六", city="宁波市", enterprise_id=steel)
    people.make(real_name="赵不来", city="宁波市", enterprise_id=steel)  # never takes part
    t1, t2 = trade_ids
    d1, d2 = _today() - timedelta(days=2), _today() - timedelta(days=1)
    with app.app_context():
        rules = {"daily_count": 5, "points_per_correct": 10, "daily_points_cap": 25}
        campaign_id = _campaign(trade_ids, perfect_day_bonus=20, **rules)
        _practise(zhang.id, t1, d1, 5)  # 50 capped to 25, + 20 bonus = 45
        _practise(zhang.id, t2, d1, 3, hour=2)  # the day's cap is used up: 0
        _practise(zhang.id, t1, d2, 2)  # 20
        _practise(li.id, t1, d1, 5, step=20)  # 45, in more time
        _practise(li.id, t2, d2, 2, step=20)  # 20
        _practise(wang.id, t2, d1, 1)  # 10
        _practise(wang.id, t1, d2, 2, answered=2)  # 20, left unfinished
        _practise(wang.id, t2, d2, 1, mode=Mode.RANDOM, answered=2, hour=2)  # no points
    return Scenario(campaign_id, trade_ids, zhang, li, wang, (d1, d2))


def _count(model) -> int:
    with db.session.no_autoflush:
        return db.session.scalar(select(db.func.count()).select_from(model))


# --- Creating and editing ---------------------------------------------------------------


def _form(chosen, **changes) -> dict:
    data = {
        "name": "2025年春季电工练兵",
        "description": "每天五道题。",
        "starts_on": "2025-03-01",
        "ends_on": "2025-03-31",
        "trade_ids": [str(trade_id) for trade_id in chosen],
        "daily_count": "5",
        "points_per_correct": "10",
        "daily_points_cap": "50",
        "perfect_day_bonus": "20",
        "partial_credit": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_organiser_creates_and_edits_a_campaign(app, client, as_role, trade_ids):
    as_role(Role.ORGANISER)
    page = client.get("/skills/campaigns/new")
    assert page.status_code == 200
    assert "电工" in page.text and "机械制造" in page.text
    response = client.post("/skills/campaigns/new", data=_form(trade_ids))
    assert response.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        assert campaign.name == "2025年春季电工练兵"
        assert sorted(campaign.trade_ids) == sorted(trade_ids)
        assert (campaign.daily_count, campaign.daily_points_cap) == (5, 50)
        assert campaign.partial_credit is True
        campaign_id = campaign.id
    assert response.headers["Location"].endswith(f"/skills/campaigns/{campaign_id}/")
    edit = f"/skills/campaigns/{campaign_id}/edit"
    assert "2025年春季电工练兵" in client.get(edit).text
    changed = _form(
        trade_ids[:1], name="春季练兵（延长）", ends_on="2025-04-15", partial_credit=None
    )
    assert client.post(edit, data=changed).status_code == 302
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.name == "春季练兵（延长）"
        assert campaign.ends_on == date(2025, 4, 15)
        assert campaign.trade_ids == [trade_ids[0]]
        assert campaign.partial_credit is False
    assert "春季练兵（延长）" in client.get("/skills/campaigns/").text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2025-02-28"}, "The campaign must end on or after its first day."),
        ({"trade_ids": None}, "Choose at least one trade."),
        ({"points_per_correct": "-5"}, "Points must be between 0 and 10000."),
        ({"daily_points_cap": "10001"}, "Points must be between 0 and 10000."),
        ({"trade_ids": ["999999"]}, "Choose trades from the list."),
        ({"trade_ids": ["abc"]}, "Choose trades from the list."),
        ({"daily_count": "0"}, "Daily questions must be between 1 and 100."),
        ({"daily_count": "ten"}, "Enter a whole number."),
        ({"starts_on": "2025-13-01"}, "Enter a date as YYYY-MM-DD."),
        ({"ends_on": ""}, "This field is required."),
        ({"name": "  "}, "This field is required."),
        ({"name": "<script>"}, "Do not use"),
        ({"ends_on": "2027-03-01"}, "A campaign lasts at most a year."),
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(
    app, client, as_role, trade_ids, changes, message
):
    as_role(Role.ORGANISER)
    response = client.post("/skills/campaigns/new", data=_form(trade_ids, **changes))
    assert response.status_code == 200
    assert message in response.text
    assert "is-invalid" in response.text or "border-danger" in response.text
    with app.app_context():
        assert _count(Campaign) == 0


def test_bad_edit_keeps_the_campaign_as_it_was(app, client, as_role, trade_ids):
    as_role(Role.ADMIN)
    with app.app_context():
        campaign_id = _campaign(trade_ids)
    edit = f"/skills/campaigns/{campaign_id}/edit"
    response = client.post(edit, data=_form(trade_ids, name="改名", ends_on="2025-01-01"))
    assert response.status_code == 200
    assert "The campaign must end on or after its first day." in response.text
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert campaign.name == "春季练兵"
        assert campaign.ends_on == _today() + timedelta(days=10)


# --- Access -------------------------------------------------------------------------------


def test_workers_see_campaigns_but_not_the_organiser_pages(app, client, as_role, trade_ids):
    with app.app_context():
        campaign_id = _campaign(trade_ids)
    base = f"/skills/campaigns/{campaign_id}"
    assert client.get("/skills/campaigns/").status_code == 302  # visitors sign in first
    as_role()
    index = client.get("/skills/campaigns/")
    assert index.status_code == 200
    assert "春季练兵" in index.text and "New campaign" not in index.text
    assert client.get(f"{base}/").status_code == 200
    for path in ("/skills/campaigns/new", f"{base}/edit", f"{base}/statistics"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"{base}/statistics.xlsx").status_code == 403
    assert client.post("/skills/campaigns/new", data=_form(trade_ids)).status_code == 403
    assert client.get("/skills/campaigns/999999/").status_code == 404


def test_organisers_see_the_new_campaign_button(client, as_role):
    as_role(Role.ORGANISER)
    assert "New campaign" in client.get("/skills/campaigns/").text


# --- The campaign page and its leaderboards -------------------------------------------------


def test_running_totals_follow_the_rules(app, scenario):
    with app.app_context():
        points = {
            (row.user_id, row.trade_id): row.points for row in db.session.scalars(select(Standing))
        }
    t1, t2 = scenario.trades
    zhang, li, wang = scenario.zhang.id, scenario.li.id, scenario.wang.id
    assert points[(zhang, 0)] == 65 and points[(zhang, t1)] == 65 and points[(zhang, t2)] == 0
    assert points[(li, 0)] == 65 and points[(li, t1)] == 45
    assert points[(wang, 0)] == 30 and points[(wang, t1)] == 20


def _positions(text: str, *names: str) -> list[int]:
    return [text.index(name) for name in names]


def test_detail_shows_rules_masked_board_and_my_rank(app, client, scenario, monkeypatch):
    login(client, scenario.wang)
    page = client.get(f"/skills/campaigns/{scenario.campaign_id}/")
    assert page.status_code == 200
    text = page.text
    assert "5 questions a day in each trade" in text
    assert "10 for each right answer, at most 25 a day" in text
    assert "焊工" in text and 'action="/skills/training/start"' in text
    assert 'name="mode" value="daily"' in text
    assert f'name="trade_id" value="{scenario.trades[0]}"' in text
    # Equal points (65): less time taken ranks first; names masked, no phone numbers.
    zhang, li, wang = _positions(text, "张*三", "李*明", "王*六")
    assert zhang < li < wang
    assert "张小三" not in text and "李大明" not in text
    for person in (scenario.zhang, scenario.li, scenario.wang):
        assert person.phone not in text
    assert "2:30" in text and "3:20" in text  # 150 and 200 seconds taken
    assert "My rank" not in text  # the viewer is in the shown top
    monkeypatch.setattr(views, "BOARD_ROWS", 2)
    text = client.get(f"/skills/campaigns/{scenario.campaign_id}/").text
    mine = text[text.index("My rank") :]
    assert "王*六" in mine and "<td>3</td>" in mine and '<td class="text-end">30</td>' in mine


def test_trade_board(client, scenario):
    login(client, scenario.li)
    t1, _ = scenario.trades
    page = client.get(f"/skills/campaigns/{scenario.campaign_id}/?board=trade&trade={t1}")
    assert page.status_code == 200
    text = page.text
    assert _positions(text, "张*三", "李*明", "王*六") == sorted(
        _positions(text, "张*三", "李*明", "王*六")
    )
    assert ">65<" in text and ">45<" in text and ">20<" in text
    # An unknown trade falls back to the campaign's first; nonsense boards to the whole one.
    assert (
        client.get(f"/skills/campaigns/{scenario.campaign_id}/?board=trade&trade=x").status_code
        == 200
    )
    assert client.get(f"/skills/campaigns/{scenario.campaign_id}/?board=nope").status_code == 200


def test_enterprise_board_with_participation_rate(client, scenario):
    login(client, scenario.wang)
    text = client.get(f"/skills/campaigns/{scenario.campaign_id}/?board=enterprise").text
    assert "Participation rate" in text
    power, steel = _positions(text, "杭州新能电力有限公司", "宁波钢铁有限公司")
    assert power < steel
    assert "65.0" in text and "100.0%" in text  # two of two registered, 130 points
    assert "30.0" in text and "50.0%" in text  # one of two registered, 30 points
    steel_row = text[steel : text.index("</tr>", steel)]
    assert "Yours" in steel_row


def test_city_board(client, scenario):
    login(client, scenario.zhang)
    text = client.get(f"/skills/campaigns/{scenario.campaign_id}/?board=city").text
    board = text[text.index("<tbody>") :]
    hangzhou, ningbo = _positions(board, "杭州市", "宁波市")
    assert hangzhou < ningbo  # 65 a head against (65 + 30) / 2
    assert "Yours" in board[hangzhou : board.index("</tr>", hangzhou)]
    assert "47.5" in text
    assert "Participation rate" not in text


def test_detail_invites_a_newcomer(app, client, as_role, trade_ids):
    with app.app_context():
        campaign_id = _campaign(trade_ids)
    as_role()
    text = client.get(f"/skills/campaigns/{campaign_id}/").text
    assert "You have not taken part yet." in text
    assert "Nobody has taken part yet." in text
    for board in ("trade", "enterprise", "city"):
        page = client.get(f"/skills/campaigns/{campaign_id}/?board={board}")
        assert page.status_code == 200


# --- Statistics -----------------------------------------------------------------------------


def test_statistics_from_the_tallies(app, scenario):
    d1, d2 = scenario.days
    with app.app_context():
        campaign = db.session.get(Campaign, scenario.campaign_id)
        stats = campaign_statistics(campaign, _today())
    days = {row.key: row for row in stats.days}
    assert (days[d1.isoformat()].attempts, days[d1.isoformat()].participants) == (4, 3)
    assert (days[d1.isoformat()].answers, days[d1.isoformat()].correct) == (20, 14)
    assert (days[d2.isoformat()].attempts, days[d2.isoformat()].participants) == (4, 3)
    assert days[_today().isoformat()].attempts == 0  # quiet days are shown as zeros
    trades = {row.label: row for row in stats.trades}
    assert (trades["电工"].answers, trades["电工"].correct) == (17, 14)
    assert (trades["焊工"].answers, trades["焊工"].correct) == (17, 7)
    assert trades["电工"].participants == 3 and trades["焊工"].participants == 3
    assert {row.label: row.participants for row in stats.cities} == {"杭州市": 1, "宁波市": 2}
    rates = {row.label: row.participation_rate for row in stats.enterprises}
    assert rates == {"杭州新能电力有限公司": 1.0, "宁波钢铁有限公司": 0.5}
    chapters = {(row.label, row.detail) for row in stats.chapters}
    assert ("电工", "安全用电") in chapters and ("焊工", "电工基础") in chapters
    assert sum(row.answers for row in stats.chapters) == 34
    assert (stats.total.attempts, stats.total.participants, stats.total.answers) == (8, 3, 34)


def test_statistics_page(client, as_role, scenario):
    as_role(Role.ORGANISER)
    page = client.get(f"/skills/campaigns/{scenario.campaign_id}/statistics")
    assert page.status_code == 200
    text = page.text
    assert scenario.days[0].isoformat() in text
    assert "82.4%" in text and "41.2%" in text  # accuracy of 电工 (14/17) and 焊工 (7/17)
    assert "安全用电" in text and "data-chart=" in text
    assert "js/charts.js" in text and "echarts.min.js" in text
    assert "<script>" not in text


def test_statistics_export(client, as_role, scenario):
    as_role(Role.ADMIN)
    response = client.get(f"/skills/campaigns/{scenario.campaign_id}/statistics.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["概况", "每日", "工种", "城市", "单位", "章节"]
    days = {row[0]: row for row in book["每日"].iter_rows(min_row=2, values_only=True)}
    assert days[scenario.days[0].isoformat()][1:5] == (4, 3, 20, 14)
    trades = {row[0]: row for row in book["工种"].iter_rows(min_row=2, values_only=True)}
    assert trades["电工"][5] == pytest.approx(14 / 17)
    enterprises = {row[0]: row for row in book["单位"].iter_rows(min_row=2, values_only=True)}
    assert enterprises["宁波钢铁有限公司"][1:5] == (3, 1, 2, 0.5)
    assert [cell.value for cell in book["每日"][1]][:3] == ["日期", "参与人次", "参与人数"]


def test_export_name_is_safe(app, client, as_role, trade_ids):
    with app.app_context():
        campaign_id = _campaign(trade_ids, name='练兵/../"x"\r\n')
    as_role(Role.ORGANISER)
    response = client.get(f"/skills/campaigns/{campaign_id}/statistics.xlsx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name.startswith("练兵统计-练兵_x") and name.endswith(".xlsx")
    assert not any(bad in name for bad in ("/", "..", '"', "\r", "\n"))


# --- Rebuild ------------------------------------------------------------------------------


def _snapshot() -> dict:
    """Every standing, non-empty count and tally, as comparable tuples."""
    return {
        "standings": {
            (
                row.campaign_id,
                row.trade_id,
                row.user_id,
                row.enterprise_id,
                row.city,
                row.points,
                row.seconds,
                row.attempts,
                row.answers,
                row.correct,
                row.last_day,
                row.day_points,
            )
            for row in db.session.scalars(select(Standing))
        },
        # The running counts leave rows at 0 when a points value empties; they count nobody.
        "counts": {
            (row.campaign_id, row.trade_id, row.points, row.participants)
            for row in db.session.scalars(select(StandingCount))
            if row.participants
        },
        "tallies": {
            (
                row.dimension,
                row.value,
                row.attempts,
                row.participants,
                row.answers,
                row.correct,
                row.points,
            )
            for row in db.session.scalars(select(Tally))
        },
    }


def test_rebuild_writes_what_the_running_totals_hold(app, runner, scenario):
    with app.app_context():
        before = _snapshot()
        assert len(before["standings"]) == 9
        standing = db.session.get(Standing, (scenario.campaign_id, 0, scenario.zhang.id))
        standing.points = 999  # damage the running figures: the rebuild repairs them
        db.session.execute(Tally.__table__.delete().where(Tally.dimension == "city"))
        db.session.commit()
    result = runner.invoke(args=["standings", "rebuild", "--campaign", str(scenario.campaign_id)])
    assert result.exit_code == 0, result.output
    assert "9 standings written" in result.output
    with app.app_context():
        assert _snapshot() == before
    everything = runner.invoke(args=["standings", "rebuild"])
    assert everything.exit_code == 0, everything.output
    assert "9 standings written in all." in everything.output
    with app.app_context():
        assert _snapshot() == before


def test_rebuild_of_an_unknown_campaign_fails(runner):
    result = runner.invoke(args=["standings", "rebuild", "--campaign", "424242"])
    assert result.exit_code != 0
    assert "No campaign with id 424242" in result.output


def test_points_rules_stay_once_a_campaign_has_begun(app, client, as_role, trade_ids):
    """Standings were earned under the rules: a running campaign keeps them."""
    as_role(Role.ORGANISER)
    with app.app_context():
        campaign_id = _campaign(trade_ids)
        campaign = db.session.get(Campaign, campaign_id)
        same = _form(
            trade_ids,
            name="冬季练兵",
            starts_on=campaign.starts_on.isoformat(),
            ends_on=campaign.ends_on.isoformat(),
            points_per_correct=str(campaign.points_per_correct),
            daily_points_cap=str(campaign.daily_points_cap),
            perfect_day_bonus=str(campaign.perfect_day_bonus),
        )
        before = campaign.points_per_correct
    edit = f"/skills/campaigns/{campaign_id}/edit"
    changed = {**same, "points_per_correct": str(before + 5)}
    response = client.post(edit, data=changed)
    assert response.status_code == 200
    assert "Points rules cannot change once a campaign has begun." in response.text
    assert client.post(edit, data=same).status_code == 302  # other fields may change
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.name, campaign.points_per_correct) == ("冬季练兵", before)
