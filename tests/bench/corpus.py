"""The benchmark's generated feed corpus (standard library only).

    c = Corpus(feeds=1000, entries=20, seed=6)
    c.docs()              -> [(path, body bytes, content type)], one per feed
    c.add_one_each()      one new entry at the top of every feed (the oldest
                          falls off the window, as on a real site)
    c.expected_ids        every entry id published so far (X-RSS-ID values)

Deterministic for a given seed: the same bytes on every machine.  Formats
are mixed like the web: RSS 2.0 (55%), Atom 1.0 (30%), RSS 1.0 / RDF (15%).
Each entry has a unique id (RSS guid, permalink or not; Atom id; RDF
rdf:about, which is also its link), a date, a non-ASCII title and author,
1-3 categories, a short summary and a 2-8 KB HTML body mixing English,
French, German, Russian, Greek, Japanese, Chinese and emoji text with links,
lists, quotes, code and images.  Bodies go out as CDATA or escaped text.
"""
import random
from xml.sax.saxutils import escape

NIMAGES = 40                     # distinct images behind img_base
BASE_EPOCH = 1795651200          # 2026-11-26T00:00:00Z: dates are fixed
DAY = 86400

SENTENCES = [
    "The quick brown fox jumps over the lazy dog while the café opens.",
    "Un café crème, s'il vous plaît — et l'addition, déjà réglée.",
    "Die Größe der Übung hängt von der Geduld der Straßenbahn ab.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Η γρήγορη καφέ αλεπού πηδά πάνω από το τεμπέλικο σκυλί.",
    "日本語のテキストも、フィードの中ではよく見かけます。",
    "这是一个关于开源软件和电子邮件的简短段落。",
    "Release notes: fixed a crash 🐛, added dark mode 🌙 and more 🎉.",
    "Naïve coöperation with the façade of the Zürich résumé office.",
    "Ça va? Señor Muñoz prefers jalapeño piñatas in São Paulo.",
    "Performance improved by 37% after the cache was rewritten in C.",
    "We measured everything twice: once cold, once warm, then again.",
    "Ærøskøbing's ferry schedule — ½ hour late, ¾ full, 100% charming.",
    "The kernel's new scheduler brings latency down by 2–3 ms.",
    "Читайте дальше: мы расскажем, как настроить почтовый сервер.",
    "Ο διακομιστής αλληλογραφίας λειτουργεί χωρίς προβλήματα.",
    "ブログの更新は毎週金曜日に行われます。",
    "开发者在周末发布了新版本，修复了许多错误。",
    "A long sentence that goes on about feeds, readers, trains and "
    "phones, because people read blogs offline on their commute.",
    "Don't forget: <tags> & \"quotes\" must be escaped properly.",
]
WORDS = ("alpha beta gamma delta feed mail train phone kernel cache "
         "server client parser café naïve Größe übung тест данные "
         "δοκιμή 日本 中文 emoji 🚆 📬 résumé façade").split()
SLUGS = ("alpha beta gamma delta feed mail train phone kernel cache "
         "server client parser").split()
AUTHORS = ["José Müller", "Zoë Ærøskøbing", "山田 太郎", "Иван Петров",
           "Ελένη Παπαδοπούλου", "Chloé Dubois", "Jane Doe", "李 小龙",
           "Søren Kierkegaard", "Anaïs Nin"]
CATEGORIES = ["linux", "mail", "café", "performance", "日本", "новости",
              "release", "security", "ελληνικά", "how-to", "C", "rss"]
SITES = ["Le Blog Café", "Technik-Blog für Größen", "Новости ядра",
         "ブログ日記", "Performance Matters", "Ο Ιστολόγιο",
         "Mail & Feeds Weekly", "开源周报"]


def _png(w, h, rows):
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def _rfc822(t):
    import email.utils
    return email.utils.formatdate(t, usegmt=True)


