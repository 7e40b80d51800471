"""gRPC field numbers (B405), through the installed `svcgen breaking NEW --against FOLDER`.

The `.proto` numbers fields, rpc parameters, enum values and union members by declaration
order, so a move is a silent break for gRPC peers compiled from the previous `.proto`, and
nothing at all for JSON. Each test writes the previous version to `v1/api.idl` and the new one
to `api.idl`; the last tests build both `.proto` files and send a message from the old one to
the new one, to show the finding is exactly when the wire misreads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_access_rules import SVCGEN, breaking, findings

READS = "gRPC peers compiled from the old one read it as another"

SHOP = """package shop;
message Item { id: string; title: string; price: float; }
message NewItem { title: string; note: string?; tag: string?; }
enum Kind { book; toy; }
message Book { isbn: string; }
message Toy { age: int; }
union Product = Book | Toy;
service Shop {
  rpc get(id: string, full: bool) -> Item;
  rpc add(item: NewItem, kind: Kind) -> Product;
}
"""


def swap(old: str, new: str, text: str = SHOP) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_message_fields_reordered(tmp_path: Path) -> None:
    new = swap("Item { id: string; title: string;", "Item { title: string; id: string;")
    result = breaking(tmp_path, SHOP, new)
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:2:16: error[B405]: field 'Item.title' moves from number 2 to 1 in the .proto; {READS} field",
        f"api.idl:2:31: error[B405]: field 'Item.id' moves from number 1 to 2 in the .proto; {READS} field",
    ]
    assert "help: if this break is deliberate: --allow B405:shop.Item.title" in result.stderr
    allowed = breaking(tmp_path, SHOP, new, "--allow", "B405:shop.Item.title", "--allow", "B405:shop.Item.id")
    assert (allowed.returncode, allowed.stderr) == (0, "\n2 allowed\n")


def test_field_inserted_in_the_middle(tmp_path: Path) -> None:
    # an optional field in a request breaks no JSON client; in the .proto it pushes the next ones on
    result = breaking(tmp_path, SHOP, swap("note: string?;", "colour: string?; note: string?;"))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:3:51: error[B405]: field 'NewItem.note' moves from number 2 to 3 in the .proto; {READS} field",
        f"api.idl:3:66: error[B405]: field 'NewItem.tag' moves from number 3 to 4 in the .proto; {READS} field",
    ]


def test_middle_field_removed(tmp_path: Path) -> None:
    # removing a field from a request breaks no JSON client; `tag` takes the number of `note`
    result = breaking(tmp_path, SHOP, swap(" note: string?;", ""))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:3:34: error[B405]: field 'NewItem.tag' moves from number 3 to 2 in the .proto; {READS} field"
    ]


def test_enum_value_inserted_before_another(tmp_path: Path) -> None:
    # a new value in a request breaks no JSON client (Kind is only written)
    result = breaking(tmp_path, SHOP, swap("enum Kind { book; toy; }", "enum Kind { book; game; toy; }"))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:4:25: error[B405]: enum value 'Kind.toy' moves from number 2 to 3 in the .proto; {READS} enum"
        " value"
    ]


def test_union_members_reordered(tmp_path: Path) -> None:
    result = breaking(tmp_path, SHOP, swap("Product = Book | Toy;", "Product = Toy | Book;"))
    assert result.returncode == 1
    union = "in the .proto; " + READS + " union member"
    assert findings(result) == [
        f"api.idl:7:17: error[B405]: union member 'Product.Toy' moves from number 2 to 1 {union}",
        f"api.idl:7:23: error[B405]: union member 'Product.Book' moves from number 1 to 2 {union}",
    ]


def test_rpc_parameters_reordered(tmp_path: Path) -> None:
    result = breaking(tmp_path, SHOP, swap("get(id: string, full: bool)", "get(full: bool, id: string)"))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:9:11: error[B405]: parameter 'get.full' moves from number 2 to 1 in the .proto; {READS} parameter",
        f"api.idl:9:23: error[B405]: parameter 'get.id' moves from number 1 to 2 in the .proto; {READS} parameter",
    ]
    assert "--allow B405:shop.Shop.get.full" in result.stderr


NESTED = """package shop;
message Line { sku: string; qty: int; total: int; }
message Order { id: string; lines: list<Line>; }
service Orders {
  rpc recent() -> map<string, list<Order>>;
}
"""


def test_nested_message_reached_through_a_list_and_a_map_in_a_result(tmp_path: Path) -> None:
    result = breaking(tmp_path, NESTED, swap("qty: int; total: int;", "total: int; qty: int;", NESTED))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:2:29: error[B405]: field 'Line.total' moves from number 3 to 2 in the .proto; {READS} field",
        f"api.idl:2:41: error[B405]: field 'Line.qty' moves from number 2 to 3 in the .proto; {READS} field",
    ]


HTTP_ONLY = """package shop;
message Item { id: string; title: string; }
message Draft { title: string; note: string?; }
topic item.added: Item;
service Shop {
  GET /items/{id} get(id: string) -> Item;
  POST /drafts draft(d: Draft) -> Draft;
  socket /live live() sends Item;
  rpc count(since: string?) -> int;
}
"""


def test_no_finding_for_types_no_rpc_uses(tmp_path: Path) -> None:
    # the same reorders in messages of endpoints, sockets and topics: JSON goes by name, and the
    # .proto (of `count`) holds none of them
    new = swap("Item { id: string; title: string; }", "Item { title: string; id: string; }", HTTP_ONLY)
    new = swap("Draft { title: string; note: string?; }", "Draft { note: string?; title: string; }", new)
    result = breaking(tmp_path, HTTP_ONLY, new)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_type_used_by_http_and_an_rpc_is_checked(tmp_path: Path) -> None:
    old = swap("rpc count(since: string?) -> int;", "rpc first() -> Item;", HTTP_ONLY)
    result = breaking(
        tmp_path, old, swap("Item { id: string; title: string; }", "Item { title: string; id: string; }", old)
    )
    assert [line.split(": error")[1][:6] for line in findings(result)] == ["[B405]", "[B405]"]


def test_appended_at_the_end_keeps_every_number(tmp_path: Path) -> None:
    new = swap("price: float; }", "price: float; stock: int?; }")  # an optional field in a result
    new = swap("tag: string?; }", "tag: string?; colour: string?; }", new)  # and in a request
    new = swap("enum Kind { book; toy; }", "enum Kind { book; toy; game; }", new)  # a value clients write
    new = swap("get(id: string, full: bool)", "get(id: string, full: bool, trace: string?)", new)
    result = breaking(tmp_path, SHOP, new)
    assert (result.returncode, result.stderr) == (0, "")


def test_last_one_removed_keeps_the_others_numbers(tmp_path: Path) -> None:
    # a request field and an rpc parameter: servers ignore what old clients still send
    new = swap(" tag: string?;", "")
    new = swap("get(id: string, full: bool)", "get(id: string)", new)
    result = breaking(tmp_path, SHOP, new)
    assert (result.returncode, result.stderr) == (0, "")
    # the last field of a result: its readers lose it (B101, a warning, as it was optional); no B405
    with_stock = swap("price: float; }", "price: float; stock: int?; }")
    result = breaking(tmp_path, with_stock, SHOP)
    assert result.returncode == 0
    assert findings(result) == ["v1/api.idl:2:57: warning[B101]: field 'Item.stock' was removed, but clients read it"]


# The wire: the previous .proto's message, serialized, then parsed with the new one.

ITEM = """package shop;
message Item { {fields} }
service Shop {
  rpc get() -> Item;
}
"""

# each side runs in its own process: both define `shop.Item` in protobuf's default pool
CODEC = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("shop_pb2", sys.argv[1])
pb2 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pb2)
if sys.argv[2] == "encode":
    print(pb2.Item(**json.loads(sys.argv[3])).SerializeToString().hex())
else:
    item = pb2.Item.FromString(bytes.fromhex(sys.argv[3]))
    print(json.dumps({f.name: v for f, v in item.ListFields()}))
"""


