// Drives the example Tasks service through the generated TypeScript client and socket client.
// Compiled by tests/clients/test_e2e_tasks.py next to a fresh build (tasks_api/) and run with
// `node e2e_tasks.js BASE_URL http` (fetch only) or `node --experimental-websocket e2e_tasks.js
// BASE_URL socket` (Node 20 needs the flag for WebSocket); prints one line per check, exits 1 on failure.

import { Forbidden } from "./tasks_api/typescript/acme_common/client.js";
import { TaskNotFound, TasksClient } from "./tasks_api/typescript/acme_tasks/client.js";
import { TasksSockets } from "./tasks_api/typescript/acme_tasks/sockets.js";
import type { TaskEvent } from "./tasks_api/typescript/acme_tasks/types.js";
import { ApiError } from "./tasks_api/typescript/runtime.js";
import { check, rejection, run } from "./e2e_support.js";

async function socket(baseUrl: string, client: TasksClient): Promise<void> {
  // new tasks tagged "ts-room" are pushed to that room
  const events: TaskEvent[] = [];
  let arrived: () => void = () => undefined;
  const firstEvent = new Promise<void>((resolve) => (arrived = resolve));
  let opens = 0;
  const refused = new TasksSockets({ baseUrl }).live({ project: "ts-room" }, { onMessage: () => undefined });
  const closed = await new Promise<number>((resolve) => refused.socket.addEventListener("close", (e) => resolve(e.code)));
  check(closed === 4401, `a socket without a token is closed with 4401 (${closed})`);

  const live = new TasksSockets({ baseUrl, token: "demo-reader" }).live(
    { project: "ts-room" },
    {
      onOpen: () => {
        opens += 1;
      },
      onMessage: (event) => {
        events.push(event);
        arrived();
      },
    },
  );
  await live.opened;
  check(opens === 1 && live.socket.readyState === 1, "socket opened (onOpen ran, readyState OPEN)");
  check(
    live.socket.url.endsWith("/tasks/live?project=ts-room&token=demo-reader") && live.socket.url.startsWith("ws://"),
    "socket URL, the token in the query",
  );

  const created = await client.createTask({ title: "from TypeScript", tags: ["ts-room"], priority: "high" });
  const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error("no socket message")), 5000));
  await Promise.race([firstEvent, timeout]);
  const event = events[0]!;
  check(event.type === "TaskCreated" && event.task.id === created.id, "socket message TaskCreated for the new task");
  live.close();
}

async function http(baseUrl: string): Promise<void> {
  let calls = 0;
  const tokens = ["expired", "demo-writer"];
  const fetched_tokens: string[] = [];
  const client = new TasksClient({
    baseUrl,
    headers: () => {
      calls += 1;
      return { "x-request-number": String(calls) };
    },
    token: () => {
      fetched_tokens.push(tokens[fetched_tokens.length] ?? "too many");
      return fetched_tokens[fetched_tokens.length - 1]!;
    },
  });

  const health = await client.health();
  check(health.ok && fetched_tokens.length === 0, "public health call needs no token");

  const created = await client.createTask({ title: "from TypeScript", tags: ["ts-http"], priority: "high" });
  check(created.title === "from TypeScript" && created.priority === "high", "createTask returns the stored task");
  check(fetched_tokens.join() === "expired,demo-writer", "the token function is called again once after a 401");

  const fetched = await client.getTask(created.id);
  check(fetched.id === created.id && fetched.tags?.[0] === "ts-http", "getTask");

  const page = await client.listTasks({ limit: 1 });
  check(page.items.length === 1 && page.items[0]!.id === created.id, "listTasks with a query parameter");

  const replaced = await client.replaceTask(created.id, { title: "renamed", tags: ["locked"] });
  check(replaced.title === "renamed", "replaceTask");

  const forbidden = await rejection(client.replaceTask(created.id, { title: "again" }));
  check(forbidden instanceof Forbidden && forbidden.body.reason === "task is locked", "declared error Forbidden");
  check(forbidden instanceof ApiError && (forbidden as ApiError).status === 403, "Forbidden is an ApiError with 403");

  const deleted = await client.deleteTask(created.id);
  check(deleted === undefined, "deleteTask resolves to nothing");

  const missing = await rejection(client.getTask(created.id));
  check(missing instanceof TaskNotFound && missing.body.id === created.id, "declared error TaskNotFound with its body");
  const again = await rejection(client.deleteTask(created.id));
  check(again instanceof TaskNotFound, "deleteTask really deleted: a second one is TaskNotFound");

  const invalid = await rejection(client.listTasks({ limit: 0 }));
  check(
    invalid instanceof ApiError && !(invalid instanceof TaskNotFound) && invalid.status === 422,
    "validation error as ApiError 422",
  );

  const retried = await client.createTask({ title: "once" }, { idempotency_key: "ts-key" });
  const repeated = await client.createTask({ title: "once" }, { idempotency_key: "ts-key" });
  check(retried.id === repeated.id && retried.id !== created.id, "header parameter Idempotency-Key is sent");

  const reader = new TasksClient({ baseUrl, token: "demo-reader" });
  const denied = await rejection(reader.deleteTask(retried.id));
  check(denied instanceof ApiError && (denied as ApiError).status === 403, "a token without the scope gets 403");

  const controller = new AbortController();
  controller.abort();
  const aborted = await rejection(client.listTasks({}, { signal: controller.signal }));
  check(aborted instanceof Error && aborted.name === "AbortError", "AbortSignal cancels a call");
  check(calls === 14, `the headers function ran once for every request (${calls})`);
}

run(async (baseUrl, mode) => {
  if (mode === "socket") {
    await socket(baseUrl, new TasksClient({ baseUrl, token: "demo-writer" }));
  } else {
    await http(baseUrl);
  }
});
