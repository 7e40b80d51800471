"""Who may call (B6xx) and header parameters, through the installed `svcgen breaking NEW --against FOLDER`.

Each test writes the previous version to `v1/api.idl` and the new one to `api.idl`, runs the
command as a user does and reads the finding headers (`FILE:LINE:COL: SEVERITY[CODE]: message`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SVCGEN = str(Path(sys.executable).parent / "svcgen")

SHOP = """package shop;
message Claims { sub: string; scopes: list<string> = []; }
auth user = bearer -> Claims;
auth partner = apikey header "X-Api-Key" -> Claims;
message Item { id: uuid; }
service Shop requires user {
  GET /health health() -> bool public;
  GET /items/{id} get_item(id: uuid, trace: string? @header("X-Trace")) -> Item;
  DELETE /items/{id} delete_item(id: uuid) requires user("items:write");
  socket /live live(room: string) sends Item;
  rpc count() -> int;
}
"""


def breaking(folder: Path, old: str, new: str, *options: str) -> subprocess.CompletedProcess[str]:
    (folder / "v1").mkdir(exist_ok=True)
    (folder / "v1/api.idl").write_text(old, encoding="utf-8")
    (folder / "api.idl").write_text(new, encoding="utf-8")
    command = [SVCGEN, "breaking", "api.idl", "--against", "v1", *options]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=60)


def findings(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The header line of every finding, in the order printed."""
    return [line for line in result.stderr.splitlines() if line.startswith(("api.idl:", "v1/api.idl:"))]


def swap(old: str, new: str, text: str = SHOP) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_public_member_now_requires_a_credential(tmp_path: Path) -> None:
    # `public` dropped: the service's requirement now applies; the place is the handler
    result = breaking(tmp_path, SHOP, swap("health() -> bool public;", "health() -> bool;"))
    assert result.returncode == 1
    assert findings(result) == [
        "api.idl:7:15: error[B601]: endpoint 'health' now requires 'user'; old clients send no credential and are"
        " refused (401)"
    ]
    assert "help: if this break is deliberate: --allow B601:shop.Shop.health" in result.stderr
    allowed = breaking(
        tmp_path, SHOP, swap("health() -> bool public;", "health() -> bool;"), "--allow", "B601:shop.Shop.health"
    )
    assert (allowed.returncode, allowed.stderr) == (0, "\n1 allowed\n")

    # a service that required nothing gains `requires`: every endpoint, socket and rpc, at the clause
    open_shop = swap("service Shop requires user {", "service Shop {").replace(" public;", ";")
    open_shop = open_shop.replace(' requires user("items:write")', "")
    result = breaking(tmp_path, open_shop, swap("service Shop {", "service Shop requires user {", open_shop))
    assert result.returncode == 1
    refused = "old clients send no credential and are refused"
    assert findings(result) == [
        f"api.idl:6:14: error[B601]: rpc 'count' now requires 'user'; {refused} (unauthorized)",
        f"api.idl:6:14: error[B601]: endpoint 'delete_item' now requires 'user'; {refused} (401)",
        f"api.idl:6:14: error[B601]: endpoint 'get_item' now requires 'user'; {refused} (401)",
        f"api.idl:6:14: error[B601]: endpoint 'health' now requires 'user'; {refused} (401)",
        f"api.idl:6:14: error[B601]: socket 'live' now requires 'user'; {refused} (4401)",
    ]

    # a member of that open service gains its own `requires`: at the member's clause
    result = breaking(tmp_path, open_shop, swap("count() -> int;", "count() -> int requires partner;", open_shop))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:11:22: error[B601]: rpc 'count' now requires 'partner'; {refused} (unauthorized)"
    ]


def test_member_now_requires_another_scheme(tmp_path: Path) -> None:
    result = breaking(
        tmp_path,
        SHOP,
        swap(
            'get_item(id: uuid, trace: string? @header("X-Trace")) -> Item;',
            'get_item(id: uuid, trace: string? @header("X-Trace")) -> Item requires partner;',
        ),
    )
    assert result.returncode == 1
    assert findings(result) == [
        "api.idl:8:90: error[B602]: endpoint 'get_item' now requires 'partner' instead of 'user'; old clients send the"
        " credential of 'user'"
    ]
    # the service's scheme changes: each member that inherits it, at the service's clause; not the public one
    result = breaking(tmp_path, SHOP, swap("service Shop requires user {", "service Shop requires partner {"))
    assert result.returncode == 1
    instead = "instead of 'user'; old clients send the credential of 'user'"
    assert findings(result) == [
        f"api.idl:6:23: error[B602]: rpc 'count' now requires 'partner' {instead}",
        f"api.idl:6:23: error[B602]: endpoint 'get_item' now requires 'partner' {instead}",
        f"api.idl:6:23: error[B602]: socket 'live' now requires 'partner' {instead}",
    ]


def test_requirement_gains_a_scope(tmp_path: Path) -> None:
    new = swap('requires user("items:write")', 'requires user("items:write", "items:admin", "audit")')
    result = breaking(tmp_path, SHOP, new)
    assert result.returncode == 1
    lacks = "old clients whose credential lacks it are refused (403)"
    assert findings(result) == [
        f"api.idl:9:73: error[B603]: endpoint 'delete_item' now requires the scope 'items:admin'; {lacks}",
        f"api.idl:9:88: error[B603]: endpoint 'delete_item' now requires the scope 'audit'; {lacks}",
    ]
    # scopes on the service reach the members that inherit it; a socket refuses with 4403, an rpc with forbidden
    result = breaking(tmp_path, SHOP, swap("service Shop requires user {", 'service Shop requires user("shop") {'))
    assert result.returncode == 1
    assert [line[: line.index(": error")] for line in findings(result)] == ["api.idl:6:28"] * 3
    assert (
        "rpc 'count' now requires the scope 'shop'; old clients whose credential lacks it are refused (forbidden)"
        in result.stderr
    )
    assert (
        "socket 'live' now requires the scope 'shop'; old clients whose credential lacks it are refused (4403)"
        in result.stderr
    )
    assert "--allow B603:shop.Shop.get_item" in result.stderr


