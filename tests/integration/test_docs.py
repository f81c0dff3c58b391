"""The documentation against the code it describes (stdlib only, no build).

  - rss2mail.1 and rss2mail.conf.5 render without a single warning
    (groff -ww -z, also for the ascii and utf8 devices man(1) uses);
  - every command of main.c's cmds[] table has an entry in rss2mail.1's
    COMMANDS, with every option its usage string names;
  - every key of config.c's keys[] table has an entry in rss2mail.conf.5's
    KEYS, with its scope and its default, and the page invents no key;
  - contrib/rss2mail.bash-completion parses (bash -n), knows every command
    and every key a feed section may hold, and completes feed names from
    the configuration file.

A missing groff or bash skips its test with the reason; under CI
(CI=true) it fails instead: groff-base and bash are on every Debian.
"""
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
MAN1 = os.path.join(TOP, "rss2mail.1")
MAN5 = os.path.join(TOP, "rss2mail.conf.5")
COMPLETION = os.path.join(TOP, "contrib", "rss2mail.bash-completion")
MAIN_C = os.path.join(TOP, "rss2mail", "main.c")
CONFIG_C = os.path.join(TOP, "config", "config.c")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def need(test, tool):
    """The path of tool; skip without it (fail under CI)."""
    path = shutil.which(tool)
    if path is None:
        why = "%s is not installed (apt-get install %s)" % (
            tool, "groff-base" if tool == "groff" else tool)
        if os.environ.get("CI") == "true":
            test.fail(why + "; under CI this is a failure")
        test.skipTest(why)
    return path


def c_table(path, start):
    """The body of the C initializer that begins with start."""
    text = read(path)
    i = text.index(start)
    return text[i:text.index("\n};", i)]


def commands():
    """[(name, usage)] from main.c's cmds[]."""
    body = c_table(MAIN_C, "static const struct cmd cmds[]")
    rows = re.findall(r'\{\s*"([a-z0-9-]+)",\s*cmd_\w+,\s*"([^"]*)"', body)
    assert rows, "no rows found in cmds[]"
    return rows


def keys():
    """[(name, scope, default or None)] from config.c's keys[]."""
    body = c_table(CONFIG_C, "static const struct key keys[]")
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    rows = re.findall(r'\{\s*"([a-z0-9-]+)",\s*KT_\w+,\s*(KS_\w+),\s*'
                      r'[SGF]\(\w+\),\s*(NULL|"[^"]*")', body)
    assert rows, "no rows found in keys[]"
    return [(n, s, None if d == "NULL" else d[1:-1]) for n, s, d in rows]


def settings_fields():
    """{key: field of struct config_settings} for the S() rows of keys[]."""
    body = c_table(CONFIG_C, "static const struct key keys[]")
    return dict(re.findall(r'\{\s*"([a-z0-9-]+)",\s*KT_\w+,\s*KS_\w+,\s*'
                           r'S\((\w+)\)', body))


def code_outside_config():
    """The C source that acts on the configuration (not config/ itself)."""
    text = []
    for d in ("rss2mail", "imap"):
        for f in sorted(os.listdir(os.path.join(TOP, d))):
            if f.endswith(".c"):
                text.append(read(os.path.join(TOP, d, f)))
    return "\n".join(text)


# ---- a small reader of the man(7) source ---------------------------------

ALTERNATING = {"BR", "RB", "BI", "IB", "IR", "RI"}


def unescape(s):
    s = (s.replace("\\-", "-").replace("\\(lq", '"')
         .replace("\\(rq", '"').replace("\\(aq", "'")
         .replace("\\(en", "-").replace("\\&", "").replace("\\c", "")
         .replace("\\ ", " "))
    return re.sub(r"\\f[BIRP]", "", s).replace("\\e", "\\")


def man_text(line):
    """One source line as plain text: font macros applied, escapes gone."""
    if not line.startswith("."):
        return unescape(line)
    m = re.match(r"\.(\w+)\s*(.*)", line)
    if m is None:
        return ""
    macro, rest = m.groups()
    if macro not in ALTERNATING and macro not in ("B", "I"):
        return ""                       # .TP, .PP, .RS ...: no text here
    lex = shlex.shlex(rest, posix=True)
    lex.whitespace_split = True
    lex.escape = ""
    args = [unescape(a) for a in lex]
    return ("" if macro in ALTERNATING else " ").join(args)


