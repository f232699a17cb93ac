"""One flat table per event type, its columns derived from the descriptor alone (so every
file of a type has the same schema whatever its rows hold):

* the envelope first: `ce_id`, `ce_type`, `ce_source`, `ce_time` (timestamp, UTC),
  `ce_subject`, and where the record was: `kafka_topic`, `kafka_partition`,
  `kafka_offset`, `kafka_key`;
* then the event's fields by their proto names; a singular message field is flattened into
  its fields, joined with a double underscore (`result__inspection_date`,
  `task__lead_department__code`), all null when the message is unset;
* a repeated field is one list column; a repeated message is a list of structs whose members
  keep their proto names (`result__departments` → `[{department: {code}, category: {…}}]`,
  which DuckDB reads with UNNEST and `d.category.outcome`); a map is a MAP column;
* enums are their value names (strings); google.protobuf.Timestamp a timestamp (UTC),
  jianguan.common.v1.Date a date; a message that contains itself (none does today) is JSON
  text; a message without fields a boolean that says whether it was set.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pyarrow as pa
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from .decode import DATE, TIMESTAMP
from .descriptors import Contracts, is_map, is_repeated

SEPARATOR = "__"

ENVELOPE: list[tuple[str, pa.DataType, str]] = [
    ("ce_id", pa.string(), "CloudEvents id: a UUID, the same on every republication of the event"),
    ("ce_type", pa.string(), "CloudEvents type: the event's full protobuf name"),
    ("ce_source", pa.string(), "CloudEvents source: the publishing service"),
    ("ce_time", pa.timestamp("us", tz="UTC"), "CloudEvents time: when the change happened (UTC)"),
    ("ce_subject", pa.string(), "CloudEvents subject: the subject's USCC, or the resource name"),
    ("kafka_topic", pa.string(), "the topic the record was read from"),
    ("kafka_partition", pa.int32(), "its partition"),
    ("kafka_offset", pa.int64(), "its offset in that partition"),
    ("kafka_key", pa.string(), "its key (the USCC or the resource name)"),
]

_SCALARS: dict[int, pa.DataType] = {
    FieldDescriptor.TYPE_DOUBLE: pa.float64(),
    FieldDescriptor.TYPE_FLOAT: pa.float32(),
    FieldDescriptor.TYPE_INT64: pa.int64(),
    FieldDescriptor.TYPE_SINT64: pa.int64(),
    FieldDescriptor.TYPE_SFIXED64: pa.int64(),
    FieldDescriptor.TYPE_UINT64: pa.uint64(),
    FieldDescriptor.TYPE_FIXED64: pa.uint64(),
    FieldDescriptor.TYPE_INT32: pa.int32(),
    FieldDescriptor.TYPE_SINT32: pa.int32(),
    FieldDescriptor.TYPE_SFIXED32: pa.int32(),
    FieldDescriptor.TYPE_UINT32: pa.uint32(),
    FieldDescriptor.TYPE_FIXED32: pa.uint32(),
    FieldDescriptor.TYPE_BOOL: pa.bool_(),
    FieldDescriptor.TYPE_STRING: pa.string(),
    FieldDescriptor.TYPE_BYTES: pa.binary(),
    FieldDescriptor.TYPE_ENUM: pa.string(),
}

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Column:
    """One column of an event type's table."""

    name: str
    path: tuple[str, ...]  # the field names from the event down to the value
    type: pa.DataType
    convert: Convert  # the decoded value (decode.to_dict) → what pyarrow takes
    field: FieldDescriptor | None  # the leaf field, None for the envelope


def _value_type(fd: FieldDescriptor, ancestors: tuple[str, ...]) -> tuple[pa.DataType, Convert]:
    """The Arrow type of one (non-repeated) value of `fd`, and its converter."""
    if fd.type != FieldDescriptor.TYPE_MESSAGE:
        return _SCALARS[fd.type], _same
    return _message_type(fd.message_type, ancestors)


