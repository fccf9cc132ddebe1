"""No input to the organisers' contest pages gives a 500, whoever sends it. Both engines."""

import pytest

from competitions.contests.models import Stage
from tests.contest_scene import build_contest
from tests.test_contest_pages_setup import BASE
from tests.test_contest_pages_setup_rules import PAGES, POSTS, signed_in

GARBAGE = {
    "user_id": "x",
    "aspect_id": "-1",
    "role": "king",
    "decision": "maybe",
    "note": "n" * 300,
    "count": "1e9",
    "labels": "\x00",
    "blueprint_id": "abc",
    "opens_at": "tomorrow",
    "closes_at": "9999-99-99T99:99",
    "phone": "<script>",
    "name": "",
    "theory_weight": "Infinity",
}


@pytest.fixture
def app(make_app):
    """The app speaking English."""
    return make_app(BABEL_DEFAULT_LOCALE="en")


def test_no_input_gives_a_500(app, people, trade_id):
    scene = build_contest(app, people, trade_id, until=Stage.DRAWN)
    entry_id = next(iter(scene.entries.values()))
    paths = [*PAGES, *POSTS, f"entries/{entry_id}/decide"]
    for person in (scene.organiser, scene.chief, scene.workers[0]):
        client = signed_in(app, person)
        for path in paths:
            url = f"{BASE}/{scene.contest_id}/{path}"
            for data in ({}, GARBAGE):
                response = client.post(url, data=data)
                assert response.status_code < 500, (person.real_name, url, data is GARBAGE)
    organiser = signed_in(app, scene.organiser)
    assert organiser.post(f"{BASE}/new", data=GARBAGE).status_code == 400
