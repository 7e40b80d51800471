"""Protobuf messages <-> the JSON wire form of the generated models, driven by descriptors and tables.

A generated `grpc_service.py` builds one `Codec` from its compiled `_pb2` descriptor and the
tables only the IDL knows: each enum's IDL value names (proto number = index + 1, 0 is
unspecified), which messages are unions (`oneof value`, the member message's name is the
`"type"` tag) and which are generated wrappers of nested containers or nullable items.

Decoding gives the dict the models validate (python mode: bytes stay bytes); encoding takes
`model_dump(mode="json")` output (bytes as base64 text). A field with presence that is unset is
left out, so the model's default applies; an empty repeated or map field is an empty list/map.

The descriptors are read once per message, not per call: the first use of a message compiles a
`_Plan` (its form and, per field, name, presence and a kind code with the enum table or the plan of
the message it holds), cached on the codec with the plans of every message it reaches, so
decoding and filling are loops over plain tuples.

This module imports neither grpc nor protobuf at import time (generated code that imports it
type-checks without their stubs); `svcgen_runtime.rpc.grpc` serves and calls through it.
"""

from __future__ import annotations

import base64
import importlib
from dataclasses import dataclass
from typing import Any

from svcgen_runtime.service import ServiceBase

VALUE = "google.protobuf.Value"
TYPE_ENUM = 14
TYPE_MESSAGE = 11
TYPE_BYTES = 12
UNION_TAG = "type"


@dataclass(frozen=True)
class GrpcMethod:
    """One RPC on gRPC: the handler, the method name and its request/response message full names.

    `wrapped`: the response is `<Method>Response { value = 1; }` around the result (anything but a
    required message or union result, which is the response itself).
    """

    handler: str
    method: str
    request: str
    response: str
    wrapped: bool = False


@dataclass(frozen=True)
class GrpcService:
    """A service instance and what serving it over gRPC needs (see `svcgen_runtime.rpc.grpc.serve`)."""

    impl: ServiceBase
    codec: Codec
    name: str  # full name, acme.tasks.Tasks
    methods: tuple[GrpcMethod, ...]


# the form of a message: how it maps to its JSON value
PLAIN = 0  # an object of its fields
JSON_VALUE = 1  # google.protobuf.Value: any JSON value, through json_format
UNION = 2  # `oneof value` of member messages, tagged "type"
WRAPPER = 3  # the value of its one field

# the kind code of a field: SCALAR..MESSAGE, plus LIST or MAP for repeated fields (of a map: the
# kind of its values; keys are strings or integers and pass as they are)
SCALAR = 0
BYTES = 1
ENUM = 2
MESSAGE = 3
LIST = 4
MAP = 8

_MISSING: Any = object()

#: decoding one field: name, presence (unset is left out), kind code, the enum's IDL value names or
#: the plan of the message
_DecodeField = tuple[str, bool, int, Any]
#: filling one field: name, kind code, the enum's numbers by IDL value name or the plan of the
#: message, whether None is a value (google.protobuf.Value: JSON null) rather than "leave unset"
_FillField = tuple[str, int, Any, bool]


class _Plan:
    """What decoding and filling one message type need, read from its descriptor once."""

    __slots__ = ("name", "cls", "form", "decode_fields", "fill_fields", "by_member", "by_tag", "only", "one")

    def __init__(self, name: str, cls: Any, form: int) -> None:
        self.name = name
        self.cls = cls
        self.form = form
        self.decode_fields: tuple[_DecodeField, ...] = ()
        self.fill_fields: tuple[_FillField, ...] = ()
        # unions: oneof member field -> (its plan, the "type" tag); tag -> (field, plan); the member
        # filled whatever the tag when the union has a single field
        self.by_member: dict[str, tuple[_Plan, str]] = {}
        self.by_tag: dict[str, tuple[str, _Plan]] = {}
        self.only: tuple[str, _Plan] | None = None
        # wrappers: their one field
        self.one: tuple[_DecodeField, _FillField] | None = None


