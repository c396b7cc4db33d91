"""The SSE parser on its own: the framing rules the stream relies on (no server)."""

import unittest

from support import CLIENT_DIR  # noqa: F401  (puts the package on sys.path)
from warden_client import SSEParser


def feed(parser: SSEParser, text: str):
    out = []
    for line in text.splitlines(keepends=True):
        ev = parser.feed(line)
        if ev:
            out.append(ev)
    return out


class SSEParserTest(unittest.TestCase):
    def test_events_ids_comments_and_retry(self):
        p = SSEParser()
        events = feed(p, "retry: 1000\n\nid: 41\nevent: snapshot\ndata: {\"a\":1}\n\n: hb\n\nid: 42\nevent: kill_switch.engaged\ndata: {}\n\n")
        self.assertEqual([(e.id, e.event, e.data) for e in events], [("41", "snapshot", '{"a":1}'), ("42", "kill_switch.engaged", "{}")])
        self.assertEqual(p.retry_ms, 1000)
        self.assertEqual(p.last_comment, "hb")
        self.assertEqual(p.last_event_id, "42")

    def test_multi_line_data_crlf_bom_and_default_type(self):
        p = SSEParser()
        events = feed(p, "\ufeffdata: one\r\ndata:two\r\n\r\n")
        self.assertEqual([(e.event, e.data, e.id) for e in events], [("message", "one\ntwo", None)])

    def test_id_persists_and_an_event_without_data_is_not_dispatched(self):
        p = SSEParser()
        self.assertEqual(feed(p, "id: 7\nevent: x\n\n"), [])
        events = feed(p, "data: y\n\n")
        self.assertEqual([(e.event, e.id) for e in events], [("message", "7")])


if __name__ == "__main__":
    unittest.main()
