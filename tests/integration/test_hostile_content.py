"""Hostile feed content through the real binary into a Maildir (issue 8):
header injection, forged senders, script and active content in HTML,
hostile URLs.  Each delivered message is parsed strictly and checked:
nothing from the feed added or split a header, From is always the
configured address, the HTML part has no script, no event handler, no
javascript:/data:/vbscript: link, no form, frame, object or meta refresh.
"""
import email
import email.policy
import email.utils
import re
import unittest

import rig
from feeds import rss
from test_hostile_common import (GOOD_TOTAL, STRICT, HostileCase,
                                 measured_run)

FROM = "feeds@example.org"

INJECT = [
    "Hello\r\nBcc: victim@example.org",
    "Hello\nX-Injected: yes",
    "Hello\rSubject: second",
    "=?utf-8?q?encoded=0D=0ABcc:_victim@example.org?=",
    "Hello\r\n\r\n<html>body from the subject</html>",
    "\u2028Bcc: line-separator@example.org",
]

SCRIPTS = """
<p>text</p>
<script>alert(1)</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>
<scr<script>ipt>alert(2)</script>
<img src="http://example.org/a.png" onerror="alert(3)" onload=alert(4)>
<a href="javascript:alert(5)">j</a><a href=" JaVaScRiPt:alert(6)">j2</a>
<a href="vbscript:msgbox(7)">v</a><a href="data:text/html,<script>8</script>">d</a>
<a href="java&#x09;script:alert(9)">tab</a>
<iframe src="http://evil.example/"></iframe><frame src=x>
<object data="x.swf"></object><embed src="x.swf">
<form action="http://evil.example/"><input name=p type=password></form>
<meta http-equiv="refresh" content="0;url=http://evil.example/">
<style>body{background:url(javascript:alert(10))}</style>
<div style="width: expression(alert(11))">css</div>
<svg onload="alert(12)"><script>alert(13)</script></svg>
<math><mi xlink:href="javascript:alert(14)">m</mi></math>
<base href="http://evil.example/"><link rel=stylesheet href=http://evil.example/s.css>
<body onload=alert(15)>
"""


def item(guid, title, desc, author=None):
    """An entry for feeds.rss(items=...), linking to example.org/guid."""
    return {"title": title, "guid": guid, "link": "http://example.org/" + guid,
            "description": desc, "author": author or None}


# the hostile feeds' shape: rss(title, items=[item(...)], **FEED); the
# descriptions go in as CDATA
FEED = dict(cdata=True, xml_decl=True, channel_description="d")


def xml_escape(s):
    out = []
    for c in s:
        if c == "&":
            out.append("&amp;")
        elif c == "<":
            out.append("&lt;")
        elif c == ">":
            out.append("&gt;")
        elif c in "\r\n\t" or ord(c) >= 0x20:
            out.append("&#%d;" % ord(c) if c in "\r\n" else c)
    return "".join(out)


