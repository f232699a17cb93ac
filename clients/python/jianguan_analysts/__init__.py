"""jianguan_analysts: the suite's Kafka topics for analysts (clients/python/README.md).

    from jianguan_analysts import read
    for event in read("jianguan.inspection.v1", start="beginning"):
        print(event.time, event.type, event.data)
"""

from .consumer import Event, Reader, read, suite_topics
from .descriptors import Contracts
from .errors import AnalystsError
from .export import ExportResult, export, table_rows

__all__ = ["AnalystsError", "Contracts", "Event", "ExportResult", "Reader", "export", "read",
           "suite_topics", "table_rows"]
