# Copyright: the platform toolkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: run_timings
type: aggregate
short_description: Writes every task's wall time and outcome to a JSON file, for the benchmark
description:
  - Active only when the environment variable C(PLATFORM_TIMINGS_FILE) names a file;
    silent otherwise.
  - One entry per task and host, in run order, with the task's role, name, action, outcome
    (ok, changed, skipped, failed) and seconds from the task's start to its result.
    Included-role and loop tasks count once per task, like ansible's own recap.
  - C(benchmarks/site.py) reads the file to report where a run's time goes.
requirements:
  - enabled in ansible.cfg (callbacks_enabled)
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

FILE_ENV = "PLATFORM_TIMINGS_FILE"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "run_timings"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get(FILE_ENV)
        self._started = {}
        self._tasks = []
        self._run_started = time.monotonic()

    def _start(self, task):
        if self._path:
            self._started[task._uuid] = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def _record(self, result, outcome):
        if not self._path:
            return
        task = result._task
        role = task._role.get_name(include_role_fqcn=False) if task._role else ""
        started = self._started.get(task._uuid, time.monotonic())
        if outcome == "ok" and result._result.get("changed"):
            outcome = "changed"
        self._tasks.append({
            "role": role,
            "task": task.get_name(),
            "action": task.action,
            "host": result._host.get_name(),
            "outcome": outcome,
            "seconds": round(time.monotonic() - started, 3),
        })

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "failed")

    def v2_playbook_on_stats(self, stats):
        if not self._path:
            return
        with open(self._path, "w", encoding="utf-8") as out:
            json.dump({"seconds": round(time.monotonic() - self._run_started, 3), "tasks": self._tasks}, out, indent=1)
