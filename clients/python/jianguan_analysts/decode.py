"""A protobuf message as a plain Python dict, every field present (unset ones at their
default, an unset message as None), keyed by the proto field names:

* enums by value name ("RESULT_OUTCOME_VIOLATION"); a number the contracts do not know yet
  as its digits;
* google.protobuf.Timestamp as a timezone-aware `datetime` (UTC);
* jianguan.common.v1.Date as a `datetime.date` (None for the all-zero date);
* 64-bit integers as `int`, bytes as `bytes`, maps as `dict`, repeated fields as `list`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from .descriptors import enum_name, is_map, is_repeated

TIMESTAMP = "google.protobuf.Timestamp"
DATE = "jianguan.common.v1.Date"
UTC = dt.timezone.utc
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def to_dict(message: Message) -> dict[str, Any]:
    """Every field of `message` by its proto name (module docstring)."""
    return {fd.name: _field(message, fd) for fd in message.DESCRIPTOR.fields}


def message_value(message: Message) -> Any:
    """A message field's value: the well-known scalar forms, else a dict."""
    name = message.DESCRIPTOR.full_name
    if name == TIMESTAMP:
        return _EPOCH + dt.timedelta(seconds=message.seconds, microseconds=message.nanos // 1000)
    if name == DATE:
        if message.year == 0 and message.month == 0 and message.day == 0:
            return None
        try:
            return dt.date(message.year, message.month, message.day)
        except ValueError:  # a date the service would refuse; keep what was sent
            return None
    return to_dict(message)


def _scalar(fd: FieldDescriptor, value: Any) -> Any:
    if fd.type == FieldDescriptor.TYPE_ENUM:
        return enum_name(fd.enum_type, value)
    if fd.type == FieldDescriptor.TYPE_MESSAGE:
        return message_value(value)
    return value


def _field(message: Message, fd: FieldDescriptor) -> Any:
    value = getattr(message, fd.name)
    if is_map(fd):
        value_fd = fd.message_type.fields_by_name["value"]
        return {k: _scalar(value_fd, v) for k, v in value.items()}
    if is_repeated(fd):
        return [_scalar(fd, v) for v in value]
    if fd.type == FieldDescriptor.TYPE_MESSAGE:
        return message_value(value) if message.HasField(fd.name) else None
    return _scalar(fd, value)


def is_well_known_scalar(descriptor: Descriptor) -> bool:
    """Messages carried as one value (a timestamp, a date) rather than as their fields."""
    return descriptor.full_name in (TIMESTAMP, DATE)
