"""RPC over AMQP on the wire: public names, so a hand-written peer can call or serve an RPC.

Request: published to the default exchange with routing key = the RPC's queue
(`<package>.<Service>.<rpc>`, durable), body = the parameters as a JSON object by IDL name
(docs/wire-format.md), `content_type` `application/json`, a `correlation_id`, `reply_to`
`amq.rabbitmq.reply-to` (RabbitMQ direct reply-to: no queue per call or client), the
`DEADLINE_HEADER` (absolute Unix time in ms) and a per-message `expiration` of the timeout.
An RPC that requires an auth scheme takes the credential as a header too (`credentials`):
`authorization: Bearer <token>`, or the API key under its lower-cased header or query name.

Reply: to `reply_to` with the request's `correlation_id`; `STATUS_HEADER` says what the body is:
- `ok`: the result as JSON (`null` for an RPC without result);
- `error`: a declared error; `ERROR_HEADER` is its IDL name, the body its body as JSON;
- `fail`: anything else (an undeclared exception, a request that does not decode);
  `ERROR_HEADER` is a type name for information, the body `{"error": name, "detail": text}`;
- `unauthorized`: no credential, or one the verifier refused (HTTP's 401), and
  `forbidden`: a required scope missing (HTTP's 403); `ERROR_HEADER` is `Unauthorized` or
  `Forbidden`, the body `{"error": that name, "detail": text}`. Both are answered before the
  parameters are decoded. A verifier that crashes is a `fail`.
A request whose deadline has passed is dropped without a reply.
"""

from __future__ import annotations

import time

#: Absolute deadline of a request, Unix epoch milliseconds (an integer).
DEADLINE_HEADER = "x-svcgen-deadline"
#: On a reply: `ok`, `error` (declared), `fail` (undeclared), `unauthorized` or `forbidden`.
STATUS_HEADER = "x-svcgen-rpc-status"
#: On a reply with status `error` or `fail`: the error's name.
ERROR_HEADER = "x-svcgen-rpc-error"
#: RabbitMQ's direct reply-to pseudo-queue.
REPLY_TO = "amq.rabbitmq.reply-to"

OK, ERROR, FAIL = "ok", "error", "fail"
UNAUTHORIZED, FORBIDDEN = "unauthorized", "forbidden"


def now_ms() -> int:
    return int(time.time() * 1000)