class HostileContent(HostileCase):

    def deliver(self, body, n, feed_extra=""):
        path = "/%s.xml" % self._testMethodName
        self.server.put(path, body)
        cfg = self.h.config([("odd", self.server.url(path), feed_extra)])
        res = measured_run(cfg, "run", timeout=30)
        self.assertEqual(res.rc, 0, res)
        self.assertEqual(self.h.delivered("odd"), n)
        raws = self.h.assert_messages_clean()
        self.assertEqual(len(raws), GOOD_TOTAL + n)
        return [r for r in raws if b"X-RSS-Feed: " + self.server.url(
            path).encode() in r]

    def assert_headers_intact(self, raw):
        msg = email.message_from_bytes(raw, policy=STRICT)
        for name in ("From", "To", "Subject", "Date", "Message-ID"):
            self.assertEqual(len(msg.get_all(name) or []), 1, name)
        for name in ("Bcc", "Cc", "X-Injected", "Sender",
                     "DKIM-Signature", "Authentication-Results"):
            self.assertIsNone(msg[name], name)
        self.assertEqual(email.utils.parseaddr(str(msg["From"]))[1], FROM)
        # a Maildir file has LF line ends; IMAP gets CRLF
        head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        self.assertNotIn(b"\r", head)
        for line in head.split(b"\n"):
            self.assertTrue(line[:1] in (b" ", b"\t") or b":" in line, line)
        return msg

    def test_header_injection_in_title_and_author(self):
        items = [item("inj%d" % i, xml_escape(t), "body",
                      author=xml_escape(t.replace("Hello", "a@b.example")))
                 for i, t in enumerate(INJECT)]
        raws = self.deliver(rss(xml_escape(
            "Feed\r\nBcc: feed-title@example.org"), items=items, **FEED),
            len(INJECT))
        for raw in raws:
            msg = self.assert_headers_intact(raw)
            self.assertNotIn("\n", str(msg["Subject"]))
            self.assertNotIn("\r", str(msg["Subject"]))

    def test_forged_sender(self):
        items = [item("forge1", "From the bank", "pay",
                      author="ceo@bank.example (The CEO)"),
                 item("forge2", "Spoof", "x",
                      author="&lt;admin@example.org&gt;, other@evil.example")]
        path_feed = rss("security@bank.example", items=items, **FEED)
        raws = self.deliver(path_feed, 2)
        for raw in raws:
            msg = self.assert_headers_intact(raw)
            disp, addr = email.utils.parseaddr(str(msg["From"]))
            self.assertEqual(addr, FROM)
            self.assertIsNone(msg["Sender"])
            # Reply-To only from the author, and only when asked
            self.assertIsNone(msg["Reply-To"])

    def test_display_name_cannot_look_like_an_address(self):
        # a feed titled "security@bank.example" must not give
        #   From: "security@bank.example" <feeds@example.org>
        # (phone clients often show only the display name): message.c
        # writes "security at bank.example" instead
        raws = self.deliver(rss("security@bank.example",
                                items=[item("spoof1", "Hi", "x")], **FEED), 1)
        msg = self.assert_headers_intact(raws[0])
        disp, addr = email.utils.parseaddr(str(msg["From"]))
        self.assertNotIn("@", disp)
        self.assertIn("security at bank.example", disp)

    def test_script_and_active_html(self):
        raws = self.deliver(rss("Hostile content", items=[
            item("html1", "Scripts", SCRIPTS)], **FEED), 1)
        msg = self.assert_headers_intact(raws[0])
        html = None
        for part in msg.walk():
            if part.get_content_type() == "text/html":
                html = part.get_content()
        self.assertIsNotNone(html)
        low = html.lower()
        for bad in ("<script", "<iframe", "<frame", "<object", "<embed",
                    "<form", "<input", "<meta http-equiv", "<base",
                    "<link", "<svg", "<math", "expression("):
            self.assertNotIn(bad, low)
        self.assertIsNone(re.search(r"<[^>]*\son[a-z]+\s*=", low), low)
        self.assert_url_schemes(low)
        self.assertIn("text", html)

    def assert_url_schemes(self, low):
        # every link and image is http(s), mailto or cid: no javascript:,
        # vbscript:, data: or file: (an obfuscated "java&#9;script:" may
        # survive only as a relative path resolved to http://host/...)
        for attr, url in re.findall(r'\s(href|src)\s*=\s*"([^"]*)"', low):
            self.assertRegex(url.strip(), r"^(https?://|mailto:|cid:|#)",
                             (attr, url))

    def test_template_escapes_feed_fields(self):
        # the message's own HTML (head line, title link, enclosures) is
        # built around feed fields: each must be escaped or refused there
        items = (
            "<item><title>x&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
            "</title><guid>t1</guid><link>javascript:alert(2)</link>"
            "<description>d</description><enclosure url='javascript:"
            "alert(5)' type='audio/mpeg' length='1'/></item>"
            "<item><title>y</title><guid>t2</guid><link>http://example.org/"
            "\"&gt;&lt;script&gt;alert(3)&lt;/script&gt;</link><description>"
            "d</description><author>a@b.example (&lt;img src=x "
            "onerror=alert(4)&gt;)</author></item>"
            "<item><title>z</title><guid>t3</guid><link>data:text/html,"
            "&lt;script&gt;alert(7)&lt;/script&gt;</link><description>d"
            "</description></item>")
        body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T "
                "&lt;script&gt;alert(0)&lt;/script&gt;</title><link>"
                "javascript:alert(9)</link>%s</channel></rss>" % items)
        raws = self.deliver(body.encode(), 3)
        for raw in raws:
            msg = self.assert_headers_intact(raw)
            for part in msg.walk():
                if part.get_content_type() != "text/html":
                    continue
                low = part.get_content().lower()
                self.assertNotIn("<script", low)
                self.assertNotIn("<img src=x", low)
                self.assertIsNone(re.search(r"<[^>]*\son[a-z]+\s*=", low))
                self.assert_url_schemes(low)

    def test_hostile_urls_in_links(self):
        desc = ('<a href="http://user:pass@evil.example/">creds</a>'
                '<a href="file:///etc/passwd">file</a>'
                '<img src="file:///etc/passwd">'
                '<img src="http://127.0.0.1:1/private.png">'
                '<a href="http://example.org/\r\nBcc: x@example.org">nl</a>')
        raws = self.deliver(rss("Hostile content", items=[
            item("urls1", "Links", desc)], **FEED), 1,
            feed_extra="images = none\n")
        msg = self.assert_headers_intact(raws[0])
        for part in msg.walk():
            if part.get_content_type() == "text/html":
                self.assert_url_schemes(part.get_content().lower())


if __name__ == "__main__":
    unittest.main()
