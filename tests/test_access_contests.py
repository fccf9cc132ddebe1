"""Contest pages by the viewer's part in the contest, before reveal and after publication.

tests/test_access.py checks each route's rule by platform role; here the same routes are
walked by a contest's organiser, chief judge, a judge, its encryption officer, an entrant, a
worker with no entry and an enterprise contact: who gets each page, that no judge sees an
entrant's name (or enterprise) before reveal nor another panel's aspect, and that a worker
sees only their own marks, and only once the results are published.
"""

import pytest

from competitions.contests.models import Stage
from tests.conftest import login
from tests.contest_scene import build_contest

CONTEST_BLUEPRINTS = {"contests", "contest_entries", "judging", "contest_results"}
PARTS = ("organiser", "chief", "judge", "officer", "entrant", "other", "contact")
MEASURED = "接线电阻符合要求"  # aspect A1.1: marked by the first judge alone
JUDGED = "布线工艺美观"  # aspect A1.2: every judge's panel

# Status of each page for each part (in PARTS order), before reveal and once published.
BEFORE_REVEAL = {
    "contests.detail": (200, 200, 200, 200, 200, 200, 200),
    "contests.entries": (200, 403, 403, 403, 403, 403, 403),
    "contests.scheme": (200, 200, 403, 403, 403, 403, 403),
    "contests.panels": (200, 200, 403, 403, 403, 403, 403),
    "judging.sheet": (403, 200, 200, 403, 403, 403, 403),
    "judging.progress": (403, 200, 404, 403, 403, 403, 403),
    "judging.mapping": (404, 404, 404, 200, 404, 404, 404),
    "contest_results.results": (200, 200, 403, 403, 403, 403, 403),
    "contest_results.sheet": (200, 200, 403, 403, 403, 403, 403),
    "contest_results.analytics": (200, 200, 403, 403, 403, 403, 403),
    "contest_entries.appeals": (200, 403, 403, 403, 403, 403, 403),
}
PUBLISHED = {
    "contest_results.results": (200, 200, 200, 200, 200, 200, 200),
    "contest_results.sheet": (200, 200, 403, 403, 403, 403, 403),
    "contest_results.results_xlsx": (200, 200, 403, 403, 403, 403, 403),
    "contest_results.my_certificate": (404, 404, 404, 404, 200, 404, 404),
    "judging.mapping": (200, 404, 404, 200, 404, 404, 404),
    "contest_entries.result": (200, 200, 200, 200, 200, 200, 200),
}


@pytest.fixture
def app(make_app):
    return make_app(BABEL_DEFAULT_LOCALE="en")


def _scene(app, people, trade_id, until: Stage):
    scene = build_contest(app, people, trade_id, until=until)
    other = people.make(real_name="路人乙")
    persons = dict(
        zip(
            PARTS,
            (
                scene.organiser,
                scene.chief,
                scene.judges[1],  # on every judged aspect's panel, not on A1.1's
                scene.officer,
                scene.workers[0],
                other,
                scene.contact,
            ),
            strict=True,
        )
    )
    values = {
        "contest_id": scene.contest_id,
        "aspect_id": scene.aspects["A1.2"],
        "criterion_id": scene.criteria["A"],
        "entry_id": scene.entries[scene.workers[0].id],
    }
    return scene, persons, values


def _pages(app, values: dict) -> dict[str, str]:
    """Every contest page reached by GET with the scene's ids, by endpoint."""
    pages = {}
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        reachable = "GET" in rule.methods and set(rule.arguments) <= set(values)
        if blueprint in CONTEST_BLUEPRINTS and reachable:
            pages[rule.endpoint] = rule.build({k: values[k] for k in rule.arguments})[1]
    return pages


def _walk(app, person, pages: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Status and HTML of every page as the person sees it."""
    client = app.test_client()
    login(client, person)
    seen = {}
    for endpoint, url in pages.items():
        response = client.get(url)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        seen[endpoint] = (response.status_code, html)
    return seen


def _check_statuses(seen: dict, table: dict) -> None:
    for endpoint, statuses in table.items():
        got = tuple(seen[part][endpoint][0] for part in PARTS)
        assert got == statuses, endpoint


def _names(scene) -> list[str]:
    return [worker.real_name for worker in scene.workers]


def test_before_reveal_judges_see_codes_only_and_their_own_panels(app, people, trade_id):
    scene, persons, values = _scene(app, people, trade_id, Stage.PRACTICAL)
    pages = _pages(app, values)
    seen = {part: _walk(app, person, pages) for part, person in persons.items()}
    _check_statuses(seen, BEFORE_REVEAL)
    firms = ["杭州市电力有限公司", "宁波市电力有限公司"]
    for part in ("chief", "judge", "organiser"):  # the organiser's results: codes too
        for endpoint, (status, html) in seen[part].items():
            if status != 200 or endpoint in ("contests.entries", "contests.staff"):
                continue  # who entered is the organiser's to see, never their codes
            leaked = [text for text in _names(scene) + firms if text in html]
            assert not leaked, (part, endpoint, leaked)
    officer_map = seen["officer"]["judging.mapping"][1]
    assert all(name in officer_map for name in _names(scene))
    # The judge's sheet lists their panels' aspects only; another panel's is refused unseen.
    sheet = seen["judge"]["judging.sheet"][1]
    assert JUDGED in sheet and MEASURED not in sheet
    client = app.test_client()
    login(client, persons["judge"])
    other_panel = f"/skills/judging/{scene.contest_id}/aspects/{scene.aspects['A1.1']}"
    refused = client.get(other_panel)
    assert refused.status_code == 403 and MEASURED not in refused.get_data(as_text=True)
    # Before publication an entrant's own page shows no marks.
    result = seen["entrant"]["contest_entries.result"][1]
    assert "Results are not published yet." in result and JUDGED not in result


def test_once_published_a_worker_sees_the_ranking_and_only_their_own_marks(app, people, trade_id):
    scene, persons, values = _scene(app, people, trade_id, Stage.PUBLICITY)
    pages = _pages(app, values)
    seen = {part: _walk(app, person, pages) for part, person in persons.items()}
    _check_statuses(seen, PUBLISHED)
    mine = seen["entrant"]["contest_entries.result"][1]
    others = [name for name in _names(scene)[1:] if name in mine]
    assert JUDGED in mine and not others  # own aspect marks; nobody else's
    outsider = seen["other"]["contest_entries.result"][1]
    assert JUDGED not in outsider
    ranking = seen["other"]["contest_results.results"][1]
    assert scene.workers[0].real_name in ranking  # the published ranking names entrants
    assert JUDGED not in ranking  # but shows no aspect marks
