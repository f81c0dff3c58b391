"""A throwaway Postfix with policyd-spf and a loopback DNS, for tests.

    with Postfix() as pf:                      # or pf = Postfix(); pf.close()
        pf.port                  # plain SMTP on 127.0.0.1, SPF-checked
        pf.sub_port              # submission: STARTTLS required, then AUTH
        pf.selfsigned_port       # the same, with a self-signed certificate
        pf.wronghost_port        # the same, certificate for wrong.example
        pf.smtps_port            # implicit TLS (wrapper mode) with AUTH
        pf.nopipe_port           # plain SMTP without PIPELINING offered
        pf.user, pf.password     # the SASL account (sasldb)
        pf.pki                   # dovecot.make_pki paths: ca, fingerprints
        pf.messages()            # [raw bytes] delivered into the Maildir
        pf.messages(user)        # ... into USERS_DOMAIN user's own Maildir
        pf.log(), pf.log_mark(), pf.log_since(mark)
        pf.sendmail              # Postfix's own sendmail; pf.config_dir
        pf.wait_delivered(n)     # until n messages are in the Maildir
        pf.wait_log(text, mark)  # until text is in the log after mark
        pf.started_in            # seconds the start took (PKI included)

What runs, all from one temp directory and nothing from /etc/postfix:
  - Debian's postfix (`postfix -c DIR start`, chroot off, its own queue
    and data directories, logging to DIR/log/maillog through postlogd).
    Mail for BRIDGE_RCPT_DOMAIN and for `localhost` goes to one Maildir
    (the virtual delivery agent, as nobody); USERS of USERS_DOMAIN each
    have their own Maildir (mail/USER), and any other user there is
    unknown: "550 5.1.1 ... User unknown in virtual mailbox table" at
    RCPT.  Everything else is refused at RCPT (no relaying; the default
    transport is error: anyway).
  - postfix-policyd-spf-python as the policy service at RCPT, with its own
    config: a Fail is rejected, a Pass gets `Received-SPF: Pass`.  Its
    localhost exemption is off: skip_addresses names an address never used
    (left empty, policyd-spf 3.0.4 crashes and every message gets a 451).
  - unbound on its own 127.x address, port 53, answering only the test
    zones (`local-zone: "." static`): SPF_PASS_DOMAIN allows 127.0.0.1,
    SPF_FAIL_DOMAIN allows only 192.0.2.1.
  - Two recipients that always fail, before the SPF check: TEMPFAIL_RCPT
    gets "451 4.3.0", PERMFAIL_RCPT "550 5.1.1"; and a sender refused at
    MAIL FROM on the port and nopipe_port (smtpd_delay_reject=no there):
    TEMPFAIL_SENDER "451 4.3.0".
  - SASL for the AUTH ports: Cyrus SASL with a sasldb made by saslpasswd2
    (PLAIN and LOGIN); Debian's smtpd reads smtpd.conf from
    $config_directory/sasl whatever cyrus_sasl_config_path says.
policyd-spf reads /etc/resolv.conf and has no server setting, so Postfix
and unbound run inside `unshare -m --propagation private` with a
bind-mounted resolv.conf naming that address: nothing on the machine
changes and two rigs can run at once.

Needs root (Postfix's master switches users) and the packages named in
scripts/install-deps; Postfix.available() says whether the rig can run.
Every wait is bounded; the rig is stopped on close(), on leaving the `with`
block, and at interpreter exit, also when the test failed (its log is
kept in the exception text when it did not start).

Only the standard library is used (tests may run under any python3).
"""
import os
import pwd
import random
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import dovecot
import serverproc

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
POLICYD_SPF = "/usr/bin/policyd-spf"
SASLPASSWD2 = shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"

SPF_PASS_DOMAIN = "bridge.example.org"
SPF_FAIL_DOMAIN = "elsewhere.example.net"
BRIDGE_RCPT_DOMAIN = "mail.example.org"
MYHOSTNAME = "mx.rig.test"
USERS_DOMAIN = "users.example.org"
USERS = ("alice", "bob", "carol")
TEMPFAIL_RCPT = "tempfail@" + BRIDGE_RCPT_DOMAIN
PERMFAIL_RCPT = "permfail@" + BRIDGE_RCPT_DOMAIN
TEMPFAIL_SENDER = "tempfail@" + SPF_PASS_DOMAIN

