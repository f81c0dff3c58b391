"""Hostile JSON Feed documents through the real binary (issue 8), beside
two good feeds, with the same contract as test_hostile_xml.py: refused
ones give one error line naming the feed, bounded time and memory, the
good feeds delivered, nothing recorded, state intact; odd but usable ones
are delivered as clean, strictly valid mail.
"""
import email
import json
import unittest

from test_hostile_common import STRICT, HostileCase

V = "https://jsonfeed.org/version/1.1"


def jf(title, items_json):
    return ('{"version":"%s","title":%s,"items":%s}' %
            (V, json.dumps(title), items_json)).encode()


class HostileJSON(HostileCase):

    def serve(self, body):
        path = "/%s.json" % self._testMethodName
        self.server.put(path, body, "application/feed+json")
        return self.server.url(path)

    def test_deeply_nested_arrays(self):
        body = jf("t", '[{"id":"1","content_text":' + "[" * 100000 +
                  "]" * 100000 + "}]")
        self.contained(self.serve(body), "maximum parsing depth", limit=10)

    def test_deeply_nested_objects(self):
        body = jf("t", '{"a":' * 100000 + "1" + "}" * 100000)
        self.contained(self.serve(body), "maximum parsing depth", limit=10)

    def test_lone_surrogates(self):
        body = ('{"version":"%s","title":"\\ud800 lone","items":[{"id":"1",'
                '"content_text":"c"}]}' % V).encode()
        self.contained(self.serve(body), "invalid Unicode", limit=10)

    def test_two_hundred_thousand_items(self):
        items = json.dumps([{"id": str(i), "content_text": "c"}
                            for i in range(200000)])
        self.contained(self.serve(jf("t", items)), "feed too large",
                       limit=10)

    def test_not_json_at_all(self):
        self.contained(self.serve(b'{"version": "' + b"\xff" * 1000),
                       "not a feed", limit=10)

    def test_nul_and_newlines_in_fields(self):
        body = ('{"version":"%s","title":"t\\u0000x\\r\\nBcc: a@b.example",'
                '"items":[{"id":"a\\u0000b","title":"x\\u0000y\\r\\nBcc: '
                'v@e.example","content_text":"c\\u0000d"}]}' % V).encode()
        raws, _ = self.delivered_with_bozo(self.serve(body), 1)
        for raw in raws:
            self.assertNotIn(b"\0", raw)
            msg = email.message_from_bytes(raw, policy=STRICT)
            self.assertIsNone(msg["Bcc"])
            self.assertEqual(len(msg.get_all("Subject")), 1)

    def test_ten_megabyte_title(self):
        body = jf("t", json.dumps([{"id": "1", "title": "x" * (10 << 20),
                                    "content_text": "c"}]))
        raws, _ = self.delivered_with_bozo(self.serve(body), 1)
        for raw in raws:
            self.assertLess(len(raw), 256 << 10)
            for line in raw.split(b"\n"):
                self.assertLessEqual(len(line.rstrip(b"\r")), 998)


if __name__ == "__main__":
    unittest.main()