def sections(path):
    """{".SH NAME": [lines]} of a man page's source."""
    out, cur = {}, None
    for line in read(path).splitlines():
        if line.startswith(".SH "):
            cur = line[4:].strip().strip('"')
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def tagged_items(lines):
    """{first word of a .TP tag: text of its paragraph} (a .TQ tag joins
    the item before it)."""
    items, i, cur = {}, 0, None
    while i < len(lines):
        line = lines[i]
        if line.startswith(".TP") and i + 1 < len(lines):
            tag = man_text(lines[i + 1]).strip()
            cur = tag.split()[0] if tag else None
            if cur is not None:
                items[cur] = tag
            i += 2
            continue
        if line.startswith((".SS", ".SH", ".PP")):
            cur = None
        elif cur is not None:
            items[cur] += " " + man_text(line)
        i += 1
    return {k: re.sub(r"\s+", " ", v) for k, v in items.items()}


class ManPages(unittest.TestCase):

    def groff(self, page, device=None):
        groff = need(self, "groff")
        argv = [groff, "-ww", "-z", "-man"]
        if device:
            argv.append("-T" + device)
        p = subprocess.run(argv + [page], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60,
                           env=dict(os.environ, LC_ALL="C"))
        return p.returncode, p.stdout.decode("utf-8", "replace")

    def test_pages_render_without_warnings(self):
        for page in (MAN1, MAN5):
            for device in (None, "ascii", "utf8"):
                with self.subTest(page=os.path.basename(page),
                                  device=device or "default"):
                    rc, out = self.groff(page, device)
                    self.assertEqual(out, "", "groff -ww -z says:\n" + out)
                    self.assertEqual(rc, 0)

    def test_every_command_is_documented(self):
        items = tagged_items(sections(MAN1)["COMMANDS"])
        for name, usage in commands():
            with self.subTest(command=name):
                self.assertTrue(name in items, "rss2mail.1 has no "
                                "COMMANDS entry for '%s'" % name)
                for opt in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage):
                    self.assertIn(opt, items[name], "rss2mail.1: '%s' does "
                                  "not mention its option %s" % (name, opt))
        text = "\n".join(man_text(l) for l in read(MAN1).splitlines())
        for opt in ("-c", "-v", "-q", "--help", "--version"):
            self.assertRegex(text, r"(?<![\w-])%s(?![\w-])" % re.escape(opt))
        for status in ("0", "1", "2", "75"):
            self.assertIn(status, tagged_items(sections(MAN1)["EXIT STATUS"]))
        for var in ("RSS2MAIL_CONFIG", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                    "HOME"):
            self.assertIn(var, tagged_items(sections(MAN1)["ENVIRONMENT"]))

    def test_every_key_is_documented(self):
        items = tagged_items(sections(MAN5)["KEYS"])
        table = keys()
        scope_words = {"KS_BOTH": "global and per feed",
                       "KS_GLOBAL": "global only", "KS_FEED": "feed only"}
        for name, scope, default in table:
            with self.subTest(key=name):
                self.assertTrue(name in items, "rss2mail.conf.5 has no "
                                "KEYS entry for '%s'" % name)
                self.assertIn(scope_words[scope], items[name])
                if default is not None:
                    self.assertIn("default " + default, items[name],
                                  "rss2mail.conf.5: '%s' should say its "
                                  "default %r" % (name, default))
        invented = set(items) - {n for n, _, _ in table}
        self.assertEqual(invented, set(), "rss2mail.conf.5 documents keys "
                         "that config.c does not have")

    def test_reserved_keys_are_the_unused_ones(self):
        """A key the page calls "Reserved" is one whose setting no code
        outside config/ reads, and the other way round: when a reserved key
        gets implemented, its entry must be rewritten."""
        items = tagged_items(sections(MAN5)["KEYS"])
        code = code_outside_config()
        for key, field in settings_fields().items():
            # cf->s.FIELD, s->FIELD, cfg->global.FIELD
            used = re.search(r"(?:(?<![\w%%])s|\bglobal)(?:\.|->)%s\b" %
                             field, code) is not None
            reserved = "Reserved:" in items.get(key, "")
            with self.subTest(key=key):
                self.assertNotEqual(reserved, used, "rss2mail.conf.5 calls "
                                    "'%s' %s, but the code %s it: update its "
                                    "entry" % (key, "Reserved" if reserved
                                               else "implemented", "uses"
                                               if used else "never reads"))


