"""A runnable Tasks service: the hand-written, in-memory implementation of the generated class.

Build, then serve with its consumers in one process (from the repository root):
    svcgen build examples/tasks/tasks.idl --out examples/tasks/tasks_api
    cd examples/tasks && svcgen run all app:tasks
`uvicorn --app-dir examples/tasks app:app` serves the same, consumers on the embedded bus included.
Every call but /health needs a token: `curl -H 'Authorization: Bearer demo-reader' localhost:8000/tasks`
(`demo-writer` may also delete).
"""

from __future__ import annotations

import uuid
from typing import Never

from svcgen_runtime.auth import use_claims
from svcgen_runtime.sockets import Connection
from tasks_api.acme_common.models import Forbidden, ForbiddenBody, Money
from tasks_api.acme_tasks.http import create_app
from tasks_api.acme_tasks.models import (
    Estimate,
    Health,
    NewTask,
    Task,
    TaskCreated,
    TaskDeleted,
    TaskEvent,
    TaskNotFound,
    TaskNotFoundBody,
    TaskPage,
    UserClaims,
)
from tasks_api.acme_tasks.service import TASK_CREATED, TASK_DELETED, USER, Tasks

HOURLY_RATE_CENTS = 9000

# Fixed tokens, so the example runs with nothing else installed. A real service verifies a JWT
# (its signature, expiry and audience) or asks its identity provider here.
DEMO_TOKENS = {
    "demo-reader": UserClaims(sub="reader"),
    "demo-writer": UserClaims(sub="writer", scopes=["tasks:write"]),
}


def project_of(task: Task) -> str:
    """Tasks belong to the project named by their first tag (the live room they appear in)."""
    return task.tags[0] if task.tags else "inbox"


class InMemoryTasks(Tasks):
    """Tasks kept in a dict; newest first; `locked` tags make a task read-only."""

    def __init__(self) -> None:
        self.tasks: dict[uuid.UUID, Task] = {}
        self.search_index: set[uuid.UUID] = set()
        self.audit_log: list[str] = []
        self.created_by_key: dict[tuple[str, str], uuid.UUID] = {}

    async def verify_user(self, token: str) -> UserClaims | None:
        return DEMO_TOKENS.get(token)  # None answers 401

    async def health(self) -> Health:
        return Health(ok=True)

    async def list_tasks(self, limit: int, cursor: str | None) -> TaskPage:
        ordered = list(reversed(self.tasks.values()))
        start = int(cursor) if cursor and cursor.isdigit() else 0
        page = ordered[start : start + limit]
        more = start + limit < len(ordered)
        return TaskPage(items=page, next_cursor=str(start + limit) if more else None)

    async def get_task(self, id: uuid.UUID) -> Task:
        task = self.tasks.get(id)
        if task is None:
            raise TaskNotFound(TaskNotFoundBody(id=id))
        return task

    async def create_task(self, task: NewTask, idempotency_key: str | None) -> Task:
        # keys are per caller: one user's key never returns another user's task
        key = (use_claims(USER).sub, idempotency_key) if idempotency_key else None
        if key in self.created_by_key and (earlier := self.tasks.get(self.created_by_key[key])):
            return earlier
        stored = Task(id=uuid.uuid4(), title=task.title, priority=task.priority, tags=task.tags, due=task.due)
        self.tasks[stored.id] = stored
        if key is not None:
            self.created_by_key[key] = stored.id
        await self.publish(TASK_CREATED, TaskCreated(task=stored))
        return stored

    async def replace_task(self, id: uuid.UUID, task: NewTask) -> Task:
        current = await self.get_task(id)
        if "locked" in current.tags:
            raise Forbidden(ForbiddenBody(reason="task is locked"))
        replaced = current.model_copy(
            update={"title": task.title, "priority": task.priority, "tags": task.tags, "due": task.due}
        )
        self.tasks[id] = replaced
        return replaced

    async def delete_task(self, id: uuid.UUID) -> None:
        task = await self.get_task(id)
        del self.tasks[id]
        self.search_index.discard(id)
        await self.publish(TASK_DELETED, TaskDeleted(id=id))
        await self.sockets.live.send(project_of(task), TaskDeleted(id=id))

    async def estimate(self, task_id: uuid.UUID, with_cost: bool) -> Estimate:
        task = await self.get_task(task_id)
        hours = 1.0 + len(task.subtasks)
        cost = Money(amount=int(hours * HOURLY_RATE_CENTS) if with_cost else 0, currency="EUR")
        return Estimate(task_id=task_id, hours=hours, cost=cost)

    async def index_task(self, message: TaskCreated) -> None:
        self.search_index.add(message.task.id)

    async def audit_task(self, message: TaskCreated | TaskDeleted) -> None:
        # consumers see every task event; new tasks go live to their project's room from here
        self.audit_log.append(message.model_dump_json())
        if isinstance(message, TaskCreated):
            await self.sockets.live.send(project_of(message.task), message)

    async def purge_done(self) -> None:
        for task_id in [t.id for t in self.tasks.values() if t.done]:
            del self.tasks[task_id]

    async def refresh_cache(self) -> None:
        return None

    async def live(self, connection: Connection[TaskEvent, Never], project: str) -> None:
        return None  # joining the room is all a live client needs


tasks = InMemoryTasks()  # the target of `svcgen run ROLE app:tasks`
app = create_app(tasks)
