"""One change per rule of `svcgen breaking`, with the exact first finding it must produce.

Each case is (old, new, header): the previous and the new text of `a.idl` (dicts for more
files), and the header `FILE:LINE:COL: SEVERITY[CODE]: message` of the first finding; the
previous version lives in `old/`, so a removal points into `old/a.idl`. idl/README.md quotes
the same examples; tests/frontend/test_reference.py keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    old: str | dict[str, str]
    new: str | dict[str, str]
    header: str


GET = "service S {\n  GET /m get() -> M;\n}\n"  # M is read by clients
POST = "service S {\n  POST /m put(m: M);\n}\n"  # M is written by clients
BOTH = "topic m.changed: M;\n"  # a topic payload: both
Q = "service S {\n  GET /m get(limit: int = 50 @max(500)) -> string;\n}\n"
RPC = "service S {\n  rpc estimate(id: uuid) -> int timeout 5s;\n}\n"
GRPC = "service S {\n  rpc get() -> M;\n}\n"  # M is in the .proto
AUTH = "package p;\nmessage C { sub: string; scopes: list<string> = []; }\nauth user = bearer -> C;\n"
KEY = 'auth key = apikey header "X-Key" -> C;\n'

CASES: dict[str, Case] = {
    "B101": Case(
        "package p;\nmessage M { a: int; b: int; }\n" + GET,
        "package p;\nmessage M { a: int; }\n" + GET,
        "old/a.idl:2:21: error[B101]: field 'M.b' was removed, but clients read it",
    ),
    "B102": Case(
        "package p;\nmessage M { a: int; }\n" + GET,
        "package p;\nmessage M { a: int?; }\n" + GET,
        "a.idl:2:16: error[B102]: field 'M.a' is now optional, but clients that read it expect it",
    ),
    "B103": Case(
        "package p;\nmessage M { a: int; }\n" + BOTH,
        "package p;\nmessage M { a: string; }\n" + BOTH,
        "a.idl:2:16: error[B103]: field 'M.a' changed type from 'int' to 'string'",
    ),
    "B104": Case(
        "package p;\nmessage M { a: int @max(10); }\n" + GET,
        "package p;\nmessage M { a: int @max(100); }\n" + GET,
        "a.idl:2:20: error[B104]: 'M.a' now allows @max(100) instead of @max(10); clients that validate what they"
        " read reject new values",
    ),
    "B105": Case(
        "package p;\nenum E { a; }\nmessage M { e: E; }\n" + GET,
        "package p;\nenum E { a; b; }\nmessage M { e: E; }\n" + GET,
        "a.idl:2:13: warning[B105]: enum 'E' has a new value 'b' that clients read; exhaustive matches break",
    ),
    "B106": Case(
        "package p;\nmessage A { x: int; }\nmessage B { y: int; }\nunion M = A;\n" + GET,
        "package p;\nmessage A { x: int; }\nmessage B { y: int; }\nunion M = A | B;\n" + GET,
        "a.idl:4:15: warning[B106]: union 'M' has a new member 'B' that clients read; exhaustive matches break",
    ),
    "B107": Case(
        "package p;\nerror Gone 410 { id: uuid; }\nservice S {\n  GET /m get() throws Gone;\n}\n",
        "package p;\nerror Gone 410 { }\nservice S {\n  GET /m get() throws Gone;\n}\n",
        "old/a.idl:2:18: error[B107]: field 'id' of error 'Gone' was removed, but clients that catch it read it",
    ),
    "B108": Case(
        "package p;\nerror Gone 410 { }\nservice S {\n  GET /m get() throws Gone;\n}\n",
        "package p;\nerror Gone 404 { }\nservice S {\n  GET /m get() throws Gone;\n}\n",
        "a.idl:2:12: error[B108]: error 'Gone' now has status 404 instead of 410; clients recognise it by it",
    ),
    "B201": Case(
        "package p;\nmessage M { a: int; }\n" + POST,
        "package p;\nmessage M { a: int; b: int; }\n" + POST,
        "a.idl:2:21: error[B201]: 'M' has a new required field 'b' that old clients do not send",
    ),
    "B202": Case(
        "package p;\nmessage M { a: int?; }\n" + POST,
        "package p;\nmessage M { a: int; }\n" + POST,
        "a.idl:2:13: error[B202]: field 'M.a' is now required, but old clients may leave it out",
    ),
    "B203": Case(
        "package p;\nmessage M { a: string @length(1, 100); }\n" + POST,
        "package p;\nmessage M { a: string @length(1, 10); }\n" + POST,
        "a.idl:2:23: error[B203]: 'M.a' now allows @length(1, 10) instead of @length(1, 100); values old clients"
        " send may be rejected",
    ),
    "B204": Case(
        "package p;\nenum E { a; b; }\nmessage M { e: E; }\n" + POST,
        "package p;\nenum E { a; }\nmessage M { e: E; }\n" + POST,
        "old/a.idl:2:13: error[B204]: enum 'E' lost its value 'b', which old clients may still send",
    ),
    "B205": Case(
        "package p;\nmessage M { n: int = 1; }\n" + POST,
        "package p;\nmessage M { n: int = 2; }\n" + POST,
        "a.idl:2:22: error[B205]: the default of 'M.n' changed from 1 to 2; an old client that leaves it out now"
        " means something else",
    ),
    "B206": Case(
        "package p;\nmessage A { x: int; }\nmessage B { y: int; }\nunion M = A | B;\n" + POST,
        "package p;\nmessage A { x: int; }\nmessage B { y: int; }\nunion M = A;\n" + POST,
        "old/a.idl:4:15: error[B206]: union 'M' lost its member 'B', which old clients may still send",
    ),
    "B301": Case(
        "package p;\nservice S {\n  GET /a a() -> int;\n  GET /b b() -> int;\n}\n",
        "package p;\nservice S {\n  GET /a a() -> int;\n}\n",
        "old/a.idl:4:10: error[B301]: endpoint 'b' (GET /b) was removed",
    ),
    "B302": Case(
        "package p;\nservice S {\n  GET /a a() -> int;\n}\n",
        "package p;\nservice S {\n  GET /v2/a a() -> int;\n}\n",
        "a.idl:3:7: error[B302]: endpoint 'a' moved from GET /a to GET /v2/a; old clients still call GET /a",
    ),
    "B303": Case(
        "package p;\nservice S {\n  POST /a a() -> int status 201;\n}\n",
        "package p;\nservice S {\n  POST /a a() -> int;\n}\n",
        "a.idl:3:11: error[B303]: endpoint 'a' now answers 200 instead of 201",
    ),
    "B304": Case(
        "package p;\nservice S {\n  GET /a a() -> int;\n}\n",
        "package p;\nservice S {\n  GET /a a(q: string) -> int;\n}\n",
        "a.idl:3:12: error[B304]: 'a' has a new required query parameter 'q' that old clients do not send",
    ),
    "B305": Case(
        "package p;\nerror Gone 410 { }\nservice S {\n  GET /a a() -> int throws Gone;\n}\n",
        "package p;\nerror Gone 410 { }\nservice S {\n  GET /a a() -> int;\n}\n",
        "old/a.idl:4:28: error[B305]: 'a' no longer declares error 'Gone', which clients may catch",
    ),
    "B306": Case(
        "package p;\nmessage A { x: int; }\nmessage B { x: int; }\nservice S {\n  POST /a a(body: A);\n}\n",
        "package p;\nmessage A { x: int; }\nmessage B { x: int; }\nservice S {\n  POST /a a(body: B);\n}\n",
        "a.idl:5:19: error[B306]: parameter 'body' of 'a' changed type from 'A' to 'B'",
    ),
    "B307": Case(
        "package p;\nservice S {\n  GET /a a() -> float;\n}\n",
        "package p;\nservice S {\n  GET /a a() -> string;\n}\n",
        "a.idl:3:17: error[B307]: 'a' now returns 'string' instead of 'float'",
    ),
    "B308": Case(
        "package p;\nservice S {\n  GET /a a() -> int;\n}\n",
        "package p;\nservice S {\n  GET /a fetch_a() -> int;\n}\n",
        "a.idl:3:10: warning[B308]: endpoint GET /a was renamed from 'a' to 'fetch_a'; regenerated clients call it by"
        " the new name",
    ),
    "B309": Case(
        "package p;\nservice S {\n  socket /live live();\n}\n",
        "package p;\nservice S {\n}\n",
        "old/a.idl:3:16: error[B309]: socket 'live' (/live) was removed",
    ),
    "B401": Case(
        "package p;\n" + RPC,
        "package p;\nservice S {\n  rpc guess(id: uuid) -> int timeout 5s;\n}\n",
        "old/a.idl:3:7: error[B401]: rpc 'estimate' was removed or renamed; callers still send to queue"
        " 'p.S.estimate'",
    ),
    "B402": Case(
        "package p;\n" + RPC,
        "package p;\nservice S {\n  rpc estimate(id: uuid, full: bool) -> int timeout 5s;\n}\n",
        "a.idl:3:26: error[B402]: rpc 'estimate' has a new required parameter 'full' that old callers do not send",
    ),
    "B403": Case(
        "package p;\n" + RPC,
        "package p;\nservice S {\n  rpc estimate(id: uuid) -> string timeout 5s;\n}\n",
        "a.idl:3:29: error[B403]: rpc 'estimate' now returns 'string' instead of 'int'",
    ),
    "B404": Case(
        "package p;\n" + RPC,
        "package p;\nservice S {\n  rpc estimate(id: uuid) -> int timeout 2s;\n}\n",
        "a.idl:3:41: warning[B404]: rpc 'estimate' times out after 2s instead of 5s; calls that used to finish may"
        " now fail",
    ),
    "B405": Case(
        "package p;\nmessage M { a: int; c: int; }\n" + GRPC,
        "package p;\nmessage M { a: int; b: int?; c: int; }\n" + GRPC,
        "a.idl:2:30: error[B405]: field 'M.c' moves from number 2 to 3 in the .proto; gRPC peers compiled from the"
        " old one read it as another field",
    ),
    "B406": Case(
        "package p;\nmessage M { a: int; }\nservice S {\n  rpc get(a: int, b: int = 0) -> M;\n}\n",
        "package p;\nmessage M { a: int; }\nservice S {\n  rpc get(a: int, c: int = 0) -> M;\n}\n",
        "a.idl:4:19: error[B406]: parameter 'get.c' takes number 2 in the .proto, which was 'b'; gRPC peers compiled"
        " from the old one send and read 'b' there",
    ),
    "B501": Case(
        "package p;\nmessage M { a: int; }\ntopic m.created: M;\n",
        "package p;\nmessage M { a: int; }\ntopic m.added: M;\n",
        "old/a.idl:3:7: error[B501]: topic 'm.created' was removed or renamed; its consumers stop receiving messages",
    ),
    "B502": Case(
        "package p;\nmessage M { a: int; }\nmessage N { a: int; }\ntopic m.created: M;\n",
        "package p;\nmessage M { a: int; }\nmessage N { a: int; }\ntopic m.created: N;\n",
        "a.idl:4:18: error[B502]: topic 'm.created' now carries 'N' instead of 'M'",
    ),
    "B503": Case(
        "package shop;\nmessage M { a: int; }\ntopic m.created: M;\n",
        "package store;\nmessage M { a: int; }\ntopic m.created: M;\n",
        "a.idl:1:9: error[B503]: package 'shop' was renamed to 'store'; its exchange and queues change names, so"
        " publishers and consumers no longer meet",
    ),
    "B504": Case(
        "package p;\nmessage M { a: int; }\ntopic m.created: M;\nservice S {\n  on m.created index;\n}\n",
        "package p;\nmessage M { a: int; }\ntopic m.created: M;\nservice S {\n  on m.created reindex;\n}\n",
        "old/a.idl:5:16: error[B504]: consumer 'index' was renamed to 'reindex'; messages waiting in its queue"
        " 'p.S.index' are stranded",
    ),
    "B505": Case(
        "package p;\nmessage M { a: int; }\ntopic m.created: M;\nservice S {\n  on m.created index;\n}\n",
        "package p;\nmessage M { a: int; }\ntopic m.created: M;\nservice Indexer {\n  on m.created index;\n}\n",
        "a.idl:4:9: error[B505]: service 'S' was renamed to 'Indexer'; its queues change names and messages waiting"
        " in them are stranded",
    ),
    "B601": Case(
        AUTH + "service S requires user {\n  GET /health health() -> int public;\n}\n",
        AUTH + "service S requires user {\n  GET /health health() -> int;\n}\n",
        "a.idl:5:15: error[B601]: endpoint 'health' now requires 'user'; old clients send no credential and are"
        " refused (401)",
    ),
    "B602": Case(
        AUTH + KEY + "service S requires user {\n  GET /a a() -> int;\n}\n",
        AUTH + KEY + "service S requires user {\n  GET /a a() -> int requires key;\n}\n",
        "a.idl:6:30: error[B602]: endpoint 'a' now requires 'key' instead of 'user'; old clients send the credential"
        " of 'user'",
    ),
    "B603": Case(
        AUTH + 'service S requires user {\n  DELETE /a a() requires user("a:read");\n}\n',
        AUTH + 'service S requires user {\n  DELETE /a a() requires user("a:read", "a:write");\n}\n',
        "a.idl:5:41: error[B603]: endpoint 'a' now requires the scope 'a:write'; old clients whose credential lacks"
        " it are refused (403)",
    ),
    "B604": Case(
        AUTH + KEY + "service S requires key {\n  GET /a a() -> int;\n}\n",
        AUTH + KEY.replace("X-Key", "X-Api-Key") + "service S requires key {\n  GET /a a() -> int;\n}\n",
        "a.idl:4:26: error[B604]: auth scheme 'key' now takes its credential in header 'X-Api-Key' instead of in"
        " header 'X-Key'; old clients send it where the server no longer looks",
    ),
    "B605": Case(
        "package p;\nservice S {\n  GET /a a(trace: string?) -> int;\n}\n",
        'package p;\nservice S {\n  GET /a a(trace: string? @header("X-Trace")) -> int;\n}\n',
        "a.idl:3:27: error[B605]: parameter 'trace' of 'a' is now read from header 'X-Trace' instead of the query"
        " string; old clients send it where the server no longer looks",
    ),
}
