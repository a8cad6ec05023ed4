"""The per-app LRU caches: bounded by total weight, least recently used out first."""

from __future__ import annotations

import pytest

from gdlab.web.caches import Cache


def test_least_recently_used_goes_first():
    cache: Cache[str] = Cache(2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # now b is the oldest
    cache.put("c", "C")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("A", None, "C")
    assert len(cache) == 2


def test_weight_bounds_the_total_and_too_heavy_values_are_not_kept():
    cache: Cache[list[int]] = Cache(5, weight=len)
    cache.put("three", [1, 2, 3])
    cache.put("two", [1, 2])
    assert cache.total == 5
    cache.put("one", [1])
    assert cache.get("three") is None and cache.total == 3
    cache.put("six", [0] * 6)
    assert cache.get("six") is None and cache.total == 3
    cache.put("two", [9])  # replacing an entry replaces its weight
    assert cache.total == 2 and cache.get("two") == [9]


@pytest.mark.parametrize("capacity", [0, 1])
def test_tiny_caches_hold_what_fits(capacity):
    cache: Cache[int] = Cache(capacity)
    cache.put("x", 1)
    assert len(cache) == capacity


def test_repeated_runs_come_from_the_cache_with_their_own_labels(make_client):
    body = {"problem": {"name": "booth"}, "steps": 30, "optimizers": [{"name": "adam"}]}
    with make_client() as client:
        first = client.post("/api/run", json=body).json()["runs"][0]
        cache = client.app.state.runs
        assert len(cache) == 1 and cache.total == 31
        labelled = {**body, "optimizers": [{"name": "adam", "label": "mine"}]}
        again = client.post("/api/run", json=labelled).json()["runs"][0]
        assert again == {**first, "label": "mine"} and len(cache) == 1
        other = {**body, "optimizers": [{"name": "adam", "hyperparams": {"beta1": 0.5}}]}
        changed = client.post("/api/run", json=other).json()["runs"][0]
        assert changed["path"] != first["path"] and len(cache) == 2


def test_runs_cut_short_by_the_deadline_are_not_kept(make_client):
    body = {"problem": {"name": "booth"}, "steps": 30, "optimizers": [{"name": "adam"}]}
    with make_client(time_budget_s=0.0) as client:
        assert client.post("/api/run", json=body).json()["runs"][0]["status"] == "stopped"
        assert len(client.app.state.runs) == 0
