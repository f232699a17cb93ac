"""The suite's contracts as the build writes them: a protobuf descriptor set
(`build/<preset>/jianguan.desc`, `--include_imports --include_source_info`).

Nothing here knows an event type by name. Which messages are events, and on which topic,
follows from how the contracts are laid out (docs/events.md):

* every topic `jianguan.<domain>.v<n>` is published by the file
  `jianguan/<domain>/v<n>/events.proto`, whose package has the topic's name;
* its event types are the top-level messages of that file that no other message uses as a
  field (TaskSummary, LedgerEntry … are parts of events, not events);
* the dead-letter topic `jianguan.dlq.v1` carries `jianguan.common.v1.DeadLetter`.

So a new event type, or a new domain's topic, is picked up from a rebuilt descriptor set
without a change here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from .errors import AnalystsError

DEAD_LETTER_TOPIC = "jianguan.dlq.v1"
DEAD_LETTER_TYPE = "jianguan.common.v1.DeadLetter"
ENV_DESCRIPTORS = "JG_DESCRIPTOR_SET"

# FileDescriptorProto / DescriptorProto / EnumDescriptorProto field numbers used in
# SourceCodeInfo.Location paths (descriptor.proto).
_FILE_MESSAGE, _FILE_ENUM = 4, 5
_MESSAGE_FIELD, _MESSAGE_NESTED, _MESSAGE_ENUM = 2, 3, 4
_ENUM_VALUE = 2


@dataclass
class Contracts:
    """A loaded descriptor set: message classes by full name, comments, topics."""

    path: str
    files: list[descriptor_pb2.FileDescriptorProto]
    pool: descriptor_pool.DescriptorPool
    _classes: dict[str, Any] = field(default_factory=dict)
    _comments: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> "Contracts":
        """Loads the descriptor set at `path`, else at $JG_DESCRIPTOR_SET, else the copy
        shipped with the package; AnalystsError when none can be read."""
        chosen = locate(path)
        try:
            data = Path(chosen).read_bytes()
        except OSError as e:
            raise AnalystsError(f"cannot read the descriptor set {chosen}: {e.strerror}") from e
        fds = descriptor_pb2.FileDescriptorSet()
        try:
            fds.ParseFromString(data)
        except Exception as e:  # the protobuf runtime raises its own DecodeError
            raise AnalystsError(f"{chosen} is not a protobuf descriptor set: {e}") from e
        if not fds.file:
            raise AnalystsError(f"{chosen} is an empty descriptor set")
        pool = descriptor_pool.DescriptorPool()
        try:
            for f in fds.file:  # --include_imports writes them dependencies first
                pool.Add(f)
        except Exception as e:
            raise AnalystsError(f"{chosen}: cannot load {f.name}: {e} (was it written with "
                                "--include_imports?)") from e
        contracts = cls(str(chosen), list(fds.file), pool)
        for f in fds.file:
            contracts._comments.update(_comments_of(f))
        return contracts

    def message(self, type_name: str) -> Descriptor | None:
        """The message descriptor of a full type name, None when the set has no such type."""
        try:
            return self.pool.FindMessageTypeByName(type_name)
        except KeyError:
            return None

    def message_class(self, type_name: str) -> Any | None:
        """The generated class of a full type name (cached), None when unknown."""
        if type_name not in self._classes:
            descriptor = self.message(type_name)
            self._classes[type_name] = (
                None if descriptor is None else message_factory.GetMessageClass(descriptor))
        return self._classes[type_name]

    def comment(self, full_name: str) -> str:
        """The leading comment of a message ("pkg.Msg"), field ("pkg.Msg.field"), enum or
        enum value ("pkg.Enum.VALUE"), as one line; "" when it has none."""
        return self._comments.get(full_name, "")

    @cached_property
    def topics(self) -> dict[str, list[str]]:
        """Topic → its event types (full names), in the order the contracts declare them."""
        used: set[str] = set()
        for f in self.files:
            fd = self.pool.FindFileByName(f.name)
            stack = list(fd.message_types_by_name.values())
            while stack:
                m = stack.pop()
                used.update(x.message_type.full_name for x in m.fields if x.message_type)
                stack.extend(m.nested_types)
        topics: dict[str, list[str]] = {}
        for f in self.files:
            parts = f.name.split("/")
            if len(parts) != 4 or parts[0] != "jianguan" or parts[3] != "events.proto":
                continue
            fd = self.pool.FindFileByName(f.name)
            events = [m.full_name for m in fd.message_types_by_name.values()
                      if m.full_name not in used]
            if events:
                topics[fd.package] = events
        if self.message(DEAD_LETTER_TYPE) is not None:
            topics[DEAD_LETTER_TOPIC] = [DEAD_LETTER_TYPE]
        return dict(sorted(topics.items()))

    def topic_of(self, type_name: str) -> str | None:
        """The topic an event type is published on, None for a type that is no event."""
        for topic, types in self.topics.items():
            if type_name in types:
                return topic
        return None


def locate(path: str | os.PathLike[str] | None = None) -> Path:
    """Which descriptor set to use: `path`, $JG_DESCRIPTOR_SET, or the shipped copy."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_DESCRIPTORS)
    if env:
        return Path(env)
    shipped = resources.files("jianguan_analysts").joinpath("data/jianguan.desc")
    if shipped.is_file():
        return Path(str(shipped))
    raise AnalystsError(
        "no descriptor set: pass --descriptors build/<preset>/jianguan.desc (the build writes "
        f"it), set {ENV_DESCRIPTORS}, or reinstall the package after a build (tools/jg venv "
        "ships the built one with it)")


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def _comments_of(f: descriptor_pb2.FileDescriptorProto) -> dict[str, str]:
    """Leading comments by full name, from the file's SourceCodeInfo."""
    names: dict[tuple[int, ...], str] = {}
    prefix = f.package + "." if f.package else ""

    def enum(e: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...], scope: str) -> None:
        name = scope + e.name
        names[path] = name
        # Enum values are scoped beside the enum in protobuf, but named under it here so
        # that each enum's values can be listed with their comments.
        for i, v in enumerate(e.value):
            names[path + (_ENUM_VALUE, i)] = f"{name}.{v.name}"

    def message(m: descriptor_pb2.DescriptorProto, path: tuple[int, ...], scope: str) -> None:
        name = scope + m.name
        names[path] = name
        for i, fld in enumerate(m.field):
            names[path + (_MESSAGE_FIELD, i)] = f"{name}.{fld.name}"
        for i, nested in enumerate(m.nested_type):
            message(nested, path + (_MESSAGE_NESTED, i), name + ".")
        for i, e in enumerate(m.enum_type):
            enum(e, path + (_MESSAGE_ENUM, i), name + ".")

    for i, m in enumerate(f.message_type):
        message(m, (_FILE_MESSAGE, i), prefix)
    for i, e in enumerate(f.enum_type):
        enum(e, (_FILE_ENUM, i), prefix)
    comments: dict[str, str] = {}
    for location in f.source_code_info.location:
        name = names.get(tuple(location.path))
        if name and location.leading_comments:
            comments[name] = _one_line(location.leading_comments)
    return comments


def is_map(fd: FieldDescriptor) -> bool:
    """Whether a field is a protobuf map (a repeated synthetic *Entry message)."""
    return (fd.message_type is not None and fd.message_type.GetOptions().map_entry)


def is_repeated(fd: FieldDescriptor) -> bool:
    """Whether a field is repeated (maps included). Works across protobuf releases."""
    repeated = getattr(fd, "is_repeated", None)
    if repeated is not None:
        return bool(repeated() if callable(repeated) else repeated)
    return fd.label == FieldDescriptor.LABEL_REPEATED


def enum_name(enum: EnumDescriptor, number: int) -> str:
    """The value's name, or its number as text for a value the contracts do not know yet."""
    value = enum.values_by_number.get(number)
    return value.name if value is not None else str(number)
