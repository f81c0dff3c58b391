"""A throwaway Dovecot for tests.

    with Dovecot() as dc:                      # or dc = Dovecot(); dc.close()
        dc.port, dc.user, dc.password          # 127.0.0.1:port, passwd-file user
        dc.url("Feeds")                        # "imap://user@127.0.0.1:port/Feeds"
        dc.fetch_all("Feeds")                  # [raw bytes, ...] via imaplib
        dc.mailboxes()                         # ["INBOX", "Feeds", ...]
        dc.log()                               # the whole Dovecot log as text

Everything lives in one temp directory: the config file (started with
`dovecot -F -c FILE`), base_dir, state_dir, log, passwd file and the Maildir
homes.  It never reads or touches the system Dovecot.  As root the services
run as dovecot/dovenull and mail is stored as nobody; as an ordinary user all
of them are that user.  Every wait is bounded; the server is stopped on
close(), on leaving the `with` block, and at interpreter exit, also when the
test failed (serverproc.py: the lifecycle the rig's servers share).

TLS: pass tls=(cert_pem_path, key_pem_path) to get ssl = yes (STARTTLS on
the plain port) and an implicit-TLS port dc.tls_port.  tls=None gives
ssl = no, i.e. a server that does not offer STARTTLS.  make_pki(dir) makes
a test CA and good / wrong-host / expired / self-signed server certificates
with certtool.  login_count(text) counts login attempts in log text (to
prove that no credential reached the server).

Faults and variants: dc.stop() / dc.start() / dc.restart() (same port when
free, mail kept); extra="..." appends raw config (imap_capability, quota,
imap_zlib, local_name); separator/prefix shape the personal namespace;
auth_mechanisms adds e.g. xoauth2.  TcpProxy(dc.port, listen_host,
cut_after_up=N) forwards and counts bytes, drop()s connections or cuts one
after N bytes upstream (mid-literal); non_loopback_address() gives a LAN
address for tests that must not look local.  dc.log_mark()/log_since(mark)
read the log incrementally; dc.count(folder), dc.subscribed() and
fetch_all(folder, with_meta=True) (uid, flags, internaldate, raw) read
the mailbox back.  mailcheck.strict(raw) is the strict MIME check.

LMTP: lmtp=True adds an LMTP listener on 127.0.0.1:dc.lmtp_port
(RCPT TO:<user@any.domain> delivers into that user's INBOX).

Only the standard library is used (tests may run under any python3).
"""
import imaplib
import os
import pwd
import re
import grp
import shutil
import socket
import subprocess
import tempfile
import time

import serverproc
from serverproc import free_port, wait_port     # the rig's, for tests

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"


# Providers' capability lists, as their users' reports in other clients'
# trackers show them (issue 13).  Dovecot advertises a list given with
# imap_capability, so a test or benchmark meets a provider's feature set on
# a server whose log and rawlog it can read.  COMPRESS=DEFLATE needs the
# zlib plugins loaded, or a client that tries it gets BAD.
PROFILES = {
    "gmail": "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN "
             "X-GM-EXT-1 UIDPLUS COMPRESS=DEFLATE ENABLE MOVE CONDSTORE "
             "ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL- "
             "SPECIAL-USE APPENDLIMIT=35651584",
    "outlook": "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS "
               "MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+",
    "icloud": "XAPPLEPUSHSERVICE IMAP4rev1 SASL-IR AUTH=ATOKEN AUTH=PLAIN",
    "bare": "IMAP4rev1",
    # what this Dovecot offers itself: MULTIAPPEND, LITERAL+, UIDPLUS ...
    "full": None,
}
ZLIB_PLUGINS = ("mail_plugins = $mail_plugins zlib\n"
                "protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n"
                "}\n")


def profile_config(name):
    """The raw config that makes Dovecot pose as that provider."""
    caps = PROFILES[name]
    if caps is None:
        return ""
    text = "imap_capability = %s\n" % caps
    if "COMPRESS=DEFLATE" in caps:
        text += ZLIB_PLUGINS
    return text


def rawlog_config(directory):
    """Config that records every session's traffic under directory
    (*.in: what the client sent, each line after a timestamp)."""
    return ("protocol imap {\n  rawlog_dir = %s\n}\n" % directory)


class DovecotError(Exception):
    pass


class LogFile:
    """A server's log file (self.log_path), read whole or from a mark:
    what the Dovecot and Postfix rigs share."""

    def log(self):
        """The log so far (text)."""
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except (OSError, AttributeError):
            return ""

    def log_mark(self):
        """An offset into the log; log_since(mark) gives what came after."""
        try:
            return os.path.getsize(self.log_path)
        except (OSError, AttributeError):
            return 0

    def log_since(self, mark):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(mark)
                return f.read().decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""