class PostfixError(Exception):
    pass


def _dns_query(name, qtype=16):
    """A DNS query packet for name (TXT by default)."""
    qid = random.randrange(65536)
    head = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return head + q + b"\0" + struct.pack(">HH", qtype, 1)


def dns_answers(addr, name, timeout=0.5):
    """True when the DNS server at addr:53 answers a query for name."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(_dns_query(name), (addr, 53))
        data, _ = s.recvfrom(4096)
        return len(data) >= 12 and (data[3] & 0x0f) == 0 and \
            struct.unpack(">H", data[6:8])[0] > 0
    except OSError:
        return False
    finally:
        s.close()


def _free_dns_address():
    """A 127.x.y.z address whose port 53 (UDP and TCP) is free now."""
    for _ in range(50):
        a = "127.%d.%d.%d" % (random.randrange(64, 250),
                              random.randrange(1, 250),
                              random.randrange(2, 250))
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((a, 53))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return a
    raise PostfixError("no free 127.x address for the rig's DNS")


class Postfix(dovecot.LogFile, serverproc.ServerProcess):
    """One Postfix + policyd-spf + unbound rig; see the module docstring."""

    what = "postfix rig"
    Error = PostfixError
    keep_env = "R2M_KEEP_POSTFIX"
    output = "rig.out"
    diagnostics_tail = 4000

    @staticmethod
    def missing():
        """Why the rig cannot run here, or None when it can."""
        for p in (POSTFIX, SENDMAIL, UNBOUND, UNSHARE, POLICYD_SPF,
                  SASLPASSWD2, dovecot.CERTTOOL):
            if not os.access(p, os.X_OK):
                return "%s is not installed (scripts/install-deps)" % p
        if os.geteuid() != 0:
            return "the Postfix rig needs root (its master switches users)"
        return None

    @classmethod
    def available(cls):
        return cls.missing() is None

    def __init__(self, user="alice", password="smtp-secret", start=True):
        self.user = user
        self.password = password
        self.proc = None
        self.dir = None
        self.started_in = None
        if start:
            self.start()

    # -- configuration ------------------------------------------------------

    def _paths(self):
        d = self.dir
        self.config_dir = os.path.join(d, "etc")
        self.queue_dir = os.path.join(d, "queue")
        self.data_dir = os.path.join(d, "data")
        self.log_dir = os.path.join(d, "log")
        self.log_path = os.path.join(self.log_dir, "maillog")
        self.mail_dir = os.path.join(d, "mail")
        self.maildir = os.path.join(self.mail_dir, "inbox")
        # Debian's smtpd reads smtpd.conf (Cyrus SASL) from
        # $config_directory/sasl, whatever cyrus_sasl_config_path says
        self.sasl_dir = os.path.join(self.config_dir, "sasl")
        self.unbound_dir = os.path.join(d, "unbound")
        self.resolv = os.path.join(d, "resolv.conf")
        self.script = os.path.join(d, "rig.sh")
        self.sendmail = SENDMAIL

    def _write(self, path, text, mode=0o644):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)

    def _main_cf(self):
        nobody = pwd.getpwnam("nobody")
        tls = self.pki["good"]
        return "\n".join([
            "# throwaway test instance (tests/integration/postfix.py)",
            "compatibility_level = 3.6",
            "queue_directory = %s" % self.queue_dir,
            "data_directory = %s" % self.data_dir,
            "command_directory = /usr/sbin",
            "daemon_directory = /usr/lib/postfix/sbin",
            "shlib_directory = /usr/lib/postfix",
            "meta_directory = /etc/postfix",
            "mail_owner = postfix",
            "setgid_group = postdrop",
            "myhostname = %s" % MYHOSTNAME,
            "mydomain = rig.test",
            "myorigin = $myhostname",
            "mydestination =",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "mynetworks = 127.0.0.1/32",
            "maillog_file = %s" % self.log_path,
            "maillog_file_prefixes = %s" % self.log_dir,
            "alias_maps =",
            "alias_database =",
            "biff = no",
            "smtputf8_enable = no",
            "smtpd_banner = $myhostname ESMTP rig",
            "default_transport = error:this test rig relays nothing",
            "relay_transport = error:this test rig relays nothing",
            "relay_domains =",
            "virtual_mailbox_domains = %s, localhost, %s" % (
                BRIDGE_RCPT_DOMAIN, USERS_DOMAIN),
            "virtual_mailbox_base = %s" % self.mail_dir,
            # a whole domain (@domain) into inbox/, USERS one Maildir each
            "virtual_mailbox_maps = inline:{{@%s = inbox/}, "
            "{@localhost = inbox/}, %s}" % (BRIDGE_RCPT_DOMAIN, ", ".join(
                "{%s@%s = %s/}" % (u, USERS_DOMAIN, u) for u in USERS)),
            "virtual_uid_maps = static:%d" % nobody.pw_uid,
            "virtual_gid_maps = static:%d" % nobody.pw_gid,
            "virtual_minimum_uid = 1",
            "smtpd_relay_restrictions = reject_unauth_destination",
            "smtpd_sender_restrictions = check_sender_access "
            "inline:{{%s = 451 4.3.0 rig: sender try later}}" %
            TEMPFAIL_SENDER,
            "smtpd_recipient_restrictions = check_recipient_access "
            "inline:{{%s = 451 4.3.0 rig: try again later}, "
            "{%s = 550 5.1.1 rig: no such user}}, "
            "check_policy_service unix:private/policyd-spf" % (
                TEMPFAIL_RCPT, PERMFAIL_RCPT),
            "policyd-spf_time_limit = 3600",
            "smtpd_tls_security_level = may",
            "smtpd_tls_cert_file = %s" % tls[0],
            "smtpd_tls_key_file = %s" % tls[1],
            "smtpd_tls_loglevel = 1",
            "smtpd_sasl_type = cyrus",
            "smtpd_sasl_path = smtpd",
            "smtpd_sasl_local_domain = rig.test",
            "smtpd_sasl_auth_enable = no",
            "smtpd_tls_auth_only = yes",
            "message_size_limit = 10240000",
            "delay_warning_time = 0",
            "",
        ])

    def _master_cf(self):
        sec = "-o smtpd_tls_security_level=encrypt " \
              "-o smtpd_sasl_auth_enable=yes " \
              "-o smtpd_client_restrictions=permit_sasl_authenticated,reject"
        cert = lambda name: "-o smtpd_tls_cert_file=%s " \
            "-o smtpd_tls_key_file=%s" % self.pki[name]
        svc = [
            # a sender is refused at MAIL FROM here, not at the first RCPT
            "127.0.0.1:%d inet n - n - - smtpd -o smtpd_delay_reject=no"
            % self.port,
            "127.0.0.1:%d inet n - n - - smtpd -o syslog_name="
            "postfix/submission %s" % (self.sub_port, sec),
            "127.0.0.1:%d inet n - n - - smtpd -o syslog_name="
            "postfix/selfsigned %s %s" % (self.selfsigned_port, sec,
                                         cert("selfsigned")),
            "127.0.0.1:%d inet n - n - - smtpd -o syslog_name="
            "postfix/wronghost %s %s" % (self.wronghost_port, sec,
                                        cert("wronghost")),
            "127.0.0.1:%d inet n - n - - smtpd -o syslog_name="
            "postfix/smtps -o smtpd_tls_wrappermode=yes "
            "-o smtpd_sasl_auth_enable=yes "
            "-o smtpd_client_restrictions=permit_sasl_authenticated,reject"
            % self.smtps_port,
            "127.0.0.1:%d inet n - n - - smtpd -o syslog_name="
            "postfix/nopipe -o smtpd_discard_ehlo_keywords=pipelining "
            "-o smtpd_delay_reject=no" % self.nopipe_port,
            "pickup unix n - n 60 1 pickup",
            "cleanup unix n - n - 0 cleanup",
            "qmgr unix n - n 300 1 qmgr",
            "tlsmgr unix - - n 1000? 1 tlsmgr",
            "rewrite unix - - n - - trivial-rewrite",
            "bounce unix - - n - 0 bounce",
            "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce",
            "verify unix - - n - 1 verify",
            "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap",
            "proxywrite unix - - n - 1 proxymap",
            "smtp unix - - n - - smtp",
            "relay unix - - n - - smtp",
            "showq unix n - n - - showq",
            "error unix - - n - - error",
            "retry unix - - n - - error",
            "discard unix - - n - - discard",
            "local unix - n n - - local",
            "virtual unix - n n - - virtual",
            "lmtp unix - - n - - lmtp",
            "anvil unix - - n - 1 anvil",
            "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
            "policyd-spf unix - n n - 0 spawn user=nobody argv=%s %s" % (
                POLICYD_SPF,
                os.path.join(self.config_dir, "policyd-spf.conf")),
        ]
        return "\n".join(svc) + "\n"

    def _policyd_conf(self):
        # TestOnly = 1 means enforce; 192.0.2.254 is never a client here
        return "\n".join([
            "debugLevel = 1",
            "TestOnly = 1",
            "HELO_reject = Fail",
            "Mail_From_reject = Fail",
            "PermError_reject = False",
            "TempError_Defer = False",
            "skip_addresses = 192.0.2.254/32",
            "Header_Type = SPF",
            "",
        ])

    def _unbound_conf(self):
        return "\n".join([
            "server:",
            "  interface: %s" % self.dns_addr,
            "  port: 53",
            "  do-ip6: no",
            "  do-daemonize: no",
            '  username: ""',
            '  chroot: ""',
            "  directory: %s" % self.unbound_dir,
            '  pidfile: ""',
            "  use-syslog: no",
            "  logfile: %s" % os.path.join(self.unbound_dir, "unbound.log"),
            "  verbosity: 1",
            '  module-config: "iterator"',
            "  access-control: 127.0.0.0/8 allow",
            '  local-zone: "." static',
            "  local-data: '%s. TXT \"v=spf1 ip4:127.0.0.1 -all\"'" %
            SPF_PASS_DOMAIN,
            "  local-data: '%s. TXT \"v=spf1 ip4:192.0.2.1 -all\"'" %
            SPF_FAIL_DOMAIN,
            "remote-control:",
            "  control-enable: no",
            "",
        ])

    def _rig_sh(self):
        # The namespace lives while any process is in it: unbound (waited
        # for here) and Postfix's master (daemonized by `postfix start`).
        return "\n".join([
            "#!/bin/sh",
            "set -e",
            "mount --bind %s /etc/resolv.conf" % self.resolv,
            "%s -d -c %s &" % (UNBOUND, os.path.join(self.unbound_dir,
                                                     "unbound.conf")),
            "U=$!",
            "trap '%s -c %s stop >/dev/null 2>&1; kill $U; exit 0' TERM INT"
            % (POSTFIX, self.config_dir),
            "%s -c %s start" % (POSTFIX, self.config_dir),
            "wait $U",
            "",
        ])

    def _setup(self):
        self.dir = tempfile.mkdtemp(prefix="r2m-postfix-")
        # policyd-spf runs as nobody, delivery as nobody: traversable
        os.chmod(self.dir, 0o755)
        self._paths()
        for d in (self.config_dir, self.queue_dir, self.data_dir,
                  self.log_dir, self.mail_dir, self.sasl_dir,
                  self.unbound_dir):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
        pf = pwd.getpwnam("postfix")
        os.chown(self.data_dir, pf.pw_uid, pf.pw_gid)
        nobody = pwd.getpwnam("nobody")
        os.chown(self.mail_dir, nobody.pw_uid, nobody.pw_gid)
        self.pki = dovecot.make_pki(os.path.join(self.dir, "pki"))
        self._write(os.path.join(self.config_dir, "policyd-spf.conf"),
                    self._policyd_conf())
        sasldb = os.path.join(self.sasl_dir, "sasldb2")
        self._write(os.path.join(self.sasl_dir, "smtpd.conf"), "\n".join([
            "pwcheck_method: auxprop",
            "auxprop_plugin: sasldb",
            "mech_list: PLAIN LOGIN",
            "sasldb_path: %s" % sasldb, ""]))
        p = subprocess.run([SASLPASSWD2, "-f", sasldb, "-c", "-p", "-u",
                            "rig.test", self.user],
                           input=self.password.encode(), timeout=30,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            raise PostfixError("saslpasswd2: %s" % p.stdout.decode())
        os.chown(sasldb, pf.pw_uid, pf.pw_gid)
        os.chmod(sasldb, 0o600)

    def _write_config(self):
        self._write(os.path.join(self.config_dir, "main.cf"), self._main_cf())
        self._write(os.path.join(self.config_dir, "master.cf"),
                    self._master_cf())
        self._write(os.path.join(self.unbound_dir, "unbound.conf"),
                    self._unbound_conf())
        self._write(self.resolv, "nameserver %s\noptions timeout:1 "
                    "attempts:1\n" % self.dns_addr)
        self._write(self.script, self._rig_sh(), 0o755)

    # -- lifecycle ----------------------------------------------------------

    def start(self, timeout=30.0):
        if self.proc is not None:
            return
        why = self.missing()
        if why:
            raise PostfixError(why)
        t0 = time.monotonic()
        if self.dir is None:
            self._setup()
        self._start_attempts(timeout)
        self.started_in = time.monotonic() - t0

    def _pick_ports(self, reuse):
        # new ones every time: the DNS address too
        self.dns_addr = _free_dns_address()
        (self.port, self.sub_port, self.selfsigned_port,
         self.wronghost_port, self.smtps_port, self.nopipe_port) = \
            [serverproc.free_port() for _ in range(6)]

    def _command(self):
        return [UNSHARE, "-m", "--propagation", "private", "/bin/sh",
                self.script]

    def _ready(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            if dns_answers(self.dns_addr, SPF_PASS_DOMAIN) and \
                    all(serverproc.wait_port(p, 0.2) for p in (
                        self.port, self.sub_port, self.selfsigned_port,
                        self.wronghost_port, self.smtps_port,
                        self.nopipe_port)):
                return True
            time.sleep(0.05)
        return False

    def _diagnostics(self):
        parts = []
        for p in (os.path.join(self.dir, "rig.out"), self.log_path,
                  os.path.join(self.unbound_dir, "unbound.log")):
            try:
                with open(p, errors="replace") as f:
                    parts.append("== %s\n%s" % (p, f.read()[-2000:]))
            except OSError:
                pass
        return "\n".join(parts)

    def _master_pid(self):
        try:
            with open(os.path.join(self.queue_dir, "pid", "master.pid")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _shutdown(self, p):
        master = self._master_pid()
        try:
            subprocess.run([POSTFIX, "-c", self.config_dir, "stop"],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        # the master leads a process group of its own (it daemonized)
        if master is not None:
            try:
                os.killpg(master, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    # -- helpers ------------------------------------------------------------

    def message_files(self, user=None):
        out = []
        top = os.path.join(self.mail_dir, user) if user else self.maildir
        for sub in ("new", "cur"):
            d = os.path.join(top, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, n) for n in sorted(os.listdir(d))]
        return out

    def messages(self, user=None):
        """Raw bytes of every delivered message (of user@USERS_DOMAIN's
        Maildir when user is given)."""
        out = []
        for p in self.message_files(user):
            with open(p, "rb") as f:
                out.append(f.read())
        return out

    def wait_delivered(self, n, timeout=30.0):
        """Wait until at least n messages are in the Maildir: True if so."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if len(self.message_files()) >= n:
                return True
            time.sleep(0.05)
        return False

    def wait_log(self, text, mark=0, timeout=15.0):
        """Wait until text appears in the log after mark: True if so."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.log_since(mark):
                return True
            time.sleep(0.05)
        return False