class Completion(unittest.TestCase):

    def bash(self, script, env=None):
        bash = need(self, "bash")
        e = dict(os.environ)
        for v in ("RSS2MAIL_CONFIG", "XDG_CONFIG_HOME"):
            e.pop(v, None)
        e.update(env or {})
        return subprocess.run([bash, "--norc", "--noprofile", "-c", script],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60, env=e,
                              text=True)

    def complete(self, words, env=None):
        """What the completion offers for words (the last is completed)."""
        script = ('source "$0"; COMP_WORDS=("${@}"); '
                  'COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
                  'COMP_LINE="${*}"; COMP_POINT=${#COMP_LINE}; _rss2mail; '
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        bash = need(self, "bash")
        e = dict(os.environ)
        for v in ("RSS2MAIL_CONFIG", "XDG_CONFIG_HOME"):
            e.pop(v, None)
        e.update(env or {})
        p = subprocess.run([bash, "--norc", "--noprofile", "-c", script,
                            COMPLETION] + list(words),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, env=e, text=True)
        self.assertEqual(p.stderr, "")
        return [w for w in p.stdout.split("\n") if w]

    def test_script_parses(self):
        p = self.bash('bash -n "%s"' % COMPLETION)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        p = self.bash('source "%s" && complete -p rss2mail' % COMPLETION)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("_rss2mail", p.stdout)

    def test_lists_match_the_code(self):
        self.assertEqual(sorted(self.complete(["rss2mail", ""])),
                         sorted(n for n, _ in commands()))
        feed_keys = {n for n, s, _ in keys() if s != "KS_GLOBAL"} - {"url"}
        offered = self.complete(["rss2mail", "add", "x", "http://x/", ""])
        self.assertEqual(sorted(w.rstrip("=") for w in offered),
                         sorted(feed_keys))

    def test_feed_names_from_the_config(self):
        d = tempfile.mkdtemp(prefix="rss2mail-docs-")
        self.addCleanup(shutil.rmtree, d)
        cfg = os.path.join(d, "my config.ini")
        with open(cfg, "w", newline="") as f:
            f.write("; feeds\r\n[rss2mail]\r\nfrom = a@b.example\r\n"
                    "[feed.lwn]\r\nurl = https://lwn.net/\r\n"
                    "  [ feed.b-2.x ]  ; spaced\r\n#[feed.commented]\r\n")
        self.assertEqual(self.complete(["rss2mail", "-c", cfg, "pause", ""]),
                         ["lwn", "b-2.x"])
        self.assertEqual(self.complete(["rss2mail", "-c", cfg, "run", "lwn",
                                        ""]), ["b-2.x"])
        self.assertEqual(self.complete(["rss2mail", "resume", "l"],
                                       env={"RSS2MAIL_CONFIG": cfg}),
                         ["lwn"])
        xdg = os.path.join(d, "xdg")
        os.makedirs(os.path.join(xdg, "rss2mail"))
        os.rename(cfg, os.path.join(xdg, "rss2mail", "config.ini"))
        self.assertEqual(self.complete(["rss2mail", "catchup", ""],
                                       env={"XDG_CONFIG_HOME": xdg}),
                         ["lwn", "b-2.x"])
        self.assertEqual(self.complete(["rss2mail", "catchup", "-"]),
                         ["--all", "--help"])
        # no config anywhere: nothing, and no error
        self.assertEqual(self.complete(["rss2mail", "remove", ""],
                                       env={"HOME": d}), [])


if __name__ == "__main__":
    unittest.main()
