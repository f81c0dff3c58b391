"""The RSS 2.0 documents the integration tests serve: one generator.

    feeds.rss("A", 2)       two entries "A 0", "A 1", guids A-0, A-1
    feeds.rss("Slow", 5, "s", link="http://example.org/{prefix}/{i}")
    feeds.rss("Upd", items=[{"title": "x", "guid": "a", "date": NEW}])
    feeds.rss("Big", head_only=True) + b"<item>...</item></channel></rss>"
    feeds.rss("Good", 3, "good", **feeds.SMALL)

Tests assert on what these bytes say (subjects, guids, counts), so a
change here changes what many tests see: add a parameter rather than
change a default.
"""

# A small complete feed: rss(title, n, prefix, **SMALL) has an XML
# declaration and a channel description, and n entries "title i" with
# guids prefix-i, links http://example.org/prefix/i and an HTML paragraph
# "body i" as description.
SMALL = dict(entry="{title} {i}", link="http://example.org/{prefix}/{i}",
             description="&lt;p&gt;body {i}&lt;/p&gt;", xml_decl=True,
             channel_description="d")


def rss(title, n=0, prefix=None, *, entry="{prefix} {i}",
        guid="{prefix}-{i}", link=None, description="b", cdata=False,
        items=(), xml_decl=False, channel_link="http://example.org/",
        channel_description=None, head_only=False):
    """An RSS 2.0 feed as bytes (UTF-8).

    The channel is titled `title` and links to `channel_link`; it carries
    a <description> only when channel_description is given, and the
    document an XML declaration only with xml_decl.  It holds n generated
    entries, i = 0..n-1, whose title, guid, link (none when None) and
    description are the templates entry, guid, link and description with
    {i}, {title} and {prefix} (default: title) replaced; then the entries
    of items, each a dict of title, guid and optionally link, date
    (pubDate), description and author, taken as they are.  cdata wraps
    every description in a CDATA section (otherwise it goes in as given,
    already escaped).  head_only returns only the start of the document,
    up to where the first <item> would go, for a test that appends its own
    items and closing tags.
    """
    prefix = title if prefix is None else prefix

    def fill(template, i):
        return (template.replace("{i}", str(i)).replace("{title}", title)
                .replace("{prefix}", prefix))

    entries = [{"title": fill(entry, i), "guid": fill(guid, i),
                "link": fill(link, i) if link is not None else None,
                "description": fill(description, i)} for i in range(n)]
    entries += list(items)
    head = "<?xml version='1.0' encoding='utf-8'?>" if xml_decl else ""
    head += ("<rss version='2.0'><channel><title>%s</title><link>%s</link>" %
             (title, channel_link))
    if channel_description is not None:
        head += "<description>%s</description>" % channel_description
    if head_only:
        return head.encode()
    body = "".join(rss_item(e, cdata) for e in entries)
    return (head + body + "</channel></rss>").encode()


def rss_item(e, cdata=False):
    """One <item> of rss(): e holds title, guid and optionally link, date,
    description, author."""
    out = "<item><title>%s</title><guid>%s</guid>" % (e["title"], e["guid"])
    if e.get("link") is not None:
        out += "<link>%s</link>" % e["link"]
    if e.get("date") is not None:
        out += "<pubDate>%s</pubDate>" % e["date"]
    if e.get("description") is not None:
        d = e["description"]
        out += "<description>%s</description>" % (
            "<![CDATA[%s]]>" % d if cdata else d)
    if e.get("author") is not None:
        out += "<author>%s</author>" % e["author"]
    return out + "</item>"