def _build(folder: Path, fields: str) -> Path:
    folder.mkdir()
    (folder / "api.idl").write_text(ITEM.replace("{fields}", fields), encoding="utf-8")
    command = [SVCGEN, "build", "api.idl", "-o", "out", "-t", "python-grpc"]
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=120)
    return folder / "out/shop/shop_pb2.py"


def _codec(pb2: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", CODEC, str(pb2), *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _sent(tmp_path: Path, old: str, new: str) -> tuple[dict[str, object], subprocess.CompletedProcess[str]]:
    """What a new peer reads from an Item an old peer sent, and what `svcgen breaking` says."""
    old_pb2, new_pb2 = _build(tmp_path / "old", old), _build(tmp_path / "new", new)
    wire = _codec(old_pb2, "encode", json.dumps({"id": "item-1", "title": "Lamp"}))
    read: dict[str, object] = json.loads(_codec(new_pb2, "decode", wire))
    return read, breaking(tmp_path, ITEM.replace("{fields}", old), ITEM.replace("{fields}", new))


def test_wire_a_reorder_swaps_the_values_and_is_reported(tmp_path: Path) -> None:
    read, result = _sent(tmp_path, "id: string; title: string;", "title: string; id: string;")
    assert read == {"title": "item-1", "id": "Lamp"}  # silently the wrong way round
    assert result.returncode == 1
    assert [line.split(": error[")[1][:4] for line in findings(result)] == ["B405", "B405"]


def test_wire_an_append_keeps_the_values_and_is_not_reported(tmp_path: Path) -> None:
    read, result = _sent(tmp_path, "id: string; title: string;", "id: string; title: string; note: string?;")
    assert read == {"id": "item-1", "title": "Lamp"}
    assert (result.returncode, result.stderr) == (0, "")


def test_a_renamed_package_compares_its_types_by_the_pairing(tmp_path: Path) -> None:
    # package shop -> store: B503 for its queues, and Item still pairs with Item (subject as before)
    new = swap(
        "Item { id: string; title: string;", "Item { title: string; id: string;", SHOP.replace("shop;", "store;")
    )
    result = breaking(tmp_path, SHOP, new)
    assert result.returncode == 1
    assert [line.split(": ")[1] for line in findings(result)] == ["error[B503]", "error[B405]", "error[B405]"]
    assert "--allow B405:shop.Item.title" in result.stderr


REUSES = "gRPC peers compiled from the old one send and read"


def test_a_parameter_renamed_in_place_reuses_its_number(tmp_path: Path) -> None:
    # JSON sees an optional parameter go and another come; the .proto sees number 2 change meaning
    old = swap("rpc get(id: string, full: bool)", "rpc get(id: string, full: bool = false)")
    result = breaking(tmp_path, old, swap("full: bool = false", "brief: bool = false", old))
    assert result.returncode == 1
    assert findings(result) == [
        f"api.idl:9:23: error[B406]: parameter 'get.brief' takes number 2 in the .proto, which was 'full'; {REUSES}"
        " 'full' there",
    ]


def test_an_enum_value_replaced_reuses_its_number(tmp_path: Path) -> None:
    result = breaking(tmp_path, SHOP, swap("enum Kind { book; toy; }", "enum Kind { book; game; }"))
    assert result.returncode == 1
    assert (
        f"api.idl:4:19: error[B406]: enum value 'Kind.game' takes number 2 in the .proto, which was 'toy'; {REUSES}"
        in (result.stderr)
    )


def test_an_insertion_is_reported_once_per_moved_field_not_again_for_the_new_one(tmp_path: Path) -> None:
    result = breaking(tmp_path, SHOP, swap("note: string?;", "colour: string?; note: string?;"))
    assert "B406" not in result.stderr  # colour takes note's number, and B405 already says note moved


def test_a_new_field_after_the_last_reuses_nothing(tmp_path: Path) -> None:
    result = breaking(tmp_path, SHOP, swap("tag: string?;", "tag: string?; colour: string?;"))
    assert (result.returncode, result.stderr) == (0, "")
