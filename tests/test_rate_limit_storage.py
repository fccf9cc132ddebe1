"""Login limits shared through Redis, as several app processes behind a balancer need."""

import os
import uuid

import pytest

from guild.config import load_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_redis_url_selects_redis_storage(monkeypatch, tmp_path):
    """REDIS_URL in the environment moves the limiter's counters to Redis."""
    from flask import Flask

    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    app = Flask("probe", instance_path=str(tmp_path))
    load_config(app, None)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"no Redis server at {REDIS_URL}: {error}")
    return REDIS_URL


def test_the_account_limit_outlives_a_process(make_app, people, redis_url):
    """Failures counted before a restart still lock the account after it (memory would forget)."""
    import redis

    prefix = f"guild-test-{uuid.uuid4().hex[:8]}"
    settings = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    person = people.make()
    before_restart = make_app(**settings).test_client()
    wrong = {"phone": person.phone, "password": "Wrong12345"}
    for attempt in range(5):
        address = {"REMOTE_ADDR": f"10.1.0.{attempt}"}
        response = before_restart.post("/account/login", data=wrong, environ_base=address)
        assert response.status_code == 200
    assert redis.Redis.from_url(redis_url).keys(f"*{prefix}*")
    after_restart = make_app(**settings).test_client()  # a new limiter storage, same Redis
    right = {"phone": person.phone, "password": person.password}
    assert after_restart.post("/account/login", data=right).status_code == 429
