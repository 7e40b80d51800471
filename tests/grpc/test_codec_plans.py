"""The gRPC codec's compiled plans, shape by shape: a value encoded to protobuf, sent as bytes and decoded
validates into the same model it came from (and dumps to the same JSON dict).

The IDL below holds every field shape a plan has a kind for: scalars, bytes, enums (single, optional,
repeated, in maps, nullable items), google.protobuf.Value (single, repeated, map values, JSON null),
unions (single, optional, repeated, map values), messages (optional, repeated, map values, recursive)
and the generated wrappers of nested lists and nullable items. It is built with the python-grpc target
into a temporary folder, as tests/grpc/test_grpc.py builds calc.idl.
"""

from __future__ import annotations

import base64
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from svcgen.build import generate
from svcgen.frontend import compile_file

IDL = """// Every shape the gRPC codec compiles a plan for.
package codec.plans;

enum Color { red; green; blue; }

message Circle { radius: float; color: Color = red; }
message Square { side: float; }
union Shape = Circle | Square;

message Node {
  name: string;
  children: list<Node> = [];
}

message Everything {
  flag: bool;
  count: int;
  ratio: float;
  name: string;
  blob: bytes;
  maybe_blob: bytes?;
  extra: json;
  note: string?;
  color: Color;
  maybe_color: Color?;
  colors: list<Color> = [];
  color_by_name: map<string, Color> = {};
  maybe_colors: list<Color?> = [];
  blobs: list<bytes> = [];
  jsons: list<json> = [];
  json_by_name: map<string, json> = {};
  shape: Shape;
  maybe_shape: Shape?;
  shapes: list<Shape> = [];
  shape_by_name: map<string, Shape> = {};
  circle_by_name: map<string, Circle> = {};
  circles: list<Circle> = [];
  nested: Circle?;
  matrix: list<list<float>> = [];
  cube: list<list<list<int>>> = [];
  grid: map<string, list<list<string>>> = {};
  lists_by_name: map<string, list<Color>> = {};
  maybe_lists: list<list<int>?> = [];
  tree: Node?;
}

service Plans {
  rpc echo(value: Everything) -> Everything;
  rpc many(values: list<Everything>, tags: list<string?>) -> map<string, Everything>;
  rpc pick(color: Color?) -> Shape?;
}
"""

FULL: dict[str, Any] = {
    "flag": True,
    "count": -7,
    "ratio": 0.25,
    "name": "all",
    "blob": base64.b64encode(b"\x00\xff raw").decode(),
    "maybe_blob": base64.b64encode(b"").decode(),
    "extra": {"a": [1, None, "x", {"b": True}], "n": 2.5},
    "note": "",
    "color": "blue",
    "maybe_color": "red",
    "colors": ["green", "red", "green"],
    "color_by_name": {"sky": "blue", "grass": "green"},
    "maybe_colors": ["red", None, "blue"],
    "blobs": [base64.b64encode(b"one").decode(), ""],
    "jsons": [None, 1.0, "two", [3.0], {"four": None}, True],
    "json_by_name": {"null": None, "list": [1.0, "x"], "obj": {"k": False}},
    "shape": {"type": "Circle", "radius": 1.5, "color": "green"},
    "maybe_shape": {"type": "Square", "side": 2.0},
    "shapes": [{"type": "Square", "side": 0.0}, {"type": "Circle", "radius": 0.0, "color": "red"}],
    "shape_by_name": {"c": {"type": "Circle", "radius": 3.0, "color": "blue"}, "s": {"type": "Square", "side": 4.0}},
    "circle_by_name": {"one": {"radius": 1.0, "color": "red"}, "zero": {"radius": 0.0, "color": "green"}},
    "circles": [{"radius": 5.0, "color": "blue"}],
    "nested": {"radius": 6.0, "color": "green"},
    "matrix": [[1.0, 2.5], [], [3.0]],
    "cube": [[[1, 2], []], [], [[3]]],
    "grid": {"g": [["a", "b"], []], "empty": []},
    "lists_by_name": {"warm": ["red"], "none": []},
    "maybe_lists": [[1, 2], [], [3]],
    "tree": {
        "name": "root",
        "children": [{"name": "a", "children": [{"name": "a1", "children": []}]}, {"name": "b", "children": []}],
    },
}

#: the optional fields unset, the lists and maps empty, the union unset
SPARSE: dict[str, Any] = {
    "flag": False,
    "count": 0,
    "ratio": 0.0,
    "name": "",
    "blob": "",
    "maybe_blob": None,
    "extra": None,
    "note": None,
    "color": "red",
    "maybe_color": None,
    "shape": {"type": "Square", "side": 1.0},
    "maybe_shape": None,
    "nested": None,
    "tree": None,
}


def _build(folder: Path) -> None:
    source = folder / "plans.idl"
    source.write_text(IDL, encoding="utf-8")
    result = compile_file(source)
    assert result.model is not None, [d.message for d in result.diagnostics]
    for rel, text in generate(result.model, source, ["python-grpc"]).items():
        (folder / "plans_api" / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / "plans_api" / rel).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    base = tmp_path_factory.mktemp("plans")
    _build(base)
    sys.path.insert(0, str(base))
    try:
        yield importlib.import_module("plans_api.codec_plans")
    finally:
        sys.path.remove(str(base))
        for name in [n for n in sys.modules if n == "plans_api" or n.startswith("plans_api.")]:
            del sys.modules[name]


