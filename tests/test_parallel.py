"""`succession.parallel.map_on_cores`: work shared between this process and spawned workers
(ingestion's partitions, the disclosure audit's programmes), results in the items' order."""

from __future__ import annotations

import os
import time

from succession.parallel import map_on_cores, runs_within


def _where(item: int) -> tuple[int, int]:
    time.sleep(0.05)  # long enough that the worker, once started, takes items too
    return item * item, os.getpid()


def test_results_come_back_in_order_from_this_process_and_a_worker():
    items = list(range(60))
    results = map_on_cores(_where, items, workers=2)
    assert [square for square, _ in results] == [i * i for i in items]
    here = [i for i, (_, pid) in zip(items, results) if pid == os.getpid()]
    # the worker takes from the front of the queue; this process, from the back, until they meet
    assert here and here == items[-len(here) :]
    assert len(here) < len(items) and results[0][1] != os.getpid()


def test_one_worker_is_this_process():
    assert {pid for _, pid in map_on_cores(_where, [1, 2, 3], workers=1)} == {os.getpid()}


def test_runs_keep_order_and_their_weight_within_the_limit():
    weights = {"a": 2, "b": 2, "c": 5, "d": 1, "e": 0, "f": 3}
    runs = runs_within(list(weights), weights.get, 4)
    assert runs == [["a", "b"], ["c"], ["d", "e", "f"]]  # c, heavier than the limit, a run alone
    assert runs_within(list(weights), weights.get, None) == [list(weights)]
    assert runs_within([], weights.get, 4) == runs_within([], weights.get, None) == []