def _message_type(m: Descriptor, ancestors: tuple[str, ...]) -> tuple[pa.DataType, Convert]:
    if m.full_name == TIMESTAMP:
        return pa.timestamp("us", tz="UTC"), _same
    if m.full_name == DATE:
        return pa.date32(), _same
    if m.full_name in ancestors:
        return pa.string(), _json
    if not m.fields:
        return pa.bool_(), lambda v: None if v is None else True
    members = [(fd.name, *_field_type(fd, ancestors + (m.full_name,))) for fd in m.fields]
    struct = pa.struct([pa.field(name, t) for name, t, _ in members])

    def convert(value: Any) -> Any:
        if value is None:
            return None
        return {name: c(value.get(name)) for name, _, c in members}

    return struct, convert


def _field_type(fd: FieldDescriptor, ancestors: tuple[str, ...]) -> tuple[pa.DataType, Convert]:
    """The Arrow type of the whole field (lists and maps included) and its converter."""
    if is_map(fd):
        key_fd = fd.message_type.fields_by_name["key"]
        value_fd = fd.message_type.fields_by_name["value"]
        value_type, value_convert = _value_type(value_fd, ancestors)

        def convert_map(value: Any) -> Any:
            if value is None:
                return None
            return [(k, value_convert(v)) for k, v in value.items()]

        return pa.map_(_SCALARS[key_fd.type], value_type), convert_map
    element_type, convert = _value_type(fd, ancestors)
    if is_repeated(fd):
        def convert_list(value: Any) -> Any:
            return None if value is None else [convert(v) for v in value]

        return pa.list_(element_type), convert_list
    return element_type, convert


def _flatten(m: Descriptor, prefix: tuple[str, ...], ancestors: tuple[str, ...]) -> Iterable[Column]:
    for fd in m.fields:
        path = prefix + (fd.name,)
        sub = fd.message_type
        flat = (sub is not None and not is_repeated(fd) and sub.full_name not in (TIMESTAMP, DATE)
                and sub.full_name not in ancestors + (m.full_name,) and len(sub.fields) > 0)
        if flat:
            yield from _flatten(sub, path, ancestors + (m.full_name,))
        else:
            t, convert = _field_type(fd, ancestors + (m.full_name,))
            yield Column(SEPARATOR.join(path), path, t, convert, fd)


class Layout:
    """The table of one event type: its columns and Arrow schema."""

    def __init__(self, contracts: Contracts, type_name: str) -> None:
        descriptor = contracts.message(type_name)
        if descriptor is None:
            raise KeyError(type_name)
        self.type_name = type_name
        self.descriptor = descriptor
        envelope_names = {name for name, _, _ in ENVELOPE}
        self.envelope = [Column(name, (), t, _same, None) for name, t, _ in ENVELOPE]
        self.data: list[Column] = []
        for c in _flatten(descriptor, (), ()):
            # A field named like an envelope column (none is) keeps its value under "data__".
            name = f"data{SEPARATOR}{c.name}" if c.name in envelope_names else c.name
            self.data.append(Column(name, c.path, c.type, c.convert, c.field))
        self.columns = self.envelope + self.data
        self.schema = pa.schema([pa.field(c.name, c.type) for c in self.columns])

    def row(self, envelope: dict[str, Any], data: dict[str, Any]) -> list[Any]:
        """One event as the table's row: envelope values by name, then the flattened data."""
        row = [envelope.get(c.name) for c in self.envelope]
        for c in self.data:
            value: Any = data
            for name in c.path:
                value = value.get(name) if isinstance(value, dict) else None
                if value is None:
                    break
            row.append(c.convert(value))
        return row

    def table(self, rows: list[list[Any]]) -> pa.Table:
        """The rows (from row()) as an Arrow table of this layout's schema."""
        arrays = [pa.array([r[i] for r in rows], type=c.type) for i, c in enumerate(self.columns)]
        return pa.Table.from_arrays(arrays, schema=self.schema)


def type_label(t: pa.DataType) -> str:
    """A short, stable name of an Arrow type for the schema document."""
    if pa.types.is_timestamp(t):
        return "timestamp (UTC)"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_list(t):
        return f"list<{type_label(t.value_type)}>"
    if pa.types.is_map(t):
        return f"map<{type_label(t.key_type)}, {type_label(t.item_type)}>"
    if pa.types.is_struct(t):
        return "struct"
    return str(t)


def beijing_date(when: dt.datetime) -> dt.date:
    """The Beijing calendar day of an instant (law's days are Beijing days)."""
    return when.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
