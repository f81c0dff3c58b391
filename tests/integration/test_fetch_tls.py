"""fetch over https against the feed server with a test CA: verification
on by default, hostname checked, TLS failures as one-line errors."""

from feedserver import TLS_CA, FeedServer, FetchCase, fetch1
from rig import loopback_alias_works


class TestTLS(FetchCase):
    @classmethod
    def setUpClass(cls):
        cls.tls = FeedServer(tls=True).start()
        cls.plain = FeedServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.tls.stop()
        cls.plain.stop()

    def test_untrusted_certificate_refused(self):
        r = fetch1(self.tls.url("/feed.xml"))
        self.assertError(r, "TLS: server certificate verification failed")

    def test_trusted_ca(self):
        for host in ("127.0.0.1", "localhost"):
            url = self.tls.url("/feed.xml").replace("127.0.0.1", host)
            r = fetch1(url, "--ca-file", TLS_CA)
            self.assertEqual(r["result"], "ok", r)
            self.assertEqual(r["status"], 200)

    def test_conditional_over_tls(self):
        r1 = fetch1(self.tls.url("/feed.xml"), "--ca-file", TLS_CA)
        r2 = fetch1(self.tls.url("/feed.xml"), "--ca-file", TLS_CA,
                    "--etag", r1["etag"])
        self.assertEqual(r2["result"], "not_modified", r2)

    def test_hostname_mismatch(self):
        # the certificate names localhost and 127.0.0.1, not 127.0.0.2
        if not loopback_alias_works("127.0.0.2"):
            self.skipTest("no 127.0.0.2")
        with FeedServer(host="127.0.0.2", tls=True) as other:
            r = fetch1(other.url("/feed.xml"), "--ca-file", TLS_CA)
            self.assertEqual(r["result"], "error", r)
            self.assertTrue(r["err"].startswith("TLS: "), r)
            self.assertEqual(other.requests, [])

    def test_https_to_a_plain_http_port(self):
        url = self.plain.url("/feed.xml").replace("http://", "https://")
        r = fetch1(url, "--ca-file", TLS_CA)
        self.assertEqual(r["result"], "error", r)
        self.assertTrue(r["err"].startswith("TLS: "), r)

    def test_http_to_https_redirect(self):
        r = fetch1(self.plain.url("/redirect-to?code=301&url=" +
                                  self.tls.url("/feed.xml")),
                   "--ca-file", TLS_CA)
        self.assertEqual(r["result"], "ok", r)
        self.assertEqual(r["redirect_status"], 301)
        self.assertEqual(r["effective_url"], self.tls.url("/feed.xml"))

    def test_tls_server_answers_plain_http_client(self):
        url = self.tls.url("/feed.xml").replace("https://", "http://")
        r = fetch1(url, "--timeout", 5)
        self.assertEqual(r["result"], "error", r)
        self.assertNotIn("\n", r["err"])