def test_scheme_moves_its_credential(tmp_path: Path) -> None:
    looks = "old clients send it where the server no longer looks"
    result = breaking(tmp_path, SHOP, swap("auth user = bearer", 'auth user = apikey header "X-Token"'))
    assert result.returncode == 1
    assert findings(result) == [  # once, on the scheme's key, not on each of the four members that use it
        "api.idl:3:27: error[B604]: auth scheme 'user' now takes its credential in header 'X-Token' instead of as a"
        f" bearer token; {looks}"
    ]
    assert "--allow B604:shop.user" in result.stderr

    partner = swap("rpc count() -> int;", "rpc count() -> int requires partner;")
    was = "instead of in header 'X-Api-Key'"
    moves = {
        'apikey query "X-Api-Key"': f"api.idl:4:29: error[B604]: auth scheme 'partner' now takes its credential in"
        f" query parameter 'X-Api-Key' {was}; {looks}",
        'apikey header "X-Key"': f"api.idl:4:30: error[B604]: auth scheme 'partner' now takes its credential in"
        f" header 'X-Key' {was}; {looks}",
        "bearer": f"api.idl:4:1: error[B604]: auth scheme 'partner' now takes its credential as a bearer token {was};"
        f" {looks}",
    }
    for how, header in moves.items():
        result = breaking(tmp_path, partner, swap('apikey header "X-Api-Key"', how, partner))
        assert result.returncode == 1
        assert findings(result) == [header]
    query = swap('apikey header "X-Api-Key"', 'apikey query "key"', partner)
    result = breaking(tmp_path, query, swap('query "key"', 'query "Key"', query))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:4:29: error[B604]: auth scheme 'partner' now takes its credential in query parameter 'Key' instead"
        f" of in query parameter 'key'; {looks}"
    ]

    # header names are case-insensitive; a scheme no member requires breaks nobody
    result = breaking(tmp_path, partner, swap('"X-Api-Key"', '"x-api-key"', partner))
    assert (result.returncode, result.stderr) == (0, "")
    result = breaking(tmp_path, SHOP, swap('apikey header "X-Api-Key"', 'apikey query "k"'))
    assert (result.returncode, result.stderr) == (0, "")


def test_parameter_moves_between_query_and_header(tmp_path: Path) -> None:
    moved = "old clients send it where the server no longer looks"
    cases = {
        'trace: string? @header("X-Trace-Id")': (
            f"api.idl:8:53: error[B605]: parameter 'trace' of 'get_item' is now read from header 'X-Trace-Id'"
            f" instead of header 'X-Trace'; {moved}"
        ),
        "trace: string?": (
            f"api.idl:8:38: error[B605]: parameter 'trace' of 'get_item' is now read from the query string instead"
            f" of header 'X-Trace'; {moved}"
        ),
    }
    for param, header in cases.items():
        result = breaking(tmp_path, SHOP, swap('trace: string? @header("X-Trace")', param))
        assert result.returncode == 1
        assert findings(result) == [header]
        assert "--allow B605:shop.Shop.get_item.trace" in result.stderr
    result = breaking(tmp_path, swap('trace: string? @header("X-Trace")', "trace: string?"), SHOP)
    assert findings(result) == [
        f"api.idl:8:53: error[B605]: parameter 'trace' of 'get_item' is now read from header 'X-Trace' instead of"
        f" the query string; {moved}"
    ]
    # header names are case-insensitive
    assert breaking(tmp_path, SHOP, swap('"X-Trace"', '"x-trace"')).returncode == 0


def test_new_required_header_parameter_says_header(tmp_path: Path) -> None:
    new = swap("delete_item(id: uuid)", 'delete_item(id: uuid, reason: string @header("X-Reason"))')
    result = breaking(tmp_path, SHOP, new)
    assert result.returncode == 1
    assert findings(result) == [
        "api.idl:9:44: error[B304]: 'delete_item' has a new required header parameter 'reason' that old clients do"
        " not send"
    ]
    # an optional header made required: the same rule
    result = breaking(tmp_path, SHOP, swap('trace: string? @header("X-Trace")', 'trace: string @header("X-Trace")'))
    assert findings(result) == [
        "api.idl:8:38: error[B304]: 'get_item' has a new required header parameter 'trace' that old clients do not"
        " send"
    ]


def test_asking_for_less_breaks_nobody(tmp_path: Path) -> None:
    changes = {
        "requirement removed from the service": swap("service Shop requires user {", "service Shop {").replace(
            ' requires user("items:write")', ""
        ),
        "scope removed": swap('requires user("items:write")', "requires user"),
        "member-level requirement removed": swap(' requires user("items:write")', ""),
        "member made public": swap("count() -> int;", "count() -> int public;"),
        "socket made public": swap("sends Item;", "sends Item public;"),
        "header parameter removed": swap(', trace: string? @header("X-Trace")', ""),
        "scheme nobody requires removed": swap('auth partner = apikey header "X-Api-Key" -> Claims;\n', ""),
    }
    for change, new in changes.items():
        result = breaking(tmp_path, SHOP, new, "--severity", "warning")
        assert (result.returncode, result.stderr) == (0, ""), change
