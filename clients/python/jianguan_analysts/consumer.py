"""Reading suite topics as events: the CloudEvents attributes plus the decoded message.

    from jianguan_analysts import read
    for event in read("jianguan.inspection.v1", start="beginning"):
        print(event.time, event.type, event.data["task"]["uscc"])

Positions: `start` is "beginning", "end", a time (a `datetime`, or ISO 8601 text; without a
zone it is Beijing time) or None. With None the reader resumes where its consumer group left
off, and starts at the beginning of a partition the group never committed.

Consumer group: `group` names the reader's own group; offsets are committed to it only for
events already yielded, never ahead of them. Without a group the reader commits nothing. The
reader takes every partition of its topics itself (no group rebalance to wait for): run one
reader per group.

By default it stops once it has read every partition to the end it found there; with
`follow=True` it waits for new events until closed.
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, KafkaError, KafkaException, TopicPartition

from .decode import BEIJING, UTC, to_dict
from .descriptors import Contracts
from .errors import AnalystsError

DEFAULT_BROKERS = "127.0.0.1:9092"  # tools/jg up
ENV_BROKERS = "JG_KAFKA_BROKERS"
# Every suite topic, present and future (libs/events/topics.h: kAllSuitePattern).
SUITE_TOPIC = re.compile(r"^jianguan\.[a-z]+\.v[0-9]+$")

log = logging.getLogger("jianguan_analysts")


@dataclass(frozen=True)
class Event:
    """One event: its CloudEvents attributes, where it was read, and its message as a dict
    (decode.to_dict)."""

    id: str  # ce_id
    type: str  # ce_type, the full protobuf name
    source: str  # ce_source, the publishing service
    time: dt.datetime  # ce_time (UTC); the record's timestamp if it had none
    subject: str  # ce_subject: the USCC, or a resource name
    data: dict[str, Any]
    topic: str
    partition: int
    offset: int
    key: str

    def envelope(self) -> dict[str, Any]:
        """The envelope as the export's columns name it (tables.ENVELOPE)."""
        return {"ce_id": self.id, "ce_type": self.type, "ce_source": self.source,
                "ce_time": self.time, "ce_subject": self.subject, "kafka_topic": self.topic,
                "kafka_partition": self.partition, "kafka_offset": self.offset,
                "kafka_key": self.key}


def brokers_or_default(brokers: str | None) -> str:
    """`brokers`, else $JG_KAFKA_BROKERS, else the local stack's 127.0.0.1:9092."""
    return brokers or os.environ.get(ENV_BROKERS) or DEFAULT_BROKERS


def parse_time(text: str | dt.datetime) -> dt.datetime:
    """A position in time: an aware datetime; ISO 8601 text without zone is Beijing time."""
    if isinstance(text, dt.datetime):
        when = text
    else:
        try:
            when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError as e:
            raise AnalystsError(f"'{text}' is no position: say beginning, end or an ISO 8601 "
                                "time such as 2026-03-01 or 2026-03-01T08:00:00+08:00") from e
    return when if when.tzinfo is not None else when.replace(tzinfo=BEIJING)


def _ce_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