def _round_trip(api: ModuleType, full_name: str, data: Any) -> Any:
    """`data` encoded by the codec, serialized, parsed by the message class and decoded."""
    codec = importlib.import_module(f"{api.__name__}.grpc_service").CODEC
    wire = codec.encode(full_name, data).SerializeToString()
    return codec.decode(codec.message_class(full_name).FromString(wire))


@pytest.mark.parametrize("data", [FULL, SPARSE], ids=["full", "sparse"])
def test_every_shape_round_trips(api: ModuleType, data: dict[str, Any]) -> None:
    models = importlib.import_module(f"{api.__name__}.models")
    dumped = models.Everything.model_validate(data).model_dump(mode="json", by_alias=True)
    decoded = _round_trip(api, "codec.plans.Everything", dumped)
    assert models.Everything.model_validate(decoded).model_dump(mode="json", by_alias=True) == dumped


def test_decoded_values_are_what_the_models_validate(api: ModuleType) -> None:
    models = importlib.import_module(f"{api.__name__}.models")
    decoded = _round_trip(
        api, "codec.plans.Everything", models.Everything.model_validate(FULL).model_dump(mode="json", by_alias=True)
    )
    assert decoded["blob"] == b"\x00\xff raw" and decoded["maybe_blob"] == b""  # bytes raw, set-but-empty kept
    assert decoded["blobs"] == [b"one", b""]
    assert decoded["colors"] == ["green", "red", "green"]  # enums by IDL name
    assert decoded["maybe_colors"] == ["red", None, "blue"]
    assert decoded["lists_by_name"] == {"warm": ["red"], "none": []}
    assert decoded["jsons"] == FULL["jsons"] and decoded["json_by_name"] == FULL["json_by_name"]
    assert decoded["shape_by_name"]["s"] == {"side": 4.0, "type": "Square"}  # the union's "type" tag
    assert decoded["tree"]["children"][0]["children"][0] == {"name": "a1", "children": []}
    assert decoded["cube"] == [[[1, 2], []], [], [[3]]]

    sparse = _round_trip(
        api, "codec.plans.Everything", models.Everything.model_validate(SPARSE).model_dump(mode="json", by_alias=True)
    )
    for unset in ("maybe_blob", "note", "maybe_color", "maybe_shape", "nested", "tree"):
        assert unset not in sparse  # unset presence: left out, the model's default applies
    assert sparse["extra"] is None  # JSON null is a google.protobuf.Value, sent as such
    assert sparse["colors"] == [] and sparse["color_by_name"] == {} and sparse["shapes"] == []


def test_requests_and_wrapped_results(api: ModuleType) -> None:
    service = importlib.import_module(f"{api.__name__}.service")
    models = importlib.import_module(f"{api.__name__}.models")
    params = service.PlansManyParams.model_validate({"values": [FULL, SPARSE], "tags": ["x", None]})
    dumped = params.model_dump(mode="json", by_alias=True)
    decoded = _round_trip(api, "codec.plans.ManyRequest", dumped)
    assert service.PlansManyParams.model_validate(decoded).model_dump(mode="json", by_alias=True) == dumped

    result = {"a": models.Everything.model_validate(FULL).model_dump(mode="json", by_alias=True)}
    assert _round_trip(api, "codec.plans.ManyResponse", {"value": result})["value"]["a"]["tree"]["name"] == "root"
    assert _round_trip(api, "codec.plans.ManyResponse", {"value": {}}) == {"value": {}}

    assert _round_trip(api, "codec.plans.PickRequest", {"color": "green"}) == {"color": "green"}
    assert _round_trip(api, "codec.plans.PickRequest", {"color": None}) == {}
    picked = {"type": "Circle", "radius": 2.0, "color": "blue"}
    assert _round_trip(api, "codec.plans.PickResponse", {"value": picked}) == {"value": picked}
    assert _round_trip(api, "codec.plans.PickResponse", {"value": None}) == {}


def test_plans_are_compiled_once_and_shared(api: ModuleType) -> None:
    codec = importlib.import_module(f"{api.__name__}.grpc_service").CODEC
    plan = codec.plan("codec.plans.Everything")
    assert codec.plan("codec.plans.Everything") is plan
    node = codec.plan("codec.plans.Node")
    children = next(f for f in node.decode_fields if f[0] == "children")
    assert children[3] is node  # a message that holds itself refers to its own plan


def test_unknown_members_and_values_fail(api: ModuleType) -> None:
    codec = importlib.import_module(f"{api.__name__}.grpc_service").CODEC
    with pytest.raises(ValueError, match="no member 'Oval'"):
        codec.encode("codec.plans.Shape", {"type": "Oval"})
    with pytest.raises(KeyError):
        codec.encode("codec.plans.Everything", {"color": "purple"})
    pb = importlib.import_module(f"{api.__name__}.codec_plans_pb2")
    assert codec.decode(pb.Everything(color=9))["color"] is None  # a number the IDL does not know: no value
    assert codec.decode(pb.PickResponse(value=pb.Shape())) == {"value": None}  # a union with no member set
