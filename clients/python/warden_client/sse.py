"""A Server-Sent Events parser (the WHATWG event-stream rules), fed one line at a time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SSEEvent:
    event: str
    data: str
    id: str | None


class SSEParser:
    """`feed(line)` returns an SSEEvent when a blank line ends one, else None.

    Comments (`: hb`) and `retry:` are reported through `last_comment` / `retry_ms`; `last_event_id`
    persists across events, as the spec says, and is what a reconnect sends as `Last-Event-ID`.
    """

    def __init__(self) -> None:
        self.last_event_id: str | None = None
        self.retry_ms: int | None = None
        self.last_comment: str | None = None
        self._event = ""
        self._data: list[str] = []
        self._first = True

    def feed(self, line: str) -> SSEEvent | None:
        if self._first:
            self._first = False
            line = line.removeprefix("\ufeff")
        line = line.rstrip("\r\n")
        if line == "":
            if not self._data:
                self._event = ""
                return None
            ev = SSEEvent(self._event or "message", "\n".join(self._data), self.last_event_id)
            self._event, self._data = "", []
            return ev
        if line.startswith(":"):
            self.last_comment = line[1:].lstrip()
            return None
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
        elif field == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif field == "retry":
            if value.isdigit():
                self.retry_ms = int(value)
        return None