class Dovecot(LogFile, serverproc.ServerProcess):
    """One Dovecot instance on loopback; see the module docstring."""

    what = "dovecot"
    Error = DovecotError
    keep_env = "R2M_KEEP_DOVECOT"
    output = "stdout.log"

    @staticmethod
    def available():
        """True when dovecot is installed (tests skip otherwise)."""
        return os.path.isfile(DOVECOT) and os.access(DOVECOT, os.X_OK)

    def __init__(self, user="alice", password="secret-pw", users=None,
                 tls=None, extra="", start=True, auth_mechanisms=None,
                 separator="/", prefix="", lmtp=False):
        """users: optional {name: password} of more accounts.
        extra: raw config text appended (e.g. 'imap_capability = ...').
        auth_mechanisms: e.g. "plain login" (the default).
        separator, prefix: of the personal namespace (e.g. "." and
        "INBOX." for a Courier-style server)."""
        self.separator = separator
        self.prefix = prefix
        self.user = user
        self.password = password
        self.users = {user: password}
        if users:
            self.users.update(users)
        self.tls = tls
        self.extra = extra
        self.auth_mechanisms = auth_mechanisms or "plain login"
        self.proc = None
        self.dir = None
        self.port = None
        self.tls_port = None
        self.lmtp = lmtp
        self.lmtp_port = None
        if start:
            self.start()

    # -- lifecycle --------------------------------------------------------

    def _paths(self):
        d = self.dir
        self.conf = os.path.join(d, "dovecot.conf")
        self.base_dir = os.path.join(d, "run")
        self.state_dir = os.path.join(d, "state")
        self.log_path = os.path.join(d, "dovecot.log")
        self.passwd = os.path.join(d, "passwd")
        self.home = os.path.join(d, "home")

    def _accounts(self):
        if os.geteuid() == 0:
            return "dovecot", "dovenull", "nobody", \
                grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, me, grp.getgrgid(os.getegid()).gr_name

    def _write_config(self):
        internal, login, mail_user, mail_group = self._accounts()
        root = os.geteuid() == 0
        lines = [
            "# throwaway test instance (tests/integration/dovecot.py)",
            "base_dir = %s" % self.base_dir,
            "state_dir = %s" % self.state_dir,
            "log_path = %s" % self.log_path,
            "info_log_path = %s" % self.log_path,
            "debug_log_path = %s" % self.log_path,
            "protocols = imap%s" % (" lmtp" if self.lmtp else ""),
            "listen = 127.0.0.1",
            "default_internal_user = %s" % internal,
            "default_login_user = %s" % login,
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "disable_plaintext_auth = no",
            "auth_mechanisms = %s" % self.auth_mechanisms,
            "auth_verbose = yes",
            "mail_location = maildir:~/Maildir",
            "mail_privileged_group =",
            "login_greeting = Dovecot test ready.",
            "passdb {",
            "  driver = passwd-file",
            "  args = scheme=PLAIN username_format=%%u %s" % self.passwd,
            "}",
            "userdb {",
            "  driver = static",
            "  args = uid=%s gid=%s home=%s/%%u" % (mail_user, mail_group,
                                                   self.home),
            "}",
            "namespace inbox {",
            "  inbox = yes",
            "  separator = %s" % self.separator,
            "  prefix = %s" % self.prefix,
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            "    address = 127.0.0.1",
            "    port = %d" % self.port,
            "  }",
            "  inet_listener imaps {",
            "    address = 127.0.0.1",
            "    port = %d" % (self.tls_port or 0),
            "    ssl = yes",
            "  }",
        ]
        if not root:
            lines.append("  chroot =")
        lines.append("}")
        if not root:
            lines += ["default_internal_group = %s" % mail_group,
                      "service anvil {", "  chroot =", "}",
                      "service imap {", "  user = %s" % mail_user, "}"]
        if self.tls:
            cert, key = self.tls
            lines += ["ssl = yes",
                      "ssl_cert = <%s" % os.path.abspath(cert),
                      "ssl_key = <%s" % os.path.abspath(key)]
            if os.path.exists("/usr/share/dovecot/dh.pem"):
                lines.append("ssl_dh = </usr/share/dovecot/dh.pem")
        else:
            lines.append("ssl = no")
        if self.lmtp:
            lines += ["service lmtp {", "  inet_listener lmtp {",
                      "    address = 127.0.0.1",
                      "    port = %d" % self.lmtp_port, "  }"]
            if not root:
                lines.append("  user = %s" % mail_user)
            lines += ["}", "protocol lmtp {",
                      "  auth_username_format = %Ln", "}"]
        lines.append(self.extra)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def _write_passwd(self):
        with open(self.passwd, "w") as f:
            for u, p in self.users.items():
                f.write("%s:{PLAIN}%s::::::\n" % (u, p))
        os.chmod(self.passwd, 0o644)

    def start(self, timeout=15.0):
        if self.proc is not None:
            return
        if not self.available():
            raise DovecotError("dovecot is not installed")
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="r2m-dovecot-")
            # mkdtemp gives 0700: the auth and mail processes run as other
            # users and must traverse it (FACTS.md).
            os.chmod(self.dir, 0o755)
            self._paths()
            for d in (self.base_dir, self.state_dir, self.home):
                os.makedirs(d, exist_ok=True)
                os.chmod(d, 0o755)
            if os.geteuid() == 0:
                _, _, mail_user, _ = self._accounts()
                pw = pwd.getpwnam(mail_user)
                os.chown(self.home, pw.pw_uid, pw.pw_gid)
            self._write_passwd()
        self._start_attempts(timeout)

    def _pick_ports(self, reuse):
        if not reuse:
            self.port = free_port()
            self.tls_port = free_port() if self.tls else None
            self.lmtp_port = free_port() if self.lmtp else None

    def _command(self):
        return [DOVECOT, "-F", "-c", self.conf]

    def _ports(self):
        return [p for p in (self.port, self.lmtp_port, self.tls_port) if p]

    def _diagnostics(self):
        return self.log() + self._stdout()

    def _stdout(self):
        try:
            with open(os.path.join(self.dir, "stdout.log"), "r",
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _shutdown(self, p):
        if p.poll() is None:
            try:
                subprocess.run([DOVECOT, "-c", self.conf, "stop"],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def stop(self):
        """Stop the server but keep its files (restart with start())."""
        self._stop()

    def restart(self):
        """Stop and start again, on the same ports when they are still
        free (the files and mail are kept)."""
        self._stop()
        self.start()

    # -- helpers ----------------------------------------------------------

    def url(self, mailbox="", scheme="imap", user=None, tls_port=False,
            host="127.0.0.1"):
        """imap://user@127.0.0.1:port[/mailbox]; scheme="imaps" with
        tls_port=True for the implicit-TLS port."""
        port = self.tls_port if tls_port else self.port
        u = "%s://%s@%s:%d" % (scheme, user or self.user, host, port)
        return u + "/" + mailbox if mailbox else u

    def folder(self, name):
        """The server's name of a folder the user writes as "a/b" (the
        personal namespace's prefix and separator applied)."""
        if name in ("", "INBOX"):
            return "INBOX"
        return self.prefix + name.replace("/", self.separator)

    def login_count(self, text=None):
        """Login attempts (successful or not) seen in the log text."""
        text = self.log() if text is None else text
        n = 0
        for line in text.splitlines():
            if "imap-login: Login:" in line or \
                    "imap-login: Info: Login:" in line or "auth failed" in line \
                    or "Aborted login" in line and "auth attempts" in line \
                    and "no auth attempts" not in line:
                n += 1
        return n

    def wait_idle(self, timeout=15.0):
        """Wait until every session that logged in has ended (a client
        killed mid-APPEND leaves the server finishing that command): True
        when they all have."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log()
            started = set(re.findall(r"Login: user=<[^>]*>.*?mpid=(\d+)",
                                     text))
            ended = set(re.findall(r"imap\([^)]*\)<(\d+)><[^>]*>: "
                                   r"(?:Info: )?Disconnected", text))
            if started <= ended:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def imap(self, user=None, password=None):
        """A logged-in imaplib connection (caller logs out)."""
        c = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        c.login(user or self.user, password or self.users[user or self.user])
        return c

    def mailboxes(self, user=None):
        """Every mailbox name, decoded from modified UTF-7."""
        c = self.imap(user)
        try:
            typ, data = c.list('""', "*")
            if typ != "OK":
                raise DovecotError("LIST failed: %r" % data)
            names = []
            for line in data:
                if line is None:
                    continue
                if isinstance(line, tuple):
                    line = line[0] + b'"' + line[1] + b'"'
                names.append(_list_name(line))
            return names
        finally:
            c.logout()

    def subscribed(self, user=None):
        c = self.imap(user)
        try:
            typ, data = c.lsub('""', "*")
            return [_list_name(x) for x in data if x]
        finally:
            c.logout()

    def fetch_all(self, folder="INBOX", user=None, with_meta=False):
        """Raw bytes of every message in folder, in UID order.  With
        with_meta, a list of dicts {uid, flags, internaldate, raw}."""
        c = self.imap(user)
        try:
            typ, data = c.select(imap_quote(utf7_encode(folder)),
                                 readonly=True)
            if typ != "OK":
                raise DovecotError("SELECT %s: %r" % (folder, data))
            typ, data = c.uid("FETCH", "1:*",
                              "(UID FLAGS INTERNALDATE BODY.PEEK[])")
            out = []
            if typ != "OK":
                raise DovecotError("FETCH: %r" % data)
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head, raw = item
                meta = head.decode("ascii", "replace")
                if with_meta:
                    out.append({"uid": _field(meta, "UID"),
                                "flags": _flags(meta),
                                "internaldate": imaplib.Internaldate2tuple(
                                    head),
                                "raw": raw})
                else:
                    out.append(raw)
            if with_meta:
                out.sort(key=lambda m: int(m["uid"]))
            return out
        finally:
            c.logout()

    def count(self, folder="INBOX", user=None):
        c = self.imap(user)
        try:
            typ, data = c.status(imap_quote(utf7_encode(folder)),
                                 "(MESSAGES)")
            if typ != "OK":
                raise DovecotError("STATUS %s: %r" % (folder, data))
            return int(data[0].decode().rsplit("MESSAGES", 1)[1]
                       .strip(" )"))
        finally:
            c.logout()

    def maildir(self, user=None):
        """Path of the user's Maildir on disk (for doveadm-free checks)."""
        return os.path.join(self.home, user or self.user, "Maildir")


def _field(meta, name):
    parts = meta.replace("(", " ").replace(")", " ").split()
    for i, p in enumerate(parts):
        if p.upper() == name and i + 1 < len(parts):
            return parts[i + 1]
    return None


def _flags(meta):
    i = meta.find("FLAGS (")
    if i < 0:
        return []
    j = meta.find(")", i)
    return meta[i + 7:j].split()


def _list_name(line):
    """The mailbox name of one LIST response line, UTF-7 decoded."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", "replace")
    line = line.strip()
    if line.endswith('"'):
        j = line.rfind('"', 0, len(line) - 1)
        name = line[j + 1:-1].replace('\\"', '"').replace("\\\\", "\\")
    else:
        name = line.rsplit(" ", 1)[1]
    return utf7_decode(name)


def imap_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def utf7_encode(s):
    """RFC 3501 modified UTF-7 (for test-side mailbox names)."""
    out, buf = [], []

    def flush():
        if buf:
            b = "".join(buf).encode("utf-16-be")
            import base64
            e = base64.b64encode(b).decode().rstrip("=").replace("/", ",")
            out.append("&" + e + "-")
            buf.clear()
    for ch in s:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def utf7_decode(s):
    import base64
    out, i = [], 0
    while i < len(s):
        if s[i] == "&":
            j = s.index("-", i)
            if j == i + 1:
                out.append("&")
            else:
                b = s[i + 1:j].replace(",", "/")
                b += "=" * (-len(b) % 4)
                out.append(base64.b64decode(b).decode("utf-16-be"))
            i = j + 1
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


# -- a test PKI made with certtool (gnutls-bin) ------------------------------

CERTTOOL = shutil.which("certtool") or "/usr/bin/certtool"


def certtool_available():
    return os.path.isfile(CERTTOOL) and os.access(CERTTOOL, os.X_OK)


def _certtool(args, template=None, cwd=None):
    tpl = None
    try:
        if template is not None:
            fd, tpl = tempfile.mkstemp(suffix=".tpl", dir=cwd)
            with os.fdopen(fd, "w") as f:
                f.write(template)
            args = args + ["--template", tpl]
        p = subprocess.run([CERTTOOL] + args, cwd=cwd,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        if p.returncode != 0:
            raise DovecotError("certtool %s: %s" % (" ".join(args),
                               p.stderr.decode("utf-8", "replace")))
    finally:
        if tpl:
            os.unlink(tpl)


def make_pki(directory):
    """Make a test CA and server certificates in directory; returns a dict
    of paths: ca (CA cert PEM), and (cert, key) pairs under
      good        CN/SAN localhost + IP 127.0.0.1, signed by the CA
      wronghost   SAN wrong.example only, signed by the CA
      expired     localhost, signed by the CA, expired in 2020
      selfsigned  localhost, self-signed (no CA)
    plus fingerprint[name] = "sha256:<hex>" of each server cert (DER)."""
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o755)
    p = lambda n: os.path.join(directory, n)
    out = {"ca": p("ca.pem"), "fingerprint": {}}
    _certtool(["--generate-privkey", "--key-type", "ecdsa", "--outfile",
               p("ca.key")])
    _certtool(["--generate-self-signed", "--load-privkey", p("ca.key"),
               "--outfile", p("ca.pem")],
              'cn = "rss2mail test CA"\nca\ncert_signing_key\n'
              'expiration_days = 30\n', directory)
    server = ('tls_www_server\nsigning_key\nencryption_key\n'
              'serial = %d\n')
    specs = {
        "good": 'cn = "localhost"\ndns_name = "localhost"\n'
                'ip_address = "127.0.0.1"\nexpiration_days = 30\n',
        "wronghost": 'cn = "wrong.example"\ndns_name = "wrong.example"\n'
                     'expiration_days = 30\n',
        "expired": 'cn = "localhost"\ndns_name = "localhost"\n'
                   'ip_address = "127.0.0.1"\n'
                   'activation_date = "2019-01-01 00:00:00"\n'
                   'expiration_date = "2020-01-01 00:00:00"\n',
        "selfsigned": 'cn = "localhost"\ndns_name = "localhost"\n'
                      'ip_address = "127.0.0.1"\nexpiration_days = 30\n',
    }
    for i, (name, tpl) in enumerate(sorted(specs.items())):
        key, cert = p(name + ".key"), p(name + ".pem")
        _certtool(["--generate-privkey", "--key-type", "ecdsa",
                   "--outfile", key])
        tpl = tpl + server % (100 + i)
        if name == "selfsigned":
            _certtool(["--generate-self-signed", "--load-privkey", key,
                       "--outfile", cert], tpl, directory)
        else:
            _certtool(["--generate-certificate", "--load-privkey", key,
                       "--load-ca-certificate", p("ca.pem"),
                       "--load-ca-privkey", p("ca.key"), "--outfile", cert],
                      tpl, directory)
        os.chmod(key, 0o644)
        out[name] = (cert, key)
        out["fingerprint"][name] = "sha256:" + _pem_sha256(cert)
    return out


def _pem_sha256(path):
    import base64
    import hashlib
    with open(path) as f:
        text = f.read()
    b = text.split("-----BEGIN CERTIFICATE-----")[1].split(
        "-----END CERTIFICATE-----")[0]
    return hashlib.sha256(base64.b64decode("".join(b.split()))).hexdigest()


# -- a byte-counting TCP proxy, with faults -----------------------------------

class TcpProxy:
    """Forwards connections from listen_host:port to 127.0.0.1:target_port,
    counting bytes: up (client to server) and down.  Faults for tests:
      cut_after_up = N   close both sides once N bytes went up in total
                         (e.g. in the middle of an APPEND literal)
      drop()             close every open connection now
    Threads are daemons; close() stops listening and drops everything."""

    def __init__(self, target_port, listen_host="127.0.0.1",
                 cut_after_up=None):
        import threading
        self.target_port = target_port
        self.up = 0
        self.down = 0
        self.cut_after_up = cut_after_up
        self.conns = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((listen_host, 0))
        self.sock.listen(16)
        self.host = listen_host
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import threading
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            try:
                s = socket.create_connection(("127.0.0.1", self.target_port),
                                             timeout=10)
                s.settimeout(None)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns += [c, s]
            threading.Thread(target=self._pump, args=(c, s, True),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(s, c, False),
                             daemon=True).start()

    def _pump(self, src, dst, up):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if up and self.cut_after_up is not None:
                    room = self.cut_after_up - self.up
                    if room <= len(data):
                        dst.sendall(data[:max(room, 0)])
                        self.up += max(room, 0)
                        self.drop()
                        return
                dst.sendall(data)
                with self.lock:
                    if up:
                        self.up += len(data)
                    else:
                        self.down += len(data)
        except OSError:
            pass
        finally:
            for x in (src, dst):
                try:
                    x.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def drop(self):
        with self.lock:
            conns, self.conns = self.conns, []
        for x in conns:
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            x.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.drop()


def non_loopback_address():
    """An IPv4 address of this machine that is not loopback, or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))     # no packet is sent for UDP connect
        a = s.getsockname()[0]
        return None if a.startswith("127.") else a
    except OSError:
        return None
    finally:
        s.close()