class Codec:
    """Converts the messages of one compiled `.proto` (and the files it imports) both ways."""

    def __init__(
        self,
        file: Any,
        enums: dict[str, tuple[str, ...]],
        unions: tuple[str, ...],
        wrappers: dict[str, str],
    ) -> None:
        self.pool = file.pool
        self.enums = enums
        self.enum_numbers = {name: {v: n for n, v in enumerate(values, 1)} for name, values in enums.items()}
        self.unions = frozenset(unions)
        self.wrappers = wrappers
        self._classes: dict[str, Any] = {}
        self._json_format: Any = None
        self._plans: dict[str, _Plan] = {}
        self._by_class: dict[Any, _Plan] = {}

    # -- classes and plans ----------------------------------------------------------------------

    def message_class(self, full_name: str) -> Any:
        cls = self._classes.get(full_name)
        if cls is None:
            factory = importlib.import_module("google.protobuf.message_factory")
            cls = factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))
            self._classes[full_name] = cls
        return cls

    def _json(self) -> Any:
        if self._json_format is None:
            self._json_format = importlib.import_module("google.protobuf.json_format")
        return self._json_format

    def plan(self, full_name: str) -> _Plan:
        """The plan of message `full_name`, compiled on first use with those of the messages it reaches."""
        found = self._plans.get(full_name)
        if found is None:
            building: dict[str, _Plan] = {}
            found = self._compile(self.pool.FindMessageTypeByName(full_name), building)
            # published whole: a plan in the cache never refers to one still being compiled
            self._plans.update(building)
        return found

    def _compile(self, desc: Any, building: dict[str, _Plan]) -> _Plan:
        name = desc.full_name
        found = self._plans.get(name) or building.get(name)
        if found is not None:  # also ends recursion: a message that holds itself
            return found
        form = JSON_VALUE if name == VALUE else UNION if name in self.unions else PLAIN
        one = self.wrappers.get(name) if form == PLAIN else None
        plan = building[name] = _Plan(name, self.message_class(name), WRAPPER if one is not None else form)
        fields = [(fd, self._field_plan(fd, building)) for fd in desc.fields]
        plan.decode_fields = tuple(d for _, (d, _f) in fields)
        plan.fill_fields = tuple(f for _, (_d, f) in fields)
        if form == UNION:
            for fd, _ in fields:
                mt = fd.message_type
                if mt is not None:
                    member = self._compile(mt, building)
                    plan.by_member[fd.name] = (member, mt.name)
                    plan.by_tag.setdefault(mt.name, (fd.name, member))
                    if len(fields) == 1:
                        plan.only = (fd.name, member)
        if one is not None:
            plan.one = next(planned for fd, planned in fields if fd.name == one)
        return plan

    def _field_plan(self, fd: Any, building: dict[str, _Plan]) -> tuple[_DecodeField, _FillField]:
        shape = 0
        value_fd = fd
        if fd.is_repeated:
            shape = LIST
            mt = fd.message_type
            if mt is not None and mt.GetOptions().map_entry:
                shape = MAP
                value_fd = mt.fields_by_name["value"]
        kind = value_fd.type
        decode_arg: Any = None
        fill_arg: Any = None
        code = SCALAR
        if kind == TYPE_MESSAGE:
            code = MESSAGE
            decode_arg = fill_arg = self._compile(value_fd.message_type, building)
        elif kind == TYPE_ENUM:
            code = ENUM
            enum = value_fd.enum_type.full_name
            decode_arg = self.enums.get(enum, ())
            fill_arg = self.enum_numbers.get(enum, {})
        elif kind == TYPE_BYTES:
            code = BYTES
        # None is JSON null for a google.protobuf.Value field (of any shape); elsewhere it leaves the field unset
        keep_none = fd.message_type is not None and fd.message_type.full_name == VALUE
        presence = bool(fd.has_presence) and not fd.is_repeated
        return (fd.name, presence, shape + code, decode_arg), (fd.name, shape + code, fill_arg, keep_none)

    # -- decode: protobuf -> dict ---------------------------------------------------------------

    def decode(self, message: Any) -> Any:
        """A message as the value a model validates (a dict, or a python value for unions/wrappers)."""
        plan = self._by_class.get(type(message))
        if plan is None:
            plan = self._by_class[type(message)] = self.plan(message.DESCRIPTOR.full_name)
        if plan.form == PLAIN:  # the usual request or response: one call less
            return self._fields(plan, message)
        return self._decode(plan, message)

    def _decode(self, plan: _Plan, message: Any) -> Any:
        form = plan.form
        if form == PLAIN:
            return self._fields(plan, message)
        if form == WRAPPER:
            assert plan.one is not None
            name, presence, code, arg = plan.one[0]
            if presence and not message.HasField(name):
                return None
            return self._value(code, arg, getattr(message, name))
        if form == UNION:
            which = message.WhichOneof("value")
            if which is None:
                return None
            member, tag = plan.by_member[which]
            data = self._fields(member, getattr(message, which))
            data[UNION_TAG] = tag
            return data
        return self._json().MessageToDict(message)

    def _fields(self, plan: _Plan, message: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, presence, code, arg in plan.decode_fields:
            if presence and not message.HasField(name):
                continue
            value = getattr(message, name)
            # the common kinds inline; the rest in _value
            if code <= BYTES:
                out[name] = value
            elif code == MESSAGE:
                out[name] = self._decode(arg, value)
            else:
                out[name] = self._value(code, arg, value)
        return out

    def _value(self, code: int, arg: Any, value: Any) -> Any:
        if code >= MAP:
            code -= MAP
            if code <= BYTES:
                return dict(value)
            return {k: self._value(code, arg, v) for k, v in value.items()}
        if code >= LIST:
            code -= LIST
            if code <= BYTES:
                return list(value)
            if code == MESSAGE:
                return [self._decode(arg, v) for v in value]
            return [self._value(code, arg, v) for v in value]
        if code == MESSAGE:
            return self._decode(arg, value)
        if code == ENUM:
            return arg[value - 1] if 0 < value <= len(arg) else None
        return value

    # -- encode: dict -> protobuf ---------------------------------------------------------------

    def encode(self, full_name: str, data: Any) -> Any:
        """A new message `full_name` filled from `data` (`model_dump(mode="json")` output)."""
        plan = self._plans.get(full_name) or self.plan(full_name)
        message = plan.cls()
        self._fill(plan, message, data)
        return message

    def fill(self, message: Any, data: Any) -> None:
        """Fill `message` (empty) from `data` (`model_dump(mode="json")` output)."""
        self._fill(self.plan(message.DESCRIPTOR.full_name), message, data)

    def _fill(self, plan: _Plan, message: Any, data: Any) -> None:
        form = plan.form
        if form == PLAIN:
            for key, code, arg, keep_none in plan.fill_fields:
                value = data.get(key, _MISSING)
                if value is _MISSING or (value is None and not keep_none):
                    continue
                if code == SCALAR:  # the common kind inline; the rest in _set
                    setattr(message, key, value)
                else:
                    self._set(message, key, code, arg, value)
            return
        if form == WRAPPER:
            assert plan.one is not None
            key, code, arg, keep_none = plan.one[1]
            if data is not None or keep_none:
                self._set(message, key, code, arg, data)
            return
        if form == UNION:
            tag = data.get(UNION_TAG) if isinstance(data, dict) else None
            chosen = plan.only or (plan.by_tag.get(tag) if isinstance(tag, str) else None)
            if chosen is None:
                raise ValueError(f"{plan.name}: no member {tag!r}")
            member = getattr(message, chosen[0])
            member.SetInParent()
            self._fill(chosen[1], member, data)
            return
        self._json().ParseDict(data, message)

    def _set(self, message: Any, key: str, code: int, arg: Any, value: Any) -> None:
        if code == SCALAR:
            setattr(message, key, value)
        elif code == MESSAGE:
            sub = getattr(message, key)
            sub.SetInParent()
            self._fill(arg, sub, value)
        elif code < LIST:
            setattr(message, key, self._scalar(code, arg, value))
        elif code < MAP:
            target = getattr(message, key)
            code -= LIST
            if code == MESSAGE:
                for v in value:
                    self._fill(arg, target.add(), v)
            elif code == SCALAR:
                target.extend(value)
            else:
                target.extend(self._scalar(code, arg, v) for v in value)
        else:
            target = getattr(message, key)
            code -= MAP
            for k, v in value.items():
                if code == MESSAGE:
                    self._fill(arg, target[k], v)
                else:
                    target[k] = self._scalar(code, arg, v)

    @staticmethod
    def _scalar(code: int, arg: Any, value: Any) -> Any:
        if code == ENUM:
            return arg[value]
        if code == BYTES and isinstance(value, str):
            return base64.b64decode(value)
        return value