def _w3c(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class _Entry:
    __slots__ = ("id", "link", "title", "author", "cats", "date",
                 "summary", "body", "permalink")


class _Feed:
    __slots__ = ("idx", "path", "kind", "title", "site", "entries",
                 "cdata", "next_no", "offset")


class Corpus:
    def __init__(self, feeds=1000, entries=20, seed=6, img_base=None,
                 unique_images=False):
        """img_base: where the <img> sources point ("http://127.0.0.1:P",
        or a list: image i on img_base[i % len]),
        serving /img/0.png .. /img/N-1.png, N = NIMAGES); None: an
        address that does not resolve.  unique_images: every <img> gets a
        URL of its own (a query string the server ignores), so nothing a
        pass fetched can be used twice."""
        self.rng = random.Random(seed)
        self.img_base = img_base
        self.unique_images = unique_images
        self._img_count = 0
        self.nentries = entries
        self.expected_ids = set()
        self._paras = self._paragraph_pool(400)
        self.feeds = []
        kinds = ["rss"] * 11 + ["atom"] * 6 + ["rdf"] * 3
        for i in range(feeds):
            f = _Feed()
            f.idx = i
            f.path = "/f%04d/feed.%s" % (i, "xml")
            f.kind = kinds[self.rng.randrange(len(kinds))]
            f.title = "%s #%d" % (self.rng.choice(SITES), i)
            f.site = "https://site%04d.bench.example" % i
            f.cdata = self.rng.random() < 0.6
            f.entries = []
            f.next_no = 0
            f.offset = self.rng.randrange(DAY)
            for _ in range(entries):
                f.entries.insert(0, self._entry(f))
            self.feeds.append(f)

    # -- content ------------------------------------------------------------

    def _paragraph_pool(self, n):
        r = self.rng
        pool = []
        for _ in range(n):
            k = r.randrange(2, 6)
            text = " ".join(r.choice(SENTENCES) for _ in range(k))
            pool.append(escape(text))
        return pool

    def _body(self, token):
        r = self.rng
        target = r.randrange(2000, 8001)
        parts = ["<p><strong>%s</strong> — %s</p>" % (token, r.choice(
            self._paras))]
        size = len(parts[0].encode())
        while size < target:
            c = r.random()
            if c < 0.55:
                s = "<p>%s <a href=\"https://ex.bench.example/%s/%d\">%s" \
                    "</a> %s</p>" % (r.choice(self._paras), r.choice(WORDS),
                                     r.randrange(10000), r.choice(WORDS),
                                     r.choice(self._paras))
            elif c < 0.70:
                s = "<ul>%s</ul>" % "".join(
                    "<li>%s <em>%s</em></li>" % (r.choice(WORDS),
                                                 r.choice(SENTENCES[:10]))
                    for _ in range(r.randrange(2, 6)))
            elif c < 0.80:
                s = "<blockquote><p>%s</p></blockquote>" % r.choice(
                    self._paras)
            elif c < 0.90:
                s = ("<pre><code>for (i = 0; i &lt; n; i++)\n"
                     "\tsum += a[i] * %d;  /* %s */\n</code></pre>" %
                     (r.randrange(100), r.choice(WORDS)))
            else:
                s = ("<p><img src=\"%s\" alt=\"%s\" width=\"640\" "
                     "height=\"360\"></p>" % (self._img_url(),
                                                r.choice(WORDS)))
            parts.append(s)
            size += len(s.encode())
        return "\n".join(parts)

    def _img_url(self):
        n = self.rng.randrange(100000)
        base = self.img_base
        if isinstance(base, list):          # one image host per image
            base = base[n % NIMAGES % len(base)]
        if base and self.unique_images:
            self._img_count += 1
            return "%s/img/%d.png?u=%d" % (base, n % NIMAGES,
                                           self._img_count)
        if base:
            return "%s/img/%d.png" % (base, n % NIMAGES)
        return "https://img.bench.example/%d.png" % n

    def _entry(self, f):
        r = self.rng
        n = f.next_no
        f.next_no += 1
        e = _Entry()
        e.date = BASE_EPOCH - 60 * DAY + f.offset + n * 3 * 3600 + \
            r.randrange(3600)
        slug = "%s-%d" % (r.choice(SLUGS), n)
        e.link = "%s/%s/%s.html" % (f.site, 2026, slug)
        e.permalink = False
        if f.kind == "rdf":
            e.id = e.link
        elif f.kind == "atom":
            e.id = "tag:bench.example,2026:f%04d/e%d" % (f.idx, n)
        elif r.random() < 0.5:
            e.id = e.link
            e.permalink = True
        else:
            e.id = "urn:bench:f%04d:e%d" % (f.idx, n)
        e.title = "%s: %s" % (r.choice(SENTENCES)[:48].rstrip(), n)
        e.author = r.choice(AUTHORS)
        e.cats = r.sample(CATEGORIES, r.randrange(1, 4))
        e.summary = escape(r.choice(SENTENCES))
        e.body = self._body("f%04d/e%d" % (f.idx, n))
        self.expected_ids.add(e.id)
        return e

    def add_one_each(self):
        """One new entry at the top of each feed; the oldest falls off."""
        for f in self.feeds:
            f.entries.insert(0, self._entry(f))
            if len(f.entries) > self.nentries:
                f.entries.pop()

    # -- documents ----------------------------------------------------------

    def _content(self, f, e):
        if f.cdata:
            return "<![CDATA[%s]]>" % e.body
        return escape(e.body)

    def _rss(self, f):
        out = ['<?xml version="1.0" encoding="utf-8"?>\n'
               '<rss version="2.0" '
               'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
               '<title>%s</title>\n<link>%s/</link>\n'
               '<description>%s</description>\n<language>en</language>\n'
               '<lastBuildDate>%s</lastBuildDate>\n' %
               (escape(f.title), f.site, escape(SENTENCES[1]),
                _rfc822(f.entries[0].date))]
        for e in f.entries:
            out.append(
                '<item>\n<title>%s</title>\n<link>%s</link>\n'
                '<guid isPermaLink="%s">%s</guid>\n<pubDate>%s</pubDate>\n'
                '<dc:creator>%s</dc:creator>\n%s'
                '<description>%s</description>\n'
                '<content:encoded>%s</content:encoded>\n</item>\n' %
                (escape(e.title), e.link, "true" if e.permalink else "false",
                 e.id, _rfc822(e.date), escape(e.author),
                 "".join("<category>%s</category>\n" % escape(c)
                         for c in e.cats),
                 e.summary, self._content(f, e)))
        out.append("</channel>\n</rss>\n")
        return "".join(out)

    def _atom(self, f):
        out = ['<?xml version="1.0" encoding="utf-8"?>\n'
               '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
               '<title>%s</title>\n<id>tag:bench.example,2026:f%04d</id>\n'
               '<link rel="alternate" href="%s/"/>\n<updated>%s</updated>\n'
               '<author><name>%s</name></author>\n' %
               (escape(f.title), f.idx, f.site, _w3c(f.entries[0].date),
                escape(AUTHORS[f.idx % len(AUTHORS)]))]
        for e in f.entries:
            out.append(
                '<entry>\n<title type="html">%s</title>\n<id>%s</id>\n'
                '<link rel="alternate" type="text/html" href="%s"/>\n'
                '<published>%s</published>\n<updated>%s</updated>\n'
                '<author><name>%s</name><email>author@site.bench.example'
                '</email></author>\n%s<summary>%s</summary>\n'
                '<content type="html">%s</content>\n</entry>\n' %
                (escape(escape(e.title)), e.id, e.link, _w3c(e.date),
                 _w3c(e.date), escape(e.author),
                 "".join('<category term="%s"/>\n' %
                         escape(c, {'"': "&quot;"}) for c in e.cats),
                 e.summary, escape(e.body)))
        out.append("</feed>\n")
        return "".join(out)

    def _rdf(self, f):
        out = ['<?xml version="1.0" encoding="utf-8"?>\n'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-'
               'ns#" xmlns="http://purl.org/rss/1.0/" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/" '
               'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
               '<channel rdf:about="%s/">\n<title>%s</title>\n'
               '<link>%s/</link>\n<description>%s</description>\n'
               '<items><rdf:Seq>\n%s</rdf:Seq></items>\n</channel>\n' %
               (f.site, escape(f.title), f.site, escape(SENTENCES[2]),
                "".join('<rdf:li rdf:resource="%s"/>\n' % e.link
                        for e in f.entries))]
        for e in f.entries:
            out.append(
                '<item rdf:about="%s">\n<title>%s</title>\n<link>%s</link>\n'
                '<dc:date>%s</dc:date>\n<dc:creator>%s</dc:creator>\n'
                '<dc:subject>%s</dc:subject>\n'
                '<description>%s</description>\n'
                '<content:encoded>%s</content:encoded>\n</item>\n' %
                (e.link, escape(e.title), e.link, _w3c(e.date),
                 escape(e.author), escape(e.cats[0]), e.summary,
                 self._content(f, e)))
        out.append("</rdf:RDF>\n")
        return "".join(out)

    CTYPES = {"rss": "application/rss+xml; charset=utf-8",
              "atom": "application/atom+xml; charset=utf-8",
              "rdf": "application/rdf+xml; charset=utf-8"}

    def doc(self, f):
        text = {"rss": self._rss, "atom": self._atom, "rdf": self._rdf}[
            f.kind](f)
        return text.encode("utf-8")

    def docs(self):
        return [(f.path, self.doc(f), self.CTYPES[f.kind])
                for f in self.feeds]

    def images(self):
        """[(path, PNG bytes)]: NIMAGES noisy RGB images of 2-25 KB."""
        r = random.Random(self.rng.random())
        out = []
        for i in range(NIMAGES):
            w = r.randrange(24, 96)
            h = r.randrange(16, 64)
            rows = b"".join(b"\0" + bytes(r.getrandbits(8)
                                           for _ in range(w * 3))
                            for _ in range(h))
            out.append(("/img/%d.png" % i, _png(w, h, rows)))
        return out

    def kinds(self):
        n = {"rss": 0, "atom": 0, "rdf": 0}
        for f in self.feeds:
            n[f.kind] += 1
        return n
