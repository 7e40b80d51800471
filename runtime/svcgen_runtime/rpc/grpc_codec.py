"""Protobuf messages <-> the JSON wire form of the generated models, driven by descriptors and tables.

A generated `grpc_service.py` builds one `Codec` from its compiled `_pb2` descriptor and the
tables only the IDL knows: each enum's IDL value names (proto number = index + 1, 0 is
unspecified), which messages are unions (`oneof value`, the member message's name is the
`"type"` tag) and which are generated wrappers of nested containers or nullable items.

Decoding gives the dict the models validate (python mode: bytes stay bytes); encoding takes
`model_dump(mode="json")` output (bytes as base64 text). A field with presence that is unset is
left out, so the model's default applies; an empty repeated or map field is an empty list/map.

This module imports neither grpc nor protobuf at import time (generated code that imports it
type-checks without their stubs); `svcgen_runtime.rpc.grpc` serves and calls through it.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Callable
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


_Decode = Callable[[Any], Any]
_Encode = Callable[[Any, Any], None]


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

    # -- classes ------------------------------------------------------------------------------

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

    # -- decode: protobuf -> dict ---------------------------------------------------------------

    def decode(self, message: Any) -> Any:
        """A message as the value a model validates (a dict, or a python value for unions/wrappers)."""
        desc = message.DESCRIPTOR
        name = desc.full_name
        if name == VALUE:
            return self._json().MessageToDict(message)
        if name in self.unions:
            which = message.WhichOneof("value")
            if which is None:
                return None
            member = getattr(message, which)
            data = self._fields(member)
            data[UNION_TAG] = member.DESCRIPTOR.name
            return data
        one = self.wrappers.get(name)
        if one is not None:
            fd = desc.fields_by_name[one]
            if fd.has_presence and not fd.is_repeated and not message.HasField(one):
                return None
            return self._field(fd, getattr(message, one))
        return self._fields(message)

    def _fields(self, message: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for fd in message.DESCRIPTOR.fields:
            name = fd.name
            if fd.has_presence and not fd.is_repeated and not message.HasField(name):
                continue
            out[name] = self._field(fd, getattr(message, name))
        return out

    def _field(self, fd: Any, value: Any) -> Any:
        if fd.is_repeated:
            mt = fd.message_type
            if mt is not None and mt.GetOptions().map_entry:
                vfd = mt.fields_by_name["value"]
                return {k: self._single(vfd, v) for k, v in value.items()}
            return [self._single(fd, v) for v in value]
        return self._single(fd, value)

    def _single(self, fd: Any, value: Any) -> Any:
        kind = fd.type
        if kind == TYPE_MESSAGE:
            return self.decode(value)
        if kind == TYPE_ENUM:
            values = self.enums.get(fd.enum_type.full_name, ())
            return values[value - 1] if 0 < value <= len(values) else None
        return value

    # -- encode: dict -> protobuf ---------------------------------------------------------------

    def encode(self, full_name: str, data: Any) -> Any:
        """A new message `full_name` filled from `data` (`model_dump(mode="json")` output)."""
        message = self.message_class(full_name)()
        self.fill(message, data)
        return message

    def fill(self, message: Any, data: Any) -> None:
        desc = message.DESCRIPTOR
        name = desc.full_name
        if name == VALUE:
            self._json().ParseDict(data, message)
            return
        if name in self.unions:
            tag = data.get(UNION_TAG) if isinstance(data, dict) else None
            for fd in desc.fields:
                if fd.message_type is not None and (fd.message_type.name == tag or len(desc.fields) == 1):
                    member = getattr(message, fd.name)
                    member.SetInParent()
                    self.fill(member, data)
                    return
            raise ValueError(f"{name}: no member {tag!r}")
        one = self.wrappers.get(name)
        if one is not None:
            data = {one: data}
        for fd in desc.fields:
            key = fd.name
            if key not in data:
                continue
            value = data[key]
            if value is None and not (fd.message_type is not None and fd.message_type.full_name == VALUE):
                continue
            self._set(message, fd, value)

    def _set(self, message: Any, fd: Any, value: Any) -> None:
        key = fd.name
        if fd.is_repeated:
            target = getattr(message, key)
            mt = fd.message_type
            if mt is not None and mt.GetOptions().map_entry:
                vfd = mt.fields_by_name["value"]
                for k, v in value.items():
                    if vfd.type == TYPE_MESSAGE:
                        self.fill(target[k], v)
                    else:
                        target[k] = self._scalar(vfd, v)
            elif fd.type == TYPE_MESSAGE:
                for v in value:
                    self.fill(target.add(), v)
            else:
                target.extend(self._scalar(fd, v) for v in value)
        elif fd.type == TYPE_MESSAGE:
            sub = getattr(message, key)
            sub.SetInParent()
            self.fill(sub, value)
        else:
            setattr(message, key, self._scalar(fd, value))

    def _scalar(self, fd: Any, value: Any) -> Any:
        kind = fd.type
        if kind == TYPE_ENUM:
            return self.enum_numbers[fd.enum_type.full_name][value]
        if kind == TYPE_BYTES and isinstance(value, str):
            return base64.b64decode(value)
        return value