class Reader:
    """Events of one or more topics; iterate it (once), and close it or use it with `with`.

    Used with `with`, an event the block raised on is not committed; otherwise the last
    event yielded counts as processed when the iteration ends or the reader is closed.
    """

    def __init__(self, topics: str | Sequence[str], *, brokers: str | None = None,
                 start: str | dt.datetime | None = None, group: str | None = None,
                 descriptors: str | os.PathLike[str] | Contracts | None = None,
                 follow: bool = False, positions: dict[tuple[str, int], int] | None = None,
                 timeout: float = 15.0) -> None:
        self.topics = [topics] if isinstance(topics, str) else list(topics)
        if not self.topics:
            raise AnalystsError("no topic to read")
        self.brokers = brokers_or_default(brokers)
        self.start = start
        self.group = group
        self.follow = follow
        self.positions = positions  # explicit next offsets (the export's); others: `start`
        self.timeout = timeout
        self.contracts = (descriptors if isinstance(descriptors, Contracts)
                          else Contracts.load(descriptors))
        self.end_offsets: dict[tuple[str, int], int] = {}
        self.cluster_id: str | None = None  # the broker's cluster, once connected
        self._consumer: Consumer | None = None
        self._pending: dict[tuple[str, int], int] = {}  # next offsets to commit
        self._in_flight: tuple[str, int, int] | None = None
        self._last_commit = time.monotonic()
        self._broker_error: tuple[float, str] | None = None
        self._iterated = False

    # --- the iteration ---------------------------------------------------------------------

    def __iter__(self) -> Iterator[Event]:
        if self._iterated:
            raise AnalystsError("a Reader is iterated once; make another to read again")
        self._iterated = True
        try:
            for message in self._messages():
                event = self.decode(message)
                self._in_flight = (message.topic(), message.partition(), message.offset())
                yield event
                self._processed()
        finally:
            self.close()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.close(last_processed=exc_type is None)

    def close(self, last_processed: bool = True) -> None:
        """Commits what was processed (and the last event yielded when `last_processed`),
        then leaves the broker. Safe to call twice."""
        if self._consumer is None:
            return
        if last_processed and self._in_flight is not None:
            self._processed()
        consumer, self._consumer = self._consumer, None
        try:
            self._commit(consumer, asynchronous=False)
        finally:
            consumer.close()

    def _processed(self) -> None:
        assert self._in_flight is not None
        topic, partition, offset = self._in_flight
        self._in_flight = None
        self._pending[(topic, partition)] = offset + 1
        if self._consumer is not None and time.monotonic() - self._last_commit > 5:
            self._commit(self._consumer, asynchronous=True)

    def _commit(self, consumer: Consumer, asynchronous: bool) -> None:
        self._last_commit = time.monotonic()
        if self.group is None or not self._pending:
            return
        offsets = [TopicPartition(t, p, o) for (t, p), o in sorted(self._pending.items())]
        self._pending = {}
        try:
            consumer.commit(offsets=offsets, asynchronous=asynchronous)
        except KafkaException as e:
            raise AnalystsError(f"could not commit the offsets of group {self.group}: "
                                f"{e.args[0].str()}") from e

    # --- Kafka -----------------------------------------------------------------------------

    def _on_error(self, error: KafkaError) -> None:
        if error.code() in (KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT,
                            KafkaError._RESOLVE):
            if self._broker_error is None:
                self._broker_error = (time.monotonic(), error.str())
        log.debug("kafka: %s", error.str())

    def _open(self) -> Consumer:
        config = {
            "bootstrap.servers": self.brokers,
            # Without a group of its own the reader still needs an id; it commits nothing.
            "group.id": self.group or f"jianguan-analysts-{getpass.getuser()}-{uuid.uuid4().hex[:8]}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "client.id": "jianguan-analysts",
            "error_cb": self._on_error,
            "logger": logging.getLogger("jianguan_analysts.kafka"),
        }
        consumer = Consumer(config)
        try:
            metadata = consumer.list_topics(timeout=self.timeout)
        except KafkaException as e:
            consumer.close()
            raise AnalystsError(f"cannot reach the Kafka broker at {self.brokers} within "
                                f"{self.timeout:g} s ({e.args[0].str()}); is it running? "
                                f"(tools/jg up, or set {ENV_BROKERS})") from e
        self.cluster_id = metadata.cluster_id
        partitions: list[TopicPartition] = []
        for topic in self.topics:
            found = metadata.topics.get(topic)
            if found is None or found.error is not None:
                there = sorted(t for t in metadata.topics if SUITE_TOPIC.match(t))
                consumer.close()
                raise AnalystsError(f"no topic '{topic}' on the broker at {self.brokers}; "
                                    f"the suite's topics there: {', '.join(there) or 'none'}")
            partitions += [TopicPartition(topic, p) for p in sorted(found.partitions)]
        try:
            self._position(consumer, partitions)
            for tp in partitions:
                _, high = consumer.get_watermark_offsets(tp, timeout=self.timeout)
                self.end_offsets[(tp.topic, tp.partition)] = high
        except KafkaException as e:
            consumer.close()
            raise AnalystsError(f"cannot position the reader on {', '.join(self.topics)} at "
                                f"{self.brokers}: {e.args[0].str()}") from e
        consumer.assign(partitions)
        return consumer

    def _position(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Sets each partition's starting offset (class docstring)."""
        start = self.start
        if isinstance(start, str) and start.strip().lower() in ("beginning", "end"):
            offset = OFFSET_BEGINNING if start.strip().lower() == "beginning" else OFFSET_END
            for tp in partitions:
                tp.offset = offset
        elif start is not None:
            millis = int(parse_time(start).timestamp() * 1000)
            asked = [TopicPartition(tp.topic, tp.partition, millis) for tp in partitions]
            for tp, found in zip(partitions, consumer.offsets_for_times(asked, timeout=self.timeout)):
                tp.offset = found.offset if found.offset >= 0 else OFFSET_END
        elif self.group is not None:
            committed = consumer.committed(partitions, timeout=self.timeout)
            for tp, c in zip(partitions, committed):
                tp.offset = c.offset if c.offset >= 0 else OFFSET_BEGINNING
        else:
            for tp in partitions:
                tp.offset = OFFSET_BEGINNING
        if self.positions:
            for tp in partitions:
                tp.offset = self.positions.get((tp.topic, tp.partition), tp.offset)

    def _messages(self) -> Iterator[Any]:
        self._consumer = self._open()
        waiting = {(tp.topic, tp.partition) for tp in self._consumer.assignment()}
        while self._consumer is not None and (waiting or self.follow):
            message = self._consumer.poll(1.0)
            if message is None:
                self._check_broker()
                continue
            self._broker_error = None
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    waiting.discard((message.topic(), message.partition()))
                    continue
                if error.fatal() or not error.retriable():
                    raise AnalystsError(f"reading {message.topic()} [{message.partition()}] "
                                        f"broke off: {error.str()}")
                continue
            yield message

    def _check_broker(self) -> None:
        """After the client reported the broker gone and `timeout` passed without a record:
        asks the broker for metadata; the stream broke off when it does not answer."""
        if self._broker_error is None or self._consumer is None:
            return
        since, what = self._broker_error
        if time.monotonic() - since <= self.timeout:
            return
        try:
            self._consumer.list_topics(timeout=min(self.timeout, 5.0))
            self._broker_error = None  # it was a connection the client has re-made
        except KafkaException as e:
            raise AnalystsError(f"lost the Kafka broker at {self.brokers} for more than "
                                f"{self.timeout:g} s ({what}); the stream broke off") from e

    # --- decoding --------------------------------------------------------------------------

    def decode(self, message: Any) -> Event:
        """A Kafka record of the suite as an Event; AnalystsError for a type the descriptor
        set does not hold (an older set than the services that wrote the record)."""
        headers = {k: (v.decode("utf-8", "replace") if isinstance(v, bytes) else (v or ""))
                   for k, v in (message.headers() or [])}
        type_name = headers.get("ce_type", "")
        where = f"{message.topic()} [{message.partition()}] offset {message.offset()}"
        if not type_name:
            raise AnalystsError(f"{where} has no ce_type header: not a suite event")
        cls = self.contracts.message_class(type_name)
        if cls is None:
            raise AnalystsError(f"{where} is a {type_name}, which the descriptor set "
                                f"{self.contracts.path} does not define: use the set of the "
                                "build that runs the services (--descriptors)")
        value = cls()
        try:
            value.ParseFromString(message.value() or b"")
        except Exception as e:
            raise AnalystsError(f"{where}: cannot decode its {type_name}: {e}") from e
        key = message.key()
        when = _ce_time(headers.get("ce_time", ""))
        if when is None:  # no ce_time (none of the suite's events): the record's own time
            when = dt.datetime.fromtimestamp(message.timestamp()[1] / 1000, UTC)
        return Event(id=headers.get("ce_id", ""), type=type_name,
                     source=headers.get("ce_source", ""), time=when,
                     subject=headers.get("ce_subject", ""), data=to_dict(value),
                     topic=message.topic(), partition=message.partition(),
                     offset=message.offset(),
                     key=key.decode("utf-8", "replace") if isinstance(key, bytes) else (key or ""))


def read(topics: str | Sequence[str], **options: Any) -> Reader:
    """The events of `topics` (Reader's options: brokers, start, group, descriptors,
    follow, timeout)."""
    return Reader(topics, **options)


def suite_topics(brokers: str | None = None, timeout: float = 15.0) -> list[str]:
    """The suite's topics (jianguan.<domain>.v<n>, the dead-letter topic too) the broker
    holds."""
    address = brokers_or_default(brokers)
    consumer = Consumer({"bootstrap.servers": address, "group.id": "jianguan-analysts-list",
                         "logger": logging.getLogger("jianguan_analysts.kafka")})
    try:
        metadata = consumer.list_topics(timeout=timeout)
    except KafkaException as e:
        raise AnalystsError(f"cannot reach the Kafka broker at {address} within {timeout:g} s "
                            f"({e.args[0].str()}); is it running? (tools/jg up, or set "
                            f"{ENV_BROKERS})") from e
    finally:
        consumer.close()
    return sorted(t for t in metadata.topics if SUITE_TOPIC.match(t))
