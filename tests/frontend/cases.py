"""One failing input per diagnostic code, with the exact first diagnostic it must produce.

Each case is (files, expected): `files` maps a file name to its text (the first file is the
root passed to `svcgen check`; bytes are written as they are), `expected` is the first
diagnostic's header `FILE:LINE:COL: error[CODE]: message` and, when given, its help line.
idl/README.md quotes the same examples; test_reference.py keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    files: dict[str, str | bytes]
    header: str
    help: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


MSG = "package p;\n"

CASES: dict[str, Case] = {
    "E001": Case({"dir.idl/": ""}, "dir.idl:1:1: error[E001]: cannot read 'dir.idl': it is a directory"),
    "E002": Case(
        {"bad.idl": b'package p;\nmessage M { x: string = "\xff"; }\n'},
        "bad.idl:2:26: error[E002]: file is not valid UTF-8 (byte 0xff)",
    ),
    "E003": Case(
        {"a.idl": "package p;\nmessage M {\n  x: int\n}\n"},
        "a.idl:4:1: error[E003]: expected ';', found '}'",
        "add ';' at the end of line 3",
    ),
    "E004": Case(
        {"a.idl": 'package p;\nmessage M { x: string = "\\q"; }\n'},
        "a.idl:2:25: error[E004]: invalid string literal: unknown escape '\\q' (known: \\\" \\\\ \\/ \\b \\f \\n \\r"
        " \\t \\uXXXX)",
    ),
    "E005": Case(
        {"a.idl": "package p;\nmessage M { x: " + "list<" * 70 + "int" + ">" * 70 + "; }\n"},
        "a.idl:2:336: error[E005]: nesting is too deep (more than 64 levels)",
    ),
    "E006": Case(
        {"big.idl": "x"}, "big.idl:1:1: error[E006]: file is too large (16777217 bytes; the limit is 16777216)"
    ),
    "E007": Case(
        {"a.idl": "package p;\nmessage M {\n  id: uuid;\n}  /// the end\n"},
        "a.idl:4:4: error[E007]: this doc comment documents nothing: no declaration starts on its line",
        "put it on a line of its own above what it documents, or make it a plain '//' comment",
    ),
    "E010": Case(
        {"a.idl": 'package p;\nimport "comon.idl";\n', "common.idl": "package c;\n"},
        "a.idl:2:1: error[E010]: cannot import 'comon.idl': no such file",
        "did you mean 'common.idl'?",
    ),
    "E011": Case(
        {"a.idl": 'package a;\nimport "b.idl";\n', "b.idl": 'package b;\nimport "a.idl";\n'},
        "b.idl:2:1: error[E011]: import cycle: a.idl -> b.idl -> a.idl",
    ),
    "E012": Case(
        {"a.idl": 'package a;\nimport "b.idl";\nimport "./b.idl";\n', "b.idl": "package b;\n"},
        "a.idl:3:1: error[E012]: './b.idl' is imported twice",
        "remove this line; the first import is on line 2",
    ),
    "E101": Case(
        {"a.idl": MSG + "message User { id: uuid; }\nmessage Note { author: Usr; }\n"},
        "a.idl:3:24: error[E101]: unknown type 'Usr'",
        "did you mean 'User'?",
    ),
    "E102": Case(
        {"a.idl": MSG + "message M { x: int; }\nenum M { a; }\n"},
        "a.idl:3:6: error[E102]: duplicate declaration 'M' (first declared at a.idl:2:9)",
    ),
    "E103": Case(
        {
            "a.idl": 'package a;\nimport "b.idl";\nimport "c.idl";\nmessage M { x: Money; }\n',
            "b.idl": "package b;\nmessage Money { cents: int; }\n",
            "c.idl": "package c;\nmessage Money { cents: int; }\n",
        },
        "a.idl:4:16: error[E103]: ambiguous name 'Money': declared in 'b', 'c'",
        "qualify it, as in 'b.Money'",
    ),
    "E104": Case(
        {"a.idl": MSG + "message Note {\n  text: string;\n  text: string;\n}\n"},
        "a.idl:4:3: error[E104]: duplicate field 'text' in 'Note'",
    ),
    "E105": Case(
        {"a.idl": MSG + "enum Color { red; red; }\n"},
        "a.idl:2:19: error[E105]: duplicate value 'red' in enum 'Color'",
    ),
    "E106": Case({"a.idl": MSG + "enum Color { }\n"}, "a.idl:2:6: error[E106]: enum 'Color' has no values"),
    "E107": Case(
        {"a.idl": MSG + "enum Color { red; }\nmessage A { x: int; }\nunion U = A | Color;\n"},
        "a.idl:4:15: error[E107]: union member 'Color' is an enum, not a message",
    ),
    "E108": Case(
        {"a.idl": MSG + "message A { x: int; }\nunion U = A | A;\n"},
        "a.idl:3:15: error[E108]: 'A' appears twice in union 'U'",
    ),
    "E109": Case(
        {"a.idl": MSG + "message Node {\n  next: Node;\n}\n"},
        "a.idl:2:9: error[E109]: message 'Node' can never be built: it requires itself through Node.next",
        "make one field on the way optional ('?'), a list or a map",
    ),
    "E110": Case(
        {"a.idl": MSG + "message M { x: map<int, string>; }\n"},
        "a.idl:2:20: error[E110]: map keys must be string, not 'int'",
    ),
    "E111": Case(
        {"a.idl": MSG + "error Gone 410 { }\nmessage M { why: Gone; }\n"},
        "a.idl:3:18: error[E111]: 'Gone' is an error, which cannot be used as a field type",
        "errors are thrown with 'throws'; declare a message to carry the same fields",
    ),
    "E112": Case(
        {"a.idl": "package typescript;\nmessage M { x: int; }\n"},
        "a.idl:1:9: error[E112]: package 'typescript' is reserved: its output folder 'typescript/' is where "
        "`svcgen build` writes the typescript target",
        "rename the package",
    ),
    "E113": Case(
        {"a.idl": MSG + "message M {\n  userId: int;\n  user_id: int;\n}\n"},
        "a.idl:4:3: error[E113]: field 'user_id' and 'userId' both become 'user_id' in generated code",
        "rename one of them",
    ),
    "E115": Case(
        {"a.idl": MSG + "message Cat {\n  type: string;\n}\nmessage Dog { name: string; }\nunion Pet = Cat | Dog;\n"},
        "a.idl:3:3: error[E115]: message 'Cat' is a member of union 'Pet', so it cannot declare a field named 'type'",
        "'type' carries the member's name on the wire; rename the field",
    ),
    "E116": Case(
        {
            "a.idl": 'package a;\nimport "b.idl";\nmessage Money { cents: int; }\nunion Price = Money | b.Money;\n',
            "b.idl": "package b;\nmessage Money { units: int; }\n",
        },
        "a.idl:4:23: error[E116]: union 'Price' has two members named 'Money': 'a.Money' and 'b.Money'",
        "the tag on the wire is the message's name; rename one of the messages",
    ),
    "E201": Case(
        {"a.idl": MSG + "message Note {\n  done: bool = 3;\n}\n"},
        "a.idl:3:16: error[E201]: default 3 does not fit type 'bool'",
        "write true or false",
    ),
    "E202": Case(
        {"a.idl": MSG + "enum Color { red; green; }\nmessage M { c: Color = gren; }\n"},
        "a.idl:3:24: error[E202]: 'gren' is not a value of enum 'Color'",
        "did you mean 'green'?",
    ),
    "E203": Case(
        {"a.idl": MSG + "message M { x: int @mni(0); }\n"},
        "a.idl:2:20: error[E203]: unknown annotation '@mni'",
        "did you mean 'min'?",
    ),
    "E204": Case(
        {"a.idl": MSG + "message M { x: string @min(0); }\n"},
        "a.idl:2:23: error[E204]: @min does not apply to type 'string'",
        "@min and @max apply to int, float and decimal; use @length for sizes",
    ),
    "E205": Case(
        {"a.idl": MSG + "message M { x: int @min(1.5); }\n"},
        "a.idl:2:20: error[E205]: @min takes a whole number on an int field",
    ),
    "E206": Case(
        {"a.idl": MSG + 'message M { x: string @pattern("(a"); }\n'},
        "a.idl:2:32: error[E206]: invalid regular expression: missing ), unterminated subpattern at position 0",
    ),
    "E207": Case(
        {"a.idl": MSG + "message M { x: int = 0 @min(1); }\n"},
        "a.idl:2:22: error[E207]: default 0 violates @min",
    ),
    "E208": Case(
        {"a.idl": MSG + "message M { x: int @min(1) @min(2); }\n"},
        "a.idl:2:28: error[E208]: @min is given twice",
    ),
    "E209": Case(
        {"a.idl": MSG + "message M { x: string @length(5, 1); }\n"},
        "a.idl:2:23: error[E209]: @length: minimum 5 is greater than maximum 1",
    ),
    "E210": Case(
        {"a.idl": MSG + 'message M { old: string @deprecated("use new"); }\n'},
        "a.idl:2:25: error[E210]: field 'old' is deprecated but required, so clients cannot stop sending it",
        "make it optional ('?') or give it a default",
    ),
    "E211": Case(
        {"a.idl": MSG + 'message M { x: map<string, int> = {"a": 1, "a": 2}; }\n'},
        'a.idl:2:44: error[E211]: key "a" appears twice in this map',
    ),
    "E212": Case(
        {"a.idl": MSG + "message M { x: int @max(9223372036854775808); }\n"},
        "a.idl:2:25: error[E212]: 9223372036854775808 does not fit in a 64-bit integer",
    ),
    "E301": Case(
        {"a.idl": MSG + "service S {\n  GET /notes/{id} get_note(note_id: uuid) -> string;\n}\n"},
        "a.idl:3:14: error[E301]: path parameter 'id' is not a parameter of 'get_note'",
        "add 'id' to the parameters of 'get_note'",
    ),
    "E302": Case(
        {"a.idl": MSG + "service S {\n  GET /notes/{id} get_note(id: uuid?) -> string;\n}\n"},
        "a.idl:3:32: error[E302]: path parameter 'id' cannot be optional",
        "a path segment is always present; remove the '?'",
    ),
    "E303": Case(
        {"a.idl": MSG + "message A { x: int; }\nmessage B { y: int; }\nservice S {\n  POST /x f(a: A, b: B);\n}\n"},
        "a.idl:5:19: error[E303]: 'f' has more than one body parameter: 'a', 'b'",
        "wrap them in one message, or pass the others as query parameters",
    ),
    "E304": Case(
        {"a.idl": MSG + "message A { x: int; }\nservice S {\n  GET /x f(a: A);\n}\n"},
        "a.idl:4:12: error[E304]: GET requests cannot have a body ('a')",
        "use POST, or pass simple values as query parameters",
    ),
    "E305": Case(
        {"a.idl": MSG + "service S {\n  GET /n/{id} f(id: int);\n  GET /n/{key} g(key: int);\n}\n"},
        "a.idl:4:7: error[E305]: route GET /n/{key} is already declared by 'f'",
    ),
    "E306": Case(
        {"a.idl": MSG + "service S {\n  POST /x f() status 404;\n}\n"},
        "a.idl:3:22: error[E306]: status 404 is not a success status (200-299)",
        "declared errors carry their own status",
    ),
    "E307": Case(
        {"a.idl": MSG + "error Oops 200 { }\n"},
        "a.idl:2:12: error[E307]: error status 200 is outside 400-599",
        "use a 4xx status for client faults, 5xx for server faults",
    ),
    "E308": Case(
        {"a.idl": MSG + "message A { x: int; }\nservice S {\n  GET /x f() throws A;\n}\n"},
        "a.idl:4:21: error[E308]: 'A' is a message, not an error",
    ),
    "E309": Case(
        {"a.idl": MSG + "service S {\n  GET /a{id} f(id: int);\n}\n"},
        "a.idl:3:8: error[E309]: invalid path '/a{id}': segment 'a{id}': a parameter fills a whole segment, "
        "as in /items/{id}",
    ),
    "E310": Case(
        {"a.idl": MSG + "service S {\n  GET /x/{ids} f(ids: list<int>);\n}\n"},
        "a.idl:3:23: error[E310]: path parameter 'ids' must be a scalar or enum, not 'list<int>'",
    ),
    "E311": Case(
        {"a.idl": MSG + "service S {\n  GET /x f(q: map<string, int>);\n}\n"},
        "a.idl:3:15: error[E311]: query parameter 'q' must be a scalar, enum or list of them, not 'map<string, int>'",
    ),
    "E312": Case(
        {"a.idl": MSG + "service S {\n  DELETE /x f() -> string status 204;\n}\n"},
        "a.idl:3:34: error[E312]: status 204 cannot return a body",
        "remove the return type, or use status 200",
    ),
    "E313": Case(
        {"a.idl": MSG + "service S {\n  POST /x f() status 201 status 202;\n}\n"},
        "a.idl:3:33: error[E313]: 'status' is given twice",
    ),
    "E314": Case(
        {"a.idl": MSG + "service S {\n  HEAD /x f() -> string;\n}\n"},
        "a.idl:3:18: error[E314]: HEAD responses have no body; 'f' cannot return a type",
    ),
    "E315": Case(
        {"a.idl": MSG + "service S {\n  socket /live a();\n  socket /live b();\n}\n"},
        "a.idl:4:10: error[E315]: socket path /live is already used by 'a'",
    ),
    "E316": Case(
        {"a.idl": MSG + "service S {\n  socket /live a(rooms: list<string>);\n}\n"},
        "a.idl:3:25: error[E316]: socket parameter 'rooms' must be a scalar or enum, not 'list<string>'",
    ),
    "E317": Case(
        {"a.idl": MSG + "error Gone 410 { }\nservice S {\n  GET /x f() throws Gone, Gone;\n}\n"},
        "a.idl:4:27: error[E317]: 'f' throws 'Gone' twice",
        "remove the repeat",
    ),
    "E401": Case(
        {
            "a.idl": MSG
            + "message N { id: uuid; }\ntopic note.created: N;\nservice S {\n  POST /n f() emits note.craeted;\n}\n"
        },
        "a.idl:5:21: error[E401]: unknown topic 'note.craeted'",
        "did you mean 'note.created'?",
    ),
    "E402": Case(
        {"a.idl": MSG + "message N { id: uuid; }\ntopic note.created: N;\nservice S {\n  on note.craeted f;\n}\n"},
        "a.idl:5:6: error[E402]: pattern 'note.craeted' matches no topic",
        "did you mean 'note.created'?",
    ),
    "E404": Case(
        {"a.idl": MSG + "message N { id: uuid; }\ntopic n: N;\nservice S {\n  on n f retry 0;\n}\n"},
        "a.idl:5:16: error[E404]: retry must be between 1 and 1000, not 0",
        "leave 'retry' out for a single attempt",
    ),
    "E405": Case(
        {"a.idl": MSG + "message N { id: uuid; }\ntopic n: N;\nservice S {\n  on n f retry 3 backoff 10s..1s;\n}\n"},
        "a.idl:5:18: error[E405]: backoff minimum 10s is greater than maximum 1s",
    ),
    "E406": Case(
        {"a.idl": MSG + "message N { id: uuid; }\ntopic n: N;\nservice S {\n  on n f backoff 1s..10s;\n}\n"},
        "a.idl:5:10: error[E406]: backoff needs retry: without retries no delay is ever used",
        "add 'retry N' before 'backoff'",
    ),
    "E407": Case(
        {"a.idl": MSG + 'service S {\n  every "61 * * * *" tick;\n}\n'},
        "a.idl:3:9: error[E407]: invalid cron expression '61 * * * *': minute field '61' is not valid",
    ),
    "E408": Case(
        {"a.idl": MSG + "service S {\n  every 0s tick;\n}\n"},
        "a.idl:3:9: error[E408]: the interval must be longer than zero",
    ),
    "E409": Case(
        {"a.idl": MSG + "message N { id: uuid; }\ntopic n: N;\ntopic n: N;\n"},
        "a.idl:4:7: error[E409]: duplicate topic 'n' (first declared at a.idl:3:7)",
    ),
    "E410": Case(
        {"a.idl": MSG + "topic n: string;\n"},
        "a.idl:2:10: error[E410]: topic payload must be a message or union, not 'string'",
    ),
    "E412": Case(
        {"a.idl": MSG + "message N { id: uuid; }\ntopic n: N;\nservice S {\n  POST /x f() emits n, n;\n}\n"},
        "a.idl:5:24: error[E412]: 'f' emits 'n' twice",
        "remove the repeat",
    ),
    "E413": Case(
        {"a.idl": MSG + "service S {\n  rpc f() timeout 400d;\n}\n"},
        "a.idl:3:19: error[E413]: the timeout 400d is longer than the limit of 365d",
    ),
    "E501": Case(
        {"a.idl": MSG + "service S {\n  every 1m tick;\n  every 5m tick;\n}\n"},
        "a.idl:4:12: error[E501]: duplicate handler name 'tick' in service 'S'",
    ),
    "E502": Case(
        {"a.idl": MSG + "service S { }\nservice S { }\n"},
        "a.idl:3:9: error[E502]: duplicate service 'S'",
    ),
    "E503": Case(
        {"a.idl": MSG + "service S {\n  GET /x f(a: int, a: int);\n}\n"},
        "a.idl:3:20: error[E503]: duplicate parameter 'a' in 'f'",
    ),
    "E504": Case(
        {"a.idl": MSG + "service S {\n  every 1m publish;\n}\n"},
        "a.idl:3:12: error[E504]: handler 'publish' would override 'publish' of the generated service class 'S'",
        "rename the handler; the service class keeps 'attach', 'publish', 'runtime', 'sockets', 'spec' for the runtime",
    ),
    "E601": Case(
        {
            "a.idl": MSG
            + "auth user = bearer -> Claims;\nmessage Claims { sub: string; scopes: list<string> = []; }\n"
            + "service S requires usr {\n  GET /x f();\n}\n"
        },
        "a.idl:4:20: error[E601]: unknown auth scheme 'usr'",
        "did you mean 'user'?",
    ),
    "E602": Case(
        {"a.idl": MSG + "auth user = bearer -> string;\n"},
        "a.idl:2:23: error[E602]: the claims of auth scheme 'user' must be a message, not 'string'",
        "declare a message for the claims",
    ),
    "E603": Case(
        {
            "a.idl": MSG
            + 'auth key = apikey header "X-Key" -> Partner;\nmessage Partner { id: string; }\n'
            + 'service S {\n  GET /x f() requires key("read");\n}\n'
        },
        "a.idl:5:27: error[E603]: auth scheme 'key' cannot check scopes: its claims message 'Partner' has no field 'scopes: list<string>'",
        "add 'scopes: list<string> = [];' to message 'Partner'",
    ),
    "E604": Case(
        {
            "a.idl": MSG
            + "auth user = bearer -> Claims;\nmessage Claims { sub: string; scopes: list<string> = []; }\n"
            + "service S {\n  GET /x f() requires user public;\n}\n"
        },
        "a.idl:5:14: error[E604]: 'f' is public, so it cannot also require 'user'",
        "remove 'public' or the 'requires' clause",
    ),
    "E605": Case(
        {"a.idl": MSG + 'service S {\n  socket /live live(room: string @header("X-Room"));\n}\n'},
        "a.idl:3:34: error[E605]: @header does not apply to socket parameter 'room'",
        "only parameters of HTTP endpoints are headers",
    ),
    "E606": Case(
        {"a.idl": MSG + 'service S {\n  GET /x f(ids: list<string> @header("X-Ids"));\n}\n'},
        "a.idl:3:17: error[E606]: header parameter 'ids' must be a scalar or enum, not 'list<string>'",
    ),
    "E607": Case(
        {"a.idl": MSG + 'service S {\n  GET /x f(a: string @header("X-Id"), b: string @header("x-id"));\n}\n'},
        "a.idl:3:57: error[E607]: header 'x-id' is used twice by 'f'",
        "it is already parameter 'a' (header names are case-insensitive)",
    ),
    "E608": Case(
        {"a.idl": MSG + 'service S {\n  GET /x f(a: string @header("X Id"));\n}\n'},
        "a.idl:3:30: error[E608]: invalid header name 'X Id': a header name is letters, digits and !#$%&'*+-.^_`|~ only",
    ),
    "E609": Case(
        {
            "a.idl": MSG
            + "auth user = bearer -> Claims;\nmessage Claims { sub: string; scopes: list<string> = []; }\n"
            + 'auth user = apikey query "key" -> Claims;\n'
        },
        "a.idl:4:6: error[E609]: duplicate auth scheme 'user' (first declared at a.idl:2:6)",
    ),
    "E611": Case(
        {
            "a.idl": MSG
            + "auth user = bearer -> Claims;\nmessage Claims { sub: string; scopes: list<string> = []; }\n"
            + "service S requires user {\n  GET /x verify_user() -> Claims;\n}\n"
        },
        "a.idl:5:10: error[E611]: handler 'verify_user' would override the verifier 'verify_user' of auth scheme 'user' in service 'S'",
        "rename the handler",
    ),
    "E612": Case(
        {
            "a.idl": MSG
            + 'auth partner = apikey header "X-Key-Bin" -> Claims;\nmessage Claims { sub: string; }\n'
            + "service S requires partner {\n  rpc f() -> Claims;\n}\n"
        },
        "a.idl:2:30: error[E612]: auth scheme 'partner' is required by rpc 'f', but its key 'X-Key-Bin' cannot travel"
        " as gRPC metadata: gRPC sends a name that ends in '-bin' as binary",
        "a key such as 'x-key' works over HTTP, AMQP and gRPC alike",
    ),
}
