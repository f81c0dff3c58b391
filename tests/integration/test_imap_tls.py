"""TLS of the IMAP backend against throwaway Dovecots with certificates
made at test time: implicit TLS and STARTTLS verified against a test CA, a
pinned self-signed certificate, and the refusals (self-signed, wrong host,
expired, unknown CA, wrong pin, STARTTLS injection), each before any
credential reaches the server (checked in Dovecot's log)."""
import os
import shutil
import socket
import tempfile
import threading
import time
import unittest

import dovecot
from test_imap import IMAPCTL, MSGS, imapctl


def setUpModule():
    global PKIDIR, PKI
    if not dovecot.Dovecot.available():
        raise unittest.SkipTest("dovecot is not installed")
    if not dovecot.certtool_available():
        raise unittest.SkipTest("certtool (gnutls-bin) is not installed")
    if not os.access(IMAPCTL, os.X_OK):
        raise AssertionError("%s not built (make tests)" % IMAPCTL)
    PKIDIR = tempfile.mkdtemp(prefix="r2m-pki-")
    PKI = dovecot.make_pki(PKIDIR)


def tearDownModule():
    shutil.rmtree(PKIDIR, ignore_errors=True)


class TlsCase(unittest.TestCase):
    cert = "good"

    @classmethod
    def setUpClass(cls):
        cls.dc = dovecot.Dovecot(tls=PKI[cls.cert])

    @classmethod
    def tearDownClass(cls):
        cls.dc.close()

    def ctl(self, *args, **env):
        env.setdefault("IMAPCTL_PASSWORD", self.dc.password)
        return imapctl(*args, **env)

    def implicit_url(self, host="localhost", mailbox=""):
        return self.dc.url(mailbox, scheme="imaps", tls_port=True, host=host)

    def starttls_url(self, host="localhost", mailbox=""):
        return self.dc.url(mailbox, host=host)

    def assert_refused(self, url, why, **env):
        mark = self.dc.log_mark()
        rc, out, err = self.ctl("check", url, **env)
        self.assertEqual(rc, 4, err)
        self.assertIn(why, err)
        self.assertIn("not logging in", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertNotIn(self.dc.password, err)
        time.sleep(0.3)     # let Dovecot write its disconnect line
        log = self.dc.log_since(mark)
        self.assertEqual(self.dc.login_count(log), 0, log)
        self.assertNotIn("user=<%s>" % self.dc.user, log)


class TestGoodCert(TlsCase):

    def test_implicit_tls_with_ca_file(self):
        rc, out, err = self.ctl("append", self.implicit_url(), "TlsBox",
                                MSGS[0], IMAPCTL_CA=PKI["ca"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.dc.fetch_all("TlsBox")), 1)
        self.assertIn("TLS", self.dc.log())

    def test_starttls_with_ca_file(self):
        mark = self.dc.log_mark()
        rc, out, err = self.ctl("append", self.starttls_url(), "StartTls",
                                MSGS[1], IMAPCTL_CA=PKI["ca"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(self.dc.fetch_all("StartTls")), 1)
        time.sleep(0.2)
        log = self.dc.log_since(mark)
        self.assertRegex(log, r"Login: user=<alice>.*TLS")

    def test_ip_address_in_san(self):
        rc, out, err = self.ctl("check", self.implicit_url("127.0.0.1"),
                                IMAPCTL_CA=PKI["ca"])
        self.assertEqual(rc, 0, err)

    def test_explicit_starttls_setting(self):
        rc, out, err = self.ctl("check", self.starttls_url(),
                                IMAPCTL_CA=PKI["ca"], IMAPCTL_TLS="starttls")
        self.assertEqual(rc, 0, err)

    def test_unknown_ca_refused(self):
        # the system trust store does not know the test CA
        self.assert_refused(self.implicit_url(), "not signed by a trusted CA")
        self.assert_refused(self.starttls_url(), "not signed by a trusted CA")

    def test_wrong_pin_refused(self):
        self.assert_refused(self.implicit_url(), "fingerprint mismatch",
                            IMAPCTL_FINGERPRINT="sha256:" + "00" * 32)

    def test_plain_port_with_implicit_tls(self):
        rc, out, err = self.ctl("check", self.starttls_url(),
                                IMAPCTL_CA=PKI["ca"], IMAPCTL_TLS="implicit",
                                IMAPCTL_TIMEOUT=3)
        self.assertEqual(rc, 4)
        self.assertIn("TLS", err)


class TestSelfSigned(TlsCase):
    cert = "selfsigned"

    def test_refused(self):
        self.assert_refused(self.implicit_url(), "not signed by a trusted CA",
                            IMAPCTL_CA=PKI["ca"])
        self.assert_refused(self.starttls_url(), "not signed by a trusted CA",
                            IMAPCTL_CA=PKI["ca"])

    def test_pinned(self):
        pin = PKI["fingerprint"]["selfsigned"]
        rc, out, err = self.ctl("append", self.implicit_url(), "Pinned",
                                MSGS[0], IMAPCTL_FINGERPRINT=pin)
        self.assertEqual(rc, 0, err)
        # colons and upper case are fine
        hexpin = pin[7:].upper()
        pretty = "sha256:" + ":".join(hexpin[i:i + 2]
                                      for i in range(0, 64, 2))
        rc, out, err = self.ctl("check", self.starttls_url(),
                                IMAPCTL_FINGERPRINT=pretty)
        self.assertEqual(rc, 0, err)


class TestWrongHost(TlsCase):
    cert = "wronghost"

    def test_refused(self):
        self.assert_refused(self.implicit_url(), "for another host name",
                            IMAPCTL_CA=PKI["ca"])
        self.assert_refused(self.starttls_url(), "for another host name",
                            IMAPCTL_CA=PKI["ca"])


class TestExpired(TlsCase):
    cert = "expired"

    def test_refused(self):
        self.assert_refused(self.implicit_url(), "certificate expired",
                            IMAPCTL_CA=PKI["ca"])
        self.assert_refused(self.starttls_url(), "certificate expired",
                            IMAPCTL_CA=PKI["ca"])


class FakeServer:
    """A one-connection IMAP server that answers STARTTLS with an OK plus
    injected plaintext (the classic STARTTLS command injection)."""

    def __init__(self, reply):
        self.reply = reply
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.got = b""
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        try:
            c, _ = self.sock.accept()
        except OSError:
            return
        c.settimeout(10)
        try:
            c.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] fake\r\n")
            while True:
                data = c.recv(4096)
                if not data:
                    break
                self.got += data
                line = data.split(b" ", 1)
                tag = line[0]
                if b"STARTTLS" in data.upper():
                    c.sendall(tag + b" " + self.reply)
                elif b"CAPABILITY" in data.upper():
                    c.sendall(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n" + tag +
                              b" OK done\r\n")
                else:
                    c.sendall(tag + b" BAD what\r\n")
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.sock.close()


class TestStarttlsInjection(unittest.TestCase):

    def test_data_after_starttls_ok_refused(self):
        srv = FakeServer(b"OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1 "
                         b"AUTH=PLAIN] injected\r\n")
        try:
            rc, out, err = imapctl("check", "imap://u@127.0.0.1:%d/" %
                                   srv.port, IMAPCTL_PASSWORD="pw-secret",
                                   IMAPCTL_TIMEOUT=5)
        finally:
            srv.close()
        self.assertEqual(rc, 4)
        self.assertIn("before the TLS handshake", err)
        self.assertNotIn(b"pw-secret", srv.got)
        self.assertNotIn(b"LOGIN", srv.got.upper())

    def test_starttls_refused_by_server(self):
        srv = FakeServer(b"NO not today\r\n")
        try:
            rc, out, err = imapctl("check", "imap://u@127.0.0.1:%d/" %
                                   srv.port, IMAPCTL_PASSWORD="pw-secret",
                                   IMAPCTL_TIMEOUT=5)
        finally:
            srv.close()
        self.assertEqual(rc, 4)
        self.assertIn("STARTTLS", err)
        self.assertNotIn(b"pw-secret", srv.got)


if __name__ == "__main__":
    unittest.main()


class TestCompressOverTls(unittest.TestCase):
    """COMPRESS=DEFLATE layered on implicit TLS (our deflate driver sits on
    libetpan's TLS stream), through a proxy on a LAN address."""

    def test_compress_tls(self):
        lan = dovecot.non_loopback_address()
        if lan is None:
            self.skipTest("no non-loopback address on this machine")
        import test_imap_append
        dc = dovecot.Dovecot(tls=PKI["good"], extra=test_imap_append.ZLIB)
        tmp = tempfile.mkdtemp(prefix="r2m-z-")
        proxy = dovecot.TcpProxy(dc.tls_port, listen_host=lan)
        try:
            paths = test_imap_append.make_msgs(tmp, 40, size=6000)
            url = "imaps://%s@%s:%d/" % (dc.user, lan, proxy.port)
            env = dict(IMAPCTL_PASSWORD=dc.password,
                       IMAPCTL_FINGERPRINT=PKI["fingerprint"]["good"])
            rc, out, err = imapctl("append", url, "Zt", *paths, **env)
            self.assertEqual(rc, 0, err)
            rc, out, err = imapctl("has", url, "Zt", "<m.39@example.org>",
                                   **env)
            self.assertEqual((rc, out.strip()), (0, "found"), err)
            size = sum(os.path.getsize(p) for p in paths)
            self.assertLess(proxy.up, size / 4)
            self.assertEqual(len(dc.fetch_all("Zt")), 40)
        finally:
            proxy.close()
            dc.close()
            shutil.rmtree(tmp, ignore_errors=True)


class TestSni(unittest.TestCase):
    """SNI: Dovecot picks the certificate by the name the client sends
    (local_name); the default one is for another host, so only a client
    that sends "localhost" gets a certificate that verifies."""

    def test_server_name_sent(self):
        cert, key = PKI["good"]
        extra = ("local_name localhost {\n  ssl_cert = <%s\n"
                 "  ssl_key = <%s\n}\n" % (cert, key))
        dc = dovecot.Dovecot(tls=PKI["wronghost"], extra=extra)
        try:
            env = dict(IMAPCTL_PASSWORD=dc.password, IMAPCTL_CA=PKI["ca"])
            rc, out, err = imapctl("check", dc.url(
                scheme="imaps", tls_port=True, host="localhost"), **env)
            self.assertEqual(rc, 0, err)
            rc, out, err = imapctl("check", dc.url(host="localhost"), **env)
            self.assertEqual(rc, 0, err)
            # by IP no name is sent: the default certificate, refused
            rc, out, err = imapctl("check", dc.url(
                scheme="imaps", tls_port=True, host="127.0.0.1"), **env)
            self.assertEqual(rc, 4)
            self.assertIn("for another host name", err)
        finally:
            dc.close()
