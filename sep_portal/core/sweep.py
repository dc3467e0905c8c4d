"""The scheduled sweep: one idempotent command that applies due deadlines and sends mail.

Features register their deadline tasks with ``@task("name")``. Each task must be safe to run
concurrently on several servers (claim rows with a conditional UPDATE or FOR UPDATE SKIP LOCKED)
and must commit its own work. Mail goes last, so what the tasks queued leaves in the same run.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sep_portal.core import clock, outbox

log = logging.getLogger(__name__)

SweepTask = Callable[[datetime], int]
_TASKS: dict[str, SweepTask] = {}


def task(name: str) -> Callable[[SweepTask], SweepTask]:
    def decorator(fn: SweepTask) -> SweepTask:
        _TASKS[name] = fn
        return fn

    return decorator


@dataclass
class SweepReport:
    at: datetime
    tasks: dict[str, int] = field(default_factory=dict)
    mail: outbox.DeliveryReport | None = None
    webhooks: outbox.DeliveryReport | None = None


def run_sweep() -> SweepReport:
    now = clock.now()
    report = SweepReport(at=now)
    for name, fn in sorted(_TASKS.items()):
        report.tasks[name] = fn(now)
    report.mail = outbox.deliver_pending()
    report.webhooks = outbox.deliver_webhooks()
    log.info("sweep at %s: tasks %s, mail sent %s failed %s", now.isoformat(), report.tasks,
             report.mail.sent, report.mail.failed)
    return report
