"""Progress of one in-process Dagster run, printed while it runs.

``succession run`` executes each job with ``execute_in_process`` on the main thread (with
stdout sent to the job's log file). :class:`JobProgress` watches the run's event log from a
daemon thread, once a second, and prints a line whenever something changed: assets
materialised out of the job's total, the step running now and the elapsed time::

    [3/5 build_warehouse] 37/97 assets, now: warehouse (last: staging/stg_survey__answers) (elapsed 41s)

Assets are counted by distinct asset key from ``ASSET_MATERIALIZATION`` events, so the dbt
build (one op materialising ~90 models) moves the count model by model, and a run over a
range of partitions counts each asset once. When nothing changes for ``heartbeat``
seconds the line is printed again so a long step still shows the clock moving.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable

import dagster as dg

WATCHED = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
}


class JobProgress:
    """Use as a context manager around ``job.execute_in_process(run_id=progress.run_id, ...)``."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        *,
        label: str,
        total_assets: int,
        emit: Callable[[str], None],
        started: float | None = None,
        run_id: str | None = None,
        interval: float = 1.0,
        heartbeat: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.instance = instance
        self.run_id = run_id or str(uuid.uuid4())  # what Dagster's own (private) make_new_run_id does
        self.label = label
        self.total = total_assets
        self.emit = emit
        self.clock = clock
        self.started = clock() if started is None else started
        self.interval = interval
        self.heartbeat = heartbeat
        self.done: set[dg.AssetKey] = set()
        self.running: dict[str, int] = {}  # step key -> assets it has materialised so far
        self.failed: list[str] = []
        self.last_asset: str | None = None
        self.lines: list[str] = []
        self._cursor: str | None = None
        self._shown: tuple | None = None
        self._shown_at = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- watching ------------------------------------------------------------------------
    def __enter__(self) -> JobProgress:
        self._thread = threading.Thread(target=self._watch, name=f"progress-{self.label}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        # the last events (the final count), printed only if it changed; progress must never break the run
        with contextlib.suppress(Exception):
            self.poll()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - progress must never break the run
                continue

    def poll(self) -> str | None:
        """Read the run's new events; print (and return) a line if anything changed."""
        with self._lock:
            self._read()
            state = (len(self.done), tuple(self.running), self.last_asset, tuple(self.failed))
            now = self.clock()
            if state == self._shown and (now - self._shown_at) < self.heartbeat:
                return None
            if self._shown is None and not (self.done or self.running or self.failed):
                return None  # the run has not started a step yet
            self._shown, self._shown_at = state, now
            line = self.line()
            self.lines.append(line)
        self.emit(line)
        return line

    def _read(self) -> None:
        while True:
            conn = self.instance.get_records_for_run(self.run_id, cursor=self._cursor, of_type=WATCHED, limit=1000)
            for record in conn.records:
                self._apply(record.event_log_entry)
            self._cursor = conn.cursor
            if not conn.has_more:
                return

    def _apply(self, entry) -> None:
        event = entry.dagster_event
        if event is None:
            return
        step = event.step_key or entry.step_key or "?"
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            self.running.setdefault(step, 0)
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_SKIPPED):
            self.running.pop(step, None)
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            self.running.pop(step, None)
            self.failed.append(step)
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            key = event.asset_key
            if key is not None:
                self.done.add(key)
                self.last_asset = key.to_user_string()
            if step in self.running:
                self.running[step] += 1

    # -- the line ------------------------------------------------------------------------
    def line(self) -> str:
        parts = [f"[{self.label}] {len(self.done)}/{self.total} assets"]
        if self.running:
            now = []
            for step, n in self.running.items():
                # a step making many assets (the dbt build) names the one it finished last
                now.append(
                    f"{step} (last: {self.last_asset})" if n and self.last_asset and self.last_asset != step else step
                )
            parts.append("now: " + ", ".join(now))
        if self.failed:
            parts.append("failed: " + ", ".join(self.failed))
        return ", ".join(parts) + f" (elapsed {self.clock() - self.started:.0f}s)"
