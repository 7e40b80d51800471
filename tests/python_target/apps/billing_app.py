"""The Billing example service beside the Tasks example, on one in-process bus.

Imported from a build of examples/billing/billing.idl written as `tasks_api`: that build holds the
generated acme.tasks package too, under the name examples/tasks/app.py (copied beside this file
as `tasks_app.py`) imports, so its InMemoryTasks publishes the `task.created` that bills a task.
Served with `uvicorn billing_app:app`.
"""

from __future__ import annotations

import datetime
import uuid

from svcgen_runtime.http import wire_consumers
from svcgen_runtime.sockets import Connection
from tasks_api.acme_billing_v1.http import create_app
from tasks_api.acme_billing_v1.models import Invoice, InvoicePaid, InvoiceState, Subscribe
from tasks_api.acme_billing_v1.service import INVOICE_PAID, Billing
from tasks_api.acme_common.models import Forbidden, ForbiddenBody, Money, UserRef
from tasks_api.acme_tasks.http import tasks_router
from tasks_api.acme_tasks.models import TaskCreated, TaskDeleted
from tasks_app import HOURLY_RATE_CENTS, InMemoryTasks

Watcher = Connection[InvoicePaid, Subscribe]


class InMemoryBilling(Billing):
    """One draft invoice per new task; paying it tells the live clients that watch it."""

    def __init__(self) -> None:
        self.invoices: dict[uuid.UUID, Invoice] = {}
        self.owners: dict[uuid.UUID, uuid.UUID] = {}  # invoice id -> id of the task's owner
        self.paid: dict[uuid.UUID, InvoicePaid] = {}
        self.watchers: dict[Watcher, set[uuid.UUID]] = {}
        self.trace: list[str] = []

    async def get_invoice(self, invoice_id: uuid.UUID) -> Invoice:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:  # the only declared error: do not tell unknown ids from others' ids
            raise Forbidden(ForbiddenBody(reason="not your invoice"))
        return invoice

    async def invoices_of_task(self, task_id: uuid.UUID, state: InvoiceState | None) -> list[Invoice]:
        return [i for i in self.invoices.values() if i.task_id == task_id and state in (None, i.state)]

    async def pay(self, invoice_id: uuid.UUID) -> Invoice:
        invoice = await self.get_invoice(invoice_id)
        if invoice.state is InvoiceState.PAID:
            return invoice  # paying twice changes nothing and announces nothing
        if invoice.state is InvoiceState.VOID:
            raise Forbidden(ForbiddenBody(reason="invoice is void"))
        invoice = self.invoices[invoice_id] = invoice.model_copy(update={"state": InvoiceState.PAID})
        paid = self.paid[invoice_id] = InvoicePaid(invoice_id=invoice_id, paid_at=datetime.datetime.now(datetime.UTC))
        await self.publish(INVOICE_PAID, paid)
        for connection, watched in list(self.watchers.items()):
            if invoice_id in watched:
                await connection.send(paid)
        return invoice

    async def bill_task(self, message: TaskCreated) -> None:
        task = message.task
        if any(i.task_id == task.id for i in self.invoices.values()):
            return  # a redelivered event bills nothing twice
        hours = 1.0 + len(task.subtasks)
        invoice = Invoice(
            id=uuid.uuid4(),
            task_id=task.id,
            total=Money(amount=int(hours * HOURLY_RATE_CENTS), currency="EUR"),
            issued_on=datetime.date.today(),
        )
        self.invoices[invoice.id] = invoice
        if task.owner is not None:
            self.owners[invoice.id] = task.owner.id

    async def trace_all(self, message: InvoicePaid | TaskCreated | TaskDeleted) -> None:
        self.trace.append(type(message).__name__)

    async def close_month(self) -> None:
        for invoice_id, invoice in list(self.invoices.items()):
            if invoice.state is InvoiceState.DRAFT:
                self.invoices[invoice_id] = invoice.model_copy(update={"state": InvoiceState.SENT})

    async def outstanding(self, customer: UserRef) -> list[Invoice]:
        open_states = (InvoiceState.DRAFT, InvoiceState.SENT)
        return [i for i in self.invoices.values() if i.state in open_states and self.owners.get(i.id) == customer.id]

    async def watch(self, connection: Watcher) -> None:
        watched = self.watchers[connection] = set()
        try:
            async for subscribe in connection.receive():
                watched.update(subscribe.invoice_ids)
                for invoice_id in subscribe.invoice_ids:  # what was paid before the client asked
                    if invoice_id in self.paid:
                        await connection.send(self.paid[invoice_id])
        finally:
            del self.watchers[connection]


billing = InMemoryBilling()
tasks = InMemoryTasks()
tasks.attach(billing.runtime)  # one bus: the tasks' events reach the billing consumers
app = create_app(billing)
tasks_router(tasks, app.router)
wire_consumers([tasks])
