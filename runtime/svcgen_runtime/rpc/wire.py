"""RPC over AMQP on the wire: public names, so a hand-written peer can call or serve an RPC.

Request: published to the default exchange with routing key = the RPC's queue
(`<package>.<Service>.<rpc>`, durable), body = the parameters as a JSON object by IDL name
(docs/wire-format.md), `content_type` `application/json`, a `correlation_id`, `reply_to`
`amq.rabbitmq.reply-to` (RabbitMQ direct reply-to: no queue per call or client), the
`DEADLINE_HEADER` (absolute Unix time in ms) and a per-message `expiration` of the timeout.

Reply: to `reply_to` with the request's `correlation_id`; `STATUS_HEADER` says what the body is:
- `ok`: the result as JSON (`null` for an RPC without result);
- `error`: a declared error; `ERROR_HEADER` is its IDL name, the body its body as JSON;
- `fail`: anything else (an undeclared exception, a request that does not decode);
  `ERROR_HEADER` is a type name for information, the body `{"error": name, "detail": text}`.
A request whose deadline has passed is dropped without a reply.
"""

from __future__ import annotations

import time

#: Absolute deadline of a request, Unix epoch milliseconds (an integer).
DEADLINE_HEADER = "x-svcgen-deadline"
#: On a reply: `ok`, `error` (declared) or `fail` (undeclared).
STATUS_HEADER = "x-svcgen-rpc-status"
#: On a reply with status `error` or `fail`: the error's name.
ERROR_HEADER = "x-svcgen-rpc-error"
#: RabbitMQ's direct reply-to pseudo-queue.
REPLY_TO = "amq.rabbitmq.reply-to"

OK, ERROR, FAIL = "ok", "error", "fail"


def now_ms() -> int:
    return int(time.time() * 1000)
