#!/usr/bin/env python3
"""Write the article corpus: NAME.html, NAME.txt, NAME.junk (see README).

Each page is one of the templates below (the markup of a blogging platform
or a news site, written for these tests) around one article of texts.py,
with the boilerplate a real page carries.  The template decides by hand
what is the article and what is boilerplate: the article's blocks go to
NAME.txt, the text of each boilerplate piece to NAME.junk.  Pages that are
not articles have an empty NAME.txt.

Run it from anywhere; it rewrites the files next to it.  The output is
deterministic, so a diff shows exactly what a template change did.
"""
import html
import os
import re

from texts import (ARTICLES, BIKE, CHESS, COFFEE, COMMENTS, COOKIE_TEXTS,
                   COUNCIL, FOOTERS, FRENCH, GERMAN, HIKE, LIBRARY, MENUS,
                   NEWSLETTERS, RADIO, RAIN, RELATED, RUST, SHARE_LABELS,
                   SHORT_NOTE, SHORT_REVIEW, SIDEBAR, SOURDOUGH, SQLITE,
                   TELESCOPE, TRAM, BIRDS)

HERE = os.path.dirname(os.path.abspath(__file__))
E = html.escape


def plain(s):
    return re.sub(r"<[^>]+>", "", s)


def expected(a):
    out = []
    for b in a["blocks"]:
        k = b[0]
        if k in ("p", "h2", "h3", "quote", "pre"):
            out.append(plain(b[1]))
        elif k in ("ul", "ol"):
            out.extend(plain(i) for i in b[1])
        elif k == "img" and b[3]:
            out.append(b[3])
    return "\n".join(out) + "\n"


def img_tag(src, alt, lazy, n=0):
    """An <img> the way lazy loaders write them."""
    if lazy == "data-src":
        return ('<img class="lazyload" src="data:image/gif;base64,R0lGODlhAQAB'
                'AIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" '
                'data-src="%s" alt="%s">' % (src, E(alt)))
    if lazy == "noscript":
        return ('<img src="/wp-content/plugins/lazy/placeholder.svg" '
                'data-lazy-src="%s" alt="%s"><noscript><img src="%s" '
                'alt="%s"></noscript>' % (src, E(alt), src, E(alt)))
    if lazy == "srcset":
        b = src.rsplit(".", 1)[0]
        return ('<img alt="%s" data-srcset="%s-480.jpg 480w, %s-1200.jpg '
                '1200w" sizes="100vw">' % (E(alt), b, b))
    if lazy == "picture":
        b = src.rsplit(".", 1)[0]
        return ('<picture><source type="image/webp" srcset="%s-800.webp 800w,'
                ' %s-1600.webp 1600w"><img alt="%s" width="700" height="420" '
                'loading="lazy"></picture>' % (b, b, E(alt)))
    return '<img src="%s" alt="%s" width="800" height="533">' % (src, E(alt))


def body(a, style="p", lazy=None, pcls="", inject=None):
    """The article's blocks as HTML.  style: p (paragraphs), br (a div
    soup of text and <br><br>), div (paragraphs as divs).  inject: a dict
    from block index to HTML put before that block (ads, boxes)."""
    out = []
    pc = ' class="%s"' % pcls if pcls else ""
    for i, b in enumerate(a["blocks"]):
        if inject and i in inject:
            out.append(inject[i])
        k = b[0]
        if k == "p":
            if style == "br":
                out.append(b[1] + "<br><br>\n")
            elif style == "div":
                out.append("<div%s>%s</div>\n" % (pc, b[1]))
            else:
                out.append("<p%s>%s</p>\n" % (pc, b[1]))
        elif k in ("h2", "h3"):
            if style == "br":
                out.append("<b>%s</b><br>\n" % b[1])
            else:
                out.append("<%s>%s</%s>\n" % (k, b[1], k))
        elif k in ("ul", "ol"):
            out.append("<%s>\n%s</%s>\n" % (k, "".join(
                "<li>%s</li>\n" % i for i in b[1]), k))
        elif k == "quote":
            out.append("<blockquote><p>%s</p></blockquote>\n" % b[1])
        elif k == "pre":
            out.append("<pre><code>%s</code></pre>\n" % E(b[1]))
        elif k == "img":
            cap = "<figcaption>%s</figcaption>" % b[3] if b[3] else ""
            out.append("<figure>%s%s</figure>\n" % (
                img_tag(b[1], b[2], lazy), cap))
    return "".join(out)


def head(a, site, extra=""):
    return """<!DOCTYPE html>
<html lang="%s">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s | %s</title>
<link rel="stylesheet" href="/assets/style.css?v=4">
<link rel="alternate" type="application/rss+xml" title="%s" href="/feed/">
<script>window.dataLayer = window.dataLayer || []; function gtag(){
dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-123');
document.write('<div class="tracker">Tracking script text</div>');</script>
<style>body{font-family:Georgia,serif}.cookie{position:fixed}</style>
%s</head>
""" % (a.get("lang", "en"), E(a["title"]), E(site), E(site), extra)


def menu(items, cls="menu"):
    return '<ul class="%s">%s</ul>' % (cls, "".join(
        '<li><a href="/%s/">%s</a></li>' % (i.lower().replace(" ", "-"), i)
        for i in items))


def cookie(i, where="cookie-notice"):
    return ('<div id="%s" class="cookie-banner" role="dialog"><p>%s</p>'
            '<button>Accept all</button><button>Settings</button></div>\n'
            % (where, COOKIE_TEXTS[i]))


def comment_list(n, cls="comment-list", start=0):
    out = []
    for k in range(n):
        who, text = COMMENTS[(start + k) % len(COMMENTS)]
        out.append('<li class="comment even thread-even depth-1" id="comment-%d">'
                   '<article id="div-comment-%d" class="comment-body">'
                   '<footer class="comment-meta"><b class="fn">%s</b> '
                   '<time>March 3, 2026 at 9:1%d am</time></footer>'
                   '<div class="comment-content"><p>%s</p></div>'
                   '<div class="reply"><a href="#respond">Reply</a></div>'
                   '</article></li>\n' % (k, k, who, k, text))
    return '<ol class="%s">\n%s</ol>\n' % (cls, "".join(out))


def comment_texts(n, start=0):
    return [COMMENTS[(start + k) % len(COMMENTS)][1] for k in range(n)]


def related_list(titles, cls="related-posts", heading="Related posts"):
    return ('<div class="%s"><h3>%s</h3><ul>%s</ul></div>\n' % (
        cls, heading, "".join('<li><a href="/p/%d/">%s</a></li>' % (i, t)
                              for i, t in enumerate(titles))))


def share_bar(cls="share-buttons"):
    return '<div class="%s">%s</div>\n' % (cls, " ".join(
        '<a href="https://share.example.com/?u=x">%s</a>' % s
        for s in SHARE_LABELS))


def newsletter(i, cls="newsletter-signup"):
    return ('<div class="%s"><h3>Subscribe</h3><p>%s</p><form action="/sub">'
            '<input type="email" placeholder="Email address">'
            '<button>Sign up</button></form></div>\n' % (cls, NEWSLETTERS[i]))


JSONLD = """<script type="application/ld+json">{"@context":"https://schema.org",
"@type":"BlogPosting","headline":%s,"datePublished":%s,
"author":{"@type":"Person","name":%s},"image":["https://cdn.example.org/lead.jpg"],
"publisher":{"@type":"Organization","name":"Example Publishing"}}</script>
"""


def jsonld(a):
    import json
    return JSONLD % (json.dumps(a["title"]), json.dumps(a["date"]),
                     json.dumps(a["author"]))


def og(a, site):
    return ('<meta property="og:title" content="%s">\n'
            '<meta property="og:site_name" content="%s">\n'
            '<meta property="og:image" content="/img/og/%s.jpg">\n'
            '<meta property="article:published_time" content="%s">\n'
            '<meta name="author" content="%s">\n' % (
                E(a["title"]), E(site), len(a["title"]), a["date"],
                E(a["author"])))


# --- templates: each returns (html, junk) ----------------------------------

def wordpress(a, lazy=None, comments=3, top_cookie=False, related=True,
              inline_news=False, pagination=False):
    junk = [" ".join(MENUS[0]), COOKIE_TEXTS[0], " ".join(SHARE_LABELS),
            FOOTERS[1], SIDEBAR[0]] + comment_texts(comments)
    inject = {}
    if inline_news:
        inject[3] = newsletter(1, "mc4wp-form newsletter-box")
        junk.append(NEWSLETTERS[1])
    pag = ""
    if pagination:
        pag = ('<div class="page-links">Pages: <a href="?page=1">1</a> '
               '<a href="?page=2">2</a> <a href="?page=3">3</a> '
               '<a href="?page=2">Next page</a></div>')
    rel = ""
    if related:
        rel = related_list(RELATED[0], "jp-relatedposts", "Related")
        junk += RELATED[0]
    h = head(a, "Crumb & Kettle", og(a, "Crumb & Kettle")) + """<body class="post-template-default single single-post postid-812 single-format-standard has-sidebar">
%s<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="/">Crumb &amp; Kettle</a></p>
<p class="site-description">Baking, slowly</p></div>
<nav id="site-navigation" class="main-navigation">%s</nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-812" class="post-812 post type-post status-publish format-standard hentry category-bread">
<header class="entry-header"><h1 class="entry-title">%s</h1>
<div class="entry-meta"><span class="posted-on">Posted on <time class="entry-date published" datetime="%s">January 14, 2026</time></span>
<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/maren/">%s</a></span></span></div>
</header>
<div class="entry-content">
%s%s
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">Share this:</h3>%s</div></div>
%s</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/c/bread/">Bread</a></span></footer>
</article>
<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links"><a href="/prev/">Previous: Rye, reconsidered</a><a href="/next/">Next: A better banneton</a></div></nav>
<div id="comments" class="comments-area">
<h2 class="comments-title">%d thoughts on &ldquo;%s&rdquo;</h2>
%s<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><form><textarea></textarea></form></div>
</div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget widget_text"><h2 class="widget-title">About</h2><div class="textwidget"><p>%s</p></div></section>
<section class="widget widget_recent_entries"><h2>Recent Posts</h2><ul><li><a href="/a/">Rye, reconsidered</a></li><li><a href="/b/">A better banneton</a></li></ul></section></aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">%s</div></footer>
</div>
%s<script src="/wp-includes/js/wp-embed.min.js"></script>
</body></html>
""" % (cookie(0) if top_cookie else "", menu(MENUS[0]), E(a["title"]),
       a["date"], a["author"], body(a, lazy=lazy, inject=inject), pag,
       share_bar("sd-content"), rel, comments, E(a["title"]),
       comment_list(comments), SIDEBAR[0], FOOTERS[1],
       "" if top_cookie else cookie(0))
    return h, junk


def blogger(a, comments=2):
    junk = [SIDEBAR[0], "Blog Archive 2026 March February January"] + \
        comment_texts(comments, 2)
    cm = "".join('<dt class="comment-author">%s said...</dt><dd class="comment-body"><p>%s</p></dd>'
                 % (w, t) for w, t in [COMMENTS[(2 + k) % 6] for k in range(comments)])
    h = head(a, "Notes from the Hill") + """<body class="loading">
<div class="navbar no-items section" id="navbar"></div>
<div class="outer-wrapper"><div class="header-outer"><div class="header section" id="header"><div class="widget Header"><h1 class="title"><a href="/">Notes from the Hill</a></h1><p class="description">Small things, written down.</p></div></div></div>
<div class="main-outer"><div class="columns fauxcolumns"><div class="column-center-outer"><div class="main section" id="main">
<div class="widget Blog" id="Blog1"><div class="blog-posts hfeed">
<div class="date-outer"><h2 class="date-header"><span>Sunday, March 8, 2026</span></h2>
<div class="date-posts"><div class="post-outer"><div class="post hentry uncustomized-post-template" itemprop="blogPost" itemscope="itemscope" itemtype="http://schema.org/BlogPosting">
<a name="4471"></a><h3 class="post-title entry-title" itemprop="name">%s</h3>
<div class="post-header"><div class="post-header-line-1"></div></div>
<div class="post-body entry-content" id="post-body-4471" itemprop="description articleBody">
%s<div style="clear: both;"></div></div>
<div class="post-footer"><div class="post-footer-line post-footer-line-1"><span class="post-author vcard">Posted by <span class="fn" itemprop="author">%s</span></span> at <a class="timestamp-link" href="#"><abbr class="published" title="%s">9:41 AM</abbr></a> <span class="post-comment-link"><a href="#comments">%d comments</a></span></div>
<div class="post-share-buttons goog-inline-block"><a class="share-button sb-email" href="#">Email This</a><a class="share-button sb-blog" href="#">BlogThis!</a><a class="share-button sb-twitter">Share to X</a></div>
<div class="post-footer-line post-footer-line-2"><span class="post-labels">Labels: <a href="/l/a">notes</a>, <a href="/l/b">home</a></span></div></div>
</div>
<div class="comments" id="comments"><h4>%d comments:</h4><div id="comments-block"><dl>%s</dl></div></div>
</div></div></div></div>
<div class="blog-pager" id="blog-pager"><a class="blog-pager-newer-link" href="/n">Newer Post</a> <a class="blog-pager-older-link" href="/o">Older Post</a> <a class="home-link" href="/">Home</a></div>
</div></div></div>
<div class="column-right-outer"><div class="sidebar section" id="sidebar-right-1">
<div class="widget HTML"><h2 class="title">About Me</h2><div class="widget-content">%s</div></div>
<div class="widget BlogArchive" id="BlogArchive1"><h2>Blog Archive</h2><ul class="hierarchy"><li>2026 <ul><li><a href="#">March</a></li> <li><a href="#">February</a></li> <li><a href="#">January</a></li></ul></li></ul></div>
</div></div></div></div>
<div class="footer-outer"><div class="widget Attribution">Powered by Blogger.</div></div>
</div></body></html>
""" % (E(a["title"]), body(a, style="br"), a["author"], a["date"],
       comments, comments, cm, SIDEBAR[0])
    return h, junk


def ghost(a, lazy=None):
    junk = [" ".join(MENUS[3]), NEWSLETTERS[1], FOOTERS[1]] + RELATED[2]
    rel = "".join('<article class="post-card"><a class="post-card-image-link" href="/r%d/"><img class="post-card-image" src="/content/images/r%d.jpg" alt="%s"></a><div class="post-card-content"><a href="/r%d/"><header class="post-card-header"><h2 class="post-card-title">%s</h2></header><div class="post-card-excerpt">A short excerpt of another post on this site.</div></a></div></article>'
                  % (i, i, E(t), i, t) for i, t in enumerate(RELATED[2]))
    h = head(a, "Field Notes", og(a, "Field Notes") + jsonld(a)) + """<body class="post-template tag-engineering">
<div class="viewport">
<header id="gh-head" class="gh-head outer"><div class="gh-head-inner inner"><div class="gh-head-brand"><a class="gh-head-logo" href="/">Field Notes</a></div>
<nav class="gh-head-menu">%s</nav><div class="gh-head-actions"><a class="gh-head-button" href="#/portal/signup">Subscribe</a></div></div></header>
<div class="site-content">
<main id="site-main" class="site-main">
<article class="article post tag-engineering">
<header class="article-header gh-canvas">
<section class="article-tag"><a href="/tag/engineering/">Engineering</a></section>
<h1 class="article-title">%s</h1>
<p class="article-excerpt">A short dek summarising the post for the home page.</p>
<div class="article-byline"><section class="article-byline-content"><ul class="author-list"><li class="author-list-item"><a href="/author/x/" class="author-avatar"><img class="author-profile-image" src="/content/images/avatar.jpg" alt="%s"></a></li></ul>
<div class="article-byline-meta"><h4 class="author-name"><a href="/author/x/">%s</a></h4><div class="byline-meta-content"><time class="byline-meta-date" datetime="%s">Mar 9, 2026</time><span class="byline-reading-time"><span class="bull">&bull;</span> 4 min read</span></div></div></section></div>
<figure class="article-image"><img srcset="/content/images/size/w300/lead.jpg 300w, /content/images/size/w1000/lead.jpg 1000w" sizes="(min-width: 1400px) 1400px, 92vw" src="/content/images/size/w2000/lead.jpg" alt="%s"></figure>
</header>
<section class="gh-content gh-canvas">
%s</section>
</article>
</main>
<section class="footer-cta outer"><div class="inner"><h2 class="footer-cta-title">Sign up for more like this.</h2><p>%s</p><a class="footer-cta-button" href="#/portal"><div class="footer-cta-input">Enter your email</div><span>Subscribe</span></a></div></section>
<aside class="read-more-wrap outer"><div class="read-more inner">%s</div></aside>
</div>
<footer class="site-footer outer"><div class="inner"><section class="copyright">%s</section><nav class="site-footer-nav"><a href="/privacy/">Privacy</a></nav></div></footer>
</div></body></html>
""" % (menu(MENUS[3], "nav"), E(a["title"]), E(a["author"]), a["author"],
       a["date"], E(a["title"]), body(a, lazy=lazy), NEWSLETTERS[1], rel,
       FOOTERS[1])
    return h, junk


def substack(a):
    junk = [NEWSLETTERS[1], "Share Share this post", comment_texts(1, 4)[0],
            "Sign up to discover more"]
    sub = ('<div class="subscription-widget-wrap-editor" data-attrs="{}">'
           '<div class="subscription-widget show-subscribe"><div class="preamble">'
           '<p class="cta-caption">%s</p></div><form class="subscription-widget-subscribe">'
           '<input type="email" class="email-input" name="email" placeholder="Type your email...">'
           '<input type="submit" class="button primary" value="Subscribe"></form></div></div>\n'
           % NEWSLETTERS[1])
    h = head(a, "The Long Commute", og(a, "The Long Commute")) + """<body>
<div id="entry"><div id="main" class="main typography use-theme-bg">
<div class="topbar-spacer"></div><div class="main-menu"><div class="topbar-content"><a href="/" class="navbar-title-link">The Long Commute</a><div class="buttons"><button class="button primary">Subscribe</button><button class="button">Sign in</button></div></div></div>
<div class="container"><div class="single-post-container"><div class="single-post">
<article class="typography newsletter-post post">
<div class="post-header"><h1 class="post-title published">%s</h1><h3 class="subtitle">Notes on a year without a car</h3>
<div class="post-meta"><div class="profile-hover-card-target"><a href="/@x">%s</a></div><div class="post-date" title="%s">Dec 2, 2025</div></div>
<div class="post-ufi"><div class="like-button-container"><a class="post-ufi-button">42</a></div><a class="post-ufi-button post-ufi-comment-button">12</a><div class="post-ufi-button share">Share</div></div></div>
<div class="available-content"><div dir="auto" class="body markup">
%s</div></div>
<div class="visibility-check"></div>
<div class="post-footer"><div class="post-ufi"><a class="post-ufi-button">Share</a></div></div>
</article>
<div class="post-footer-ctas"><div class="share-dialog">Share Share this post</div></div>
<div id="discussion" class="single-post-section comments-section"><div class="container"><h4>Discussion about this post</h4>
<div class="comment-list"><div class="comment"><div class="comment-content"><div class="comment-body"><p>%s</p></div></div></div></div></div></div>
</div></div></div>
<div class="modal-overlay" style="display: none"><div class="modal"><h2>Sign up to discover more</h2><p>Thanks for reading, subscribe for free.</p></div></div>
</div></div></body></html>
""" % (E(a["title"]), a["author"], a["date"],
       body(a, lazy="picture", inject={4: sub}), comment_texts(1, 4)[0])
    return h, junk


def medium(a):
    junk = ["Sign up to discover human stories that deepen your understanding",
            "More from the author and the publication"] + RELATED[2]
    cls = "pw-post-body-paragraph mc md ge me b mf mg mh mi mj mk ml mm mn mo mp mq"
    paras = body(a, lazy="srcset", pcls=cls)
    more = "".join('<div class="ab cn"><a href="/x%d" class="af ag"><h2 class="bd gh">%s</h2></a><div class="lm">%d min read</div></div>'
                   % (i, t, 4 + i) for i, t in enumerate(RELATED[2]))
    h = head(a, "Medium", og(a, "Medium") + jsonld(a)) + """<body>
<div id="root"><div class="a b c"><div class="d e f g h i j k"></div>
<div class="l c"><div class="l m n o p"><div class="q r s t"><a aria-label="Homepage" href="/">Medium</a></div><div class="u v w"><a href="/m/signin">Sign in</a> <a href="/m/signin?op=register">Get started</a></div></div></div>
<div class="ah ai aj"><div class="ak al"><div class="am an ao ap aq ar"><article><div class="l"><div class="l"><section><div><div class="fo fp fq fr fs"></div><div class="ft fu fv fw fx"><div class="ab ca"><div class="ci bh ey ez fa fb">
<div><h1 id="c1a2" class="pw-post-title ge gf gg b gh gi gj gk gl gm gn go gp gq gr gs gt gu gv gw gx gy gz ha hb hc bj" data-testid="storyTitle">%s</h1>
<div class="hd he hf hg hh"><div class="speechify-ignore ab cp"><div class="ab q"><a href="/@x" rel="noopener follow"><p class="be b bf z dx">%s</p></a><span class="hi" aria-hidden="true">&middot;</span><p class="be b bf z jm"><span>7 min read</span> &middot; <span>%s</span></p></div></div>
<div class="clap-bar"><button aria-label="clap">314</button><button aria-label="responses">9</button><button aria-label="Share">Share</button></div></div></div>
%s</div></div></div></section></div></div></article></div></div></div>
<div class="nq nr ns"><div class="nt ab"><h2 class="be ge pd">More from the author and the publication</h2>%s</div></div>
<div class="overlay-signup" aria-hidden="true"><p>Sign up to discover human stories that deepen your understanding of the world.</p></div>
<div class="ob oc"><div class="od"><a href="/about">About</a> <a href="/help">Help</a> <a href="/terms">Terms</a> <a href="/privacy">Privacy</a></div></div>
</div></div></body></html>
""" % (E(a["title"]), a["author"], a["date"], paras, more)
    return h, junk


def hugo(a, toc=True):
    junk = [" ".join(MENUS[3]), "Powered by Hugo and a modest theme"]
    tocs = ""
    if toc:
        tocs = ('<details class="toc"><summary>Table of Contents</summary><nav id="TableOfContents"><ul>%s</ul></nav></details>'
                % "".join('<li><a href="#s%d">%s</a></li>' % (i, b[1])
                          for i, b in enumerate(a["blocks"]) if b[0] == "h2"))
    h = head(a, "ramblings", '<meta name="description" content="%s">' % E(a["title"])) + """<body class="list" id="top">
<header class="header"><nav class="nav"><div class="logo"><a href="/" accesskey="h" title="ramblings (Alt + H)">ramblings</a></div>
%s</nav></header>
<main class="main">
<article class="post-single">
<header class="post-header"><div class="breadcrumbs"><a href="/">Home</a>&nbsp;&raquo;&nbsp;<a href="/posts/">Posts</a></div>
<h1 class="post-title entry-hint-parent">%s</h1>
<div class="post-meta"><span title="%s">May 19, 2026</span>&nbsp;&middot;&nbsp;6 min&nbsp;&middot;&nbsp;%s</div></header>
%s
<div class="post-content">%s</div>
<footer class="post-footer"><ul class="post-tags"><li><a href="/tags/rust/">Rust</a></li><li><a href="/tags/work/">Work</a></li></ul>
<nav class="paginav"><a class="prev" href="/posts/p/"><span class="title">&laquo; Prev</span><br><span>Older post title</span></a><a class="next" href="/posts/n/"><span class="title">Next &raquo;</span><br><span>Newer post title</span></a></nav>
<ul class="share-buttons"><li><a target="_blank" rel="noopener noreferrer" aria-label="share on x" href="#">x</a></li></ul></footer>
</article>
</main>
<footer class="footer"><span>&copy; 2026 <a href="/">ramblings</a></span> &middot; <span>Powered by Hugo and a modest theme</span></footer>
<a href="#top" aria-label="go to top" title="Go to Top (Alt + G)" class="top-link" id="top-link" accesskey="g">&uarr;</a>
</body></html>
""" % (menu(MENUS[3], "menu"), E(a["title"]), a["date"], a["author"],
       tocs, body(a))
    return h, junk


def jekyll(a):
    junk = [" ".join(MENUS[0][2:]), "subscribe via RSS",
            "Write an awesome description for your new site here"]
    h = head(a, "Tinkering", "") + """<body><header class="site-header" role="banner">
<div class="wrapper"><a class="site-title" rel="author" href="/">Tinkering</a>
<nav class="site-nav"><input type="checkbox" id="nav-trigger" class="nav-trigger"><label for="nav-trigger"><span class="menu-icon"></span></label>
<div class="trigger">%s</div></nav></div></header>
<main class="page-content" aria-label="Content"><div class="wrapper">
<article class="post h-entry" itemscope itemtype="http://schema.org/BlogPosting">
<header class="post-header"><h1 class="post-title p-name" itemprop="name headline">%s</h1>
<p class="post-meta"><time class="dt-published" datetime="%s" itemprop="datePublished">Apr 11, 2026</time> &bull; <span itemprop="author" itemscope itemtype="http://schema.org/Person"><span class="p-author h-card" itemprop="name">%s</span></span></p></header>
<div class="post-content e-content" itemprop="articleBody">
%s</div><a class="u-url" href="/2026/04/11/post.html" hidden></a>
</article></div></main>
<footer class="site-footer h-card"><data class="u-url" href="/"></data><div class="wrapper"><h2 class="footer-heading">Tinkering</h2>
<div class="footer-col-wrapper"><div class="footer-col footer-col-1"><ul class="contact-list"><li class="p-name">%s</li><li><a class="u-email" href="mailto:me@example.org">me@example.org</a></li></ul></div>
<div class="footer-col footer-col-3"><p>Write an awesome description for your new site here. It will appear in your document head meta and in your feed.</p></div></div>
<div class="social-links"><a href="/feed.xml">subscribe via RSS</a></div></div></footer>
</body></html>
""" % ("".join('<a class="page-link" href="/%s/">%s</a>' % (m.lower(), m)
               for m in MENUS[0][2:]), E(a["title"]), a["date"], a["author"],
       body(a), a["author"])
    return h, junk


def drupal(a, comments=2):
    junk = [" ".join(MENUS[1][:5]), "Home Articles", COOKIE_TEXTS[1],
            FOOTERS[0]] + comment_texts(comments, 1)
    cm = "".join('<article data-comment-user-id="%d" id="comment-%d" class="comment js-comment by-anonymous" role="article"><footer class="comment__meta"><p class="comment__author">%s</p></footer><div class="comment__content"><h3><a href="#c%d">Re: the article</a></h3><div class="clearfix text-formatted field field--name-comment-body field__item"><p>%s</p></div></div></article>'
                 % (k, k, w, k, t) for k, (w, t) in enumerate([COMMENTS[(1 + k) % 6] for k in range(comments)]))
    h = head(a, "City Desk", og(a, "City Desk")) + """<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
<div class="layout-container">
<header role="banner"><div class="region region-header"><div id="block-site-branding" class="block block-system"><a href="/" rel="home" class="site-logo">City Desk</a></div></div>
<div class="region region-primary-menu"><nav role="navigation" aria-labelledby="block-main-menu" id="block-main-menu" class="block block-menu navigation menu--main"><h2 class="visually-hidden" id="block-main-menu">Main navigation</h2>%s</nav></div></header>
<div class="region region-breadcrumb"><div id="block-breadcrumbs" class="block block-system block-system-breadcrumb-block"><nav class="breadcrumb" role="navigation"><ol><li><a href="/">Home</a></li><li><a href="/articles">Articles</a></li></ol></nav></div></div>
<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content"><div class="region region-content">
<div id="block-page-title" class="block block-core block-page-title-block"><h1 class="page-title"><span class="field field--name-title">%s</span></h1></div>
<div id="block-content" class="block block-system block-system-main-block">
<article role="article" about="/node/9921" class="node node--type-article node--promoted node--view-mode-full">
<div class="node__meta"><span class="field field--name-uid"><span>%s</span></span> <span class="field field--name-created">%s</span></div>
<div class="node__content clearfix">
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">%s</div>
<div class="field field--name-field-tags field--type-entity-reference field--label-above"><div class="field__label">Tags</div><div class="field__items"><div class="field__item"><a href="/t/1">budget</a></div></div></div>
<section class="field field--name-comment field--type-comment field--label-above comment-wrapper"><h2 class="title comment-section-title">Comments</h2>%s
<h2 class="title comment-form__title">Add new comment</h2><form class="comment-comment-form comment-form"><textarea></textarea><input type="submit" value="Save"></form></section>
</div></article></div></div></div>
<aside class="layout-sidebar-first" role="complementary"><div class="region region-sidebar-first"><div class="block block-views"><h2>Recent content</h2><ul><li><a href="/n/1">Weekend road closures announced downtown</a></li></ul></div></div></aside>
</main>
<footer role="contentinfo"><div class="region region-footer"><p>%s</p></div></footer>
</div></div>
<div id="sliding-popup" class="sliding-popup-bottom eu-cookie-compliance-banner" style="display: block"><div class="popup-content info eu-cookie-compliance-content"><div id="popup-text" class="eu-cookie-compliance-message"><p>%s</p></div><div id="popup-buttons"><button type="button" class="agree-button">OK, I agree</button></div></div></div>
</body></html>
""" % (menu(MENUS[1][:5], "menu"), E(a["title"]), a["author"], a["date"],
       body(a), cm, FOOTERS[0], COOKIE_TEXTS[1])
    return h, junk


def news(a, variant=0):
    """A big news site: ads between paragraphs, most-read lists, no
    <article>, byline and ticker; variant 1 splits the story into sibling
    blocks; variant 2 writes no hints at all (hashed class names)."""
    junk = [" ".join(MENUS[1]), NEWSLETTERS[2], FOOTERS[2],
            "Most read " + " ".join(RELATED[3]), COOKIE_TEXTS[2],
            "Breaking Storm warning issued for the coast tonight"]
    ad = '<div class="ad-container inline-ad"><span class="ad-label">Advertisement</span><div id="div-gpt-ad-%d" class="ad-slot"></div></div>\n'
    if variant == 2:
        ad = '<div class="x7f2" data-ad="1"><span>Advertisement</span></div>\n'
    readmore = ('<aside class="related-inline"><strong>Read more:</strong> '
                '<a href="/r/1">%s</a></aside>\n' % RELATED[3][0])
    inject = {2: ad % 1 if "%d" in ad else ad, 4: readmore,
              5: ad % 2 if "%d" in ad else ad}
    if variant == 1:
        blocks = a["blocks"]
        half = len(blocks) // 2
        a1 = dict(a, blocks=blocks[:half])
        a2 = dict(a, blocks=blocks[half:])
        story = ('<div class="story-body__inner">%s</div>\n%s'
                 '<div class="story-body__inner">%s</div>\n' % (
                     body(a1), ad % 3, body(a2)))
    elif variant == 2:
        story = body(a, style="div", pcls="t9k", inject=inject)
    else:
        story = body(a, inject=inject)
    cls = ["story-body", "story-body", "c8a1 q2"][variant]
    h = head(a, "The Example Gazette", og(a, "The Example Gazette") + jsonld(a)) + """<body>
<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk" class="otFlat" role="region" aria-label="Cookie banner"><div class="ot-sdk-container"><p id="onetrust-policy-text">%s</p><button id="onetrust-accept-btn-handler">I Accept</button></div></div></div>
<div class="top-ad ad-slot leaderboard"><span>Advertisement</span></div>
<header class="site-header"><div class="brand"><a href="/">The Example Gazette</a></div><nav class="primary-nav" aria-label="Sections">%s</nav>
<div class="ticker breaking-news"><span class="ticker-label">Breaking</span> <a href="/b/1">Storm warning issued for the coast tonight</a></div></header>
<div class="page-wrap"><div class="layout-grid">
<div class="col-main">
<div class="headline-block"><span class="kicker">Local</span><h1 class="headline">%s</h1><p class="standfirst">What the decision means for residents and businesses.</p>
<div class="byline">By <a href="/by/1">%s</a>, City Reporter</div><div class="timestamp"><time datetime="%s">Feb 26, 2026</time> &middot; Updated 11:02 p.m.</div></div>
<div class="share-tools">%s</div>
<div class="%s">%s</div>
<div class="newsletter-inline"><h3>The Morning Briefing</h3><p>%s</p><form><input type="email"><button>Sign up</button></form></div>
</div>
<div class="col-right rail"><section class="most-popular most-read"><h2>Most read</h2><ol>%s</ol></section>
<div class="ad-slot rail-ad"><span>Advertisement</span></div></div>
</div></div>
<footer class="site-footer"><nav>%s</nav><p>%s</p></footer>
</body></html>
""" % (COOKIE_TEXTS[2], menu(MENUS[1], "nav-list"), E(a["title"]),
       a["author"], a["date"], share_bar("share-inline"), cls, story,
       NEWSLETTERS[2], "".join('<li><a href="/m/%d">%s</a></li>' % (i, t)
                               for i, t in enumerate(RELATED[3])),
       menu(MENUS[1], "footer-links"), FOOTERS[2])
    junk.append(" ".join(SHARE_LABELS))
    junk.append("Read more: " + RELATED[3][0])
    return h, junk


def divsoup(a, comments_long=False):
    """A home-made site: no semantic tags, no hints, tables of links."""
    junk = ["Home | Photos | Guestbook | Links", FOOTERS[1]]
    cm = ""
    if comments_long:
        cm = ('<div class="comments"><h3>Comments</h3>%s</div>' %
              "".join('<div class="comment"><b>%s</b> wrote:<br>%s</div>' % c
                      for c in COMMENTS[:4]))
        junk += comment_texts(4)
    h = head(a, "my pages") + """<body bgcolor="#fffff0">
<table width="100%%" cellpadding="4"><tr><td width="160" valign="top" bgcolor="#ddeeff">
<div><a href="/">Home</a> | <a href="/photos">Photos</a> | <a href="/guest">Guestbook</a> | <a href="/links">Links</a></div>
<div><br><a href="/old/1.html">1998 trip</a><br><a href="/old/2.html">2003 trip</a><br><a href="/old/3.html">My radios</a></div>
</td><td valign="top">
<div><font size="+2"><b>%s</b></font></div>
<div>%s</div>
%s
<hr><div><small>%s</small></div>
</td></tr></table>
<img src="/cgi-bin/counter.pl?page=radio" width="1" height="1" alt="">
</body></html>
""" % (E(a["title"]), body(a, style="br"), cm, FOOTERS[1])
    return h, junk


def short_with_comments(a, container):
    """A short post under a long comment thread: the thread has far more
    text and commas; only the hints say which is the article."""
    junk = comment_texts(6)
    cm = "".join('<div class="%s-item"><div class="meta">%s</div><p>%s</p></div>\n'
                 % (container, w, t) for w, t in COMMENTS)
    h = head(a, "Forum news") + """<body>
<div class="wrap"><div class="topbar"><a href="/">Forum</a> <a href="/rules">Rules</a></div>
<div class="content-area"><div class="post-box"><h1>%s</h1><div class="post-text">%s</div></div>
<div id="%s" class="%s"><h2>6 replies</h2>%s</div></div></div>
</body></html>
""" % (E(a["title"]), body(a), container, container, cm)
    return h, junk


def hidden_junk(a):
    """Hidden elements full of text: style display:none, hidden, a modal."""
    hid = ["This text is hidden with an inline style and must never appear",
           "A hidden attribute hides this paragraph from every reader",
           NEWSLETTERS[0]]
    h = head(a, "Hidden") + """<body>
<div class="container">
<div style="display:none"><p>%s, %s, %s.</p></div>
<div class="article-body"><h1>%s</h1>
%s
<p hidden>%s, one two three four five six seven eight nine ten.</p>
</div>
<div id="newsletter-modal" aria-hidden="true"><p>%s</p></div>
<div style="visibility: hidden;"><p>Invisible words about nothing at all, repeated, repeated, repeated.</p></div>
</div></body></html>
""" % (hid[0], hid[0], hid[0], E(a["title"]), body(a, lazy="noscript"),
       hid[1], hid[2])
    return h, hid + ["Invisible words about nothing at all"]


def unclosed(a):
    """Hand-written HTML5 that leaves every <p> open: libxml2's HTML4
    parser then nests the <figure> and <section> that follow inside it."""
    junk = [" ".join(MENUS[0]), FOOTERS[1]]
    parts = []
    for b in a["blocks"]:
        if b[0] == "p":
            parts.append("<p>" + b[1] + "\n")
        elif b[0] in ("h2", "h3"):
            parts.append("<section><h2>%s</h2></section>\n" % b[1])
        elif b[0] == "img":
            parts.append('<figure><img src="%s" alt="%s"><figcaption>%s'
                         '</figcaption></figure>\n' % (b[1], E(b[2]),
                                                       b[3] or ""))
        elif b[0] in ("ul", "ol"):
            parts.append("<%s>%s</%s>\n" % (b[0], "".join(
                "<li>" + i for i in b[1]), b[0]))
        elif b[0] == "quote":
            parts.append("<blockquote>%s</blockquote>\n" % b[1])
        elif b[0] == "pre":
            parts.append("<pre>%s</pre>\n" % E(b[1]))
    h = head(a, "plain html") + """<body>
<header><nav>%s</nav></header>
<main>
<h1>%s</h1>
%s</main>
<footer><p>%s</footer>
</body></html>
""" % (menu(MENUS[0]), E(a["title"]), "".join(parts), FOOTERS[1])
    return h, junk


def layout_wrapper(a):
    """The article inside layout wrappers whose classes say sidebar and
    footer ("has-sidebar", "sticky-footer-layout"): they must stay."""
    junk = [SIDEBAR[1], " ".join(MENUS[2]), COOKIE_TEXTS[0]]
    h = head(a, "Kitchen notes") + """<body class="layout-sidebar-right">
<div id="wrapper" class="sticky-footer-layout has-sidebar">
<div class="menu-bar">%s</div>
<div id="content-sidebar-wrap" class="with-sidebar">
<div class="primary"><h1 class="title">%s</h1>
<div class="text">%s</div></div>
<div class="sidebar widget-area"><h3>Popular</h3><p>%s</p></div>
</div>
<div class="cookie-law-info-bar"><span>%s</span></div>
</div></body></html>
""" % (menu(MENUS[2], "nav-menu"), E(a["title"]), body(a), SIDEBAR[1],
       COOKIE_TEXTS[0])
    return h, junk


def related_unhinted(a):
    """Related stories as a plain list of links inside the story, and a
    "More stories" label: only the link density gives them away."""
    more = ("<h3>More stories</h3><ul>%s</ul>\n" % "".join(
        '<li><a href="/s/%d">%s</a></li>' % (i, t)
        for i, t in enumerate(RELATED[3] + RELATED[1])))
    junk = RELATED[3] + RELATED[1]
    n = len(a["blocks"])
    h = head(a, "Daily", og(a, "Daily")) + """<body>
<div id="app"><div class="l1"><div class="l2">
<h1>%s</h1>
<div class="l3">%s</div>
</div></div></div></body></html>
""" % (E(a["title"]), body(a, inject={n - 2: more}))
    return h, junk


# --- pages that are not articles --------------------------------------------

def home_listing():
    cards = "".join('<article class="post-card"><h2 class="entry-title"><a href="/p/%d/">%s</a></h2><div class="entry-summary"><p>%s</p></div><a class="more-link" href="/p/%d/">Read more</a></article>\n'
                    % (i, a["title"], a["blocks"][0][1][:140] + "...", i)
                    for i, a in enumerate(ARTICLES[:8]))
    h = head(ARTICLES[0], "Everything blog") + """<body class="home blog">
<header class="site-header"><nav class="main-navigation">%s</nav></header>
<main id="main" class="site-main">%s
<nav class="pagination"><a href="/page/2/">Older posts</a></nav></main>
<footer class="site-footer">%s</footer></body></html>
""" % (menu(MENUS[0]), cards, FOOTERS[1])
    return h, [" ".join(MENUS[0])]


def login_page():
    h = """<!DOCTYPE html><html><head><title>Sign in | Example</title></head><body>
<div class="login-wrap"><h1>Sign in to your account</h1>
<form method="post" action="/login"><label>Email<input type="email" name="email"></label>
<label>Password<input type="password" name="pw"></label><button>Sign in</button></form>
<p><a href="/forgot">Forgot your password?</a> <a href="/signup">Create an account</a></p>
<p>By signing in you agree to our terms of service and privacy policy.</p></div>
<footer>%s</footer></body></html>
""" % FOOTERS[0]
    return h, []


def not_found():
    h = """<!DOCTYPE html><html><head><title>Page not found</title></head><body>
<header>%s</header>
<main><h1>404</h1><p>Sorry, we could not find the page you were looking for. It may have moved, or the link may be broken.</p>
<p><a href="/">Go back home</a> or try a search.</p>
<form role="search"><input type="search" name="q"><button>Search</button></form></main>
<footer>%s</footer></body></html>
""" % (menu(MENUS[0]), FOOTERS[1])
    return h, []


def gallery():
    imgs = "".join('<figure class="gallery-item"><a href="/g/%d.jpg"><img src="/g/thumb-%d.jpg" alt="Photo %d"></a></figure>' % (i, i, i)
                   for i in range(24))
    h = """<!DOCTYPE html><html><head><title>Summer 2025 - Photos</title></head><body>
<nav>%s</nav><div class="gallery"><h1>Summer 2025</h1>%s</div>
<p class="credit">All photos by the author.</p></body></html>
""" % (menu(MENUS[3]), imgs)
    return h, []


def search_results():
    res = "".join('<li class="search-result"><h3><a href="/p/%d/">%s</a></h3><p class="snippet">%s</p><cite>https://example.org/p/%d/</cite></li>'
                  % (i, a["title"], a["blocks"][0][1][:90] + "...", i)
                  for i, a in enumerate(ARTICLES[4:12]))
    h = """<!DOCTYPE html><html><head><title>Search results for "winter"</title></head><body>
<header><nav>%s</nav><form role="search"><input name="q" value="winter"></form></header>
<main><h1>Search results for "winter"</h1><p>Showing 8 of 31 results.</p><ol class="results">%s</ol>
<div class="pager"><a href="?p=2">Next</a></div></main></body></html>
""" % (menu(MENUS[1]), res)
    return h, []


def shop_product():
    h = """<!DOCTYPE html><html><head><title>Kettle K-200 - Shop</title>
<meta property="og:type" content="product"></head><body>
<header><nav>%s</nav><div class="cart">Cart (0)</div></header>
<main class="product"><h1>Kettle K-200</h1><div class="price">49.00 EUR</div>
<img src="/p/k200.jpg" alt="Kettle">
<form class="cart"><select name="colour"><option>Black</option><option>White</option></select><button>Add to cart</button></form>
<table class="specs"><tr><th>Capacity</th><td>1.7 l</td></tr><tr><th>Power</th><td>2200 W</td></tr><tr><th>Weight</th><td>1.1 kg</td></tr></table>
<ul class="usp"><li>Free delivery</li><li>Two year warranty</li><li>30 day returns</li></ul></main>
<footer>%s</footer></body></html>
""" % (menu(MENUS[2]), FOOTERS[0])
    return h, []


def category_archive():
    items = "".join('<div class="archive-item"><a href="/a/%d/"><h2>%s</h2></a><span class="date">2026-0%d-01</span></div>'
                    % (i, a["title"], 1 + i % 9) for i, a in enumerate(ARTICLES))
    h = """<!DOCTYPE html><html><head><title>Category: Notes</title></head><body>
<div id="menu">%s</div><div id="main"><h1>Category: Notes</h1>%s</div>
<div id="footer">%s</div></body></html>
""" % (menu(MENUS[0]), items, FOOTERS[1])
    return h, []


# --- the corpus ---------------------------------------------------------------

PAGES = [
    ("wp-sourdough", lambda: wordpress(SOURDOUGH)),
    ("wp-bike-lazy", lambda: wordpress(BIKE, lazy="noscript", comments=5,
                                       top_cookie=True)),
    ("wp-coffee-newsletter", lambda: wordpress(COFFEE, inline_news=True,
                                               comments=1)),
    ("wp-radio-pages", lambda: wordpress(RADIO, pagination=True,
                                         related=False, comments=4)),
    ("wp-chess-datasrc", lambda: wordpress(CHESS, lazy="data-src",
                                           comments=6)),
    ("wp-french", lambda: wordpress(FRENCH, comments=2)),
    ("blogger-birds", lambda: blogger(BIRDS)),
    ("blogger-rain", lambda: blogger(RAIN, comments=5)),
    ("blogger-hike", lambda: blogger(HIKE, comments=0)),
    ("ghost-sqlite", lambda: ghost(SQLITE)),
    ("ghost-telescope", lambda: ghost(TELESCOPE, lazy="srcset")),
    ("ghost-rust", lambda: ghost(RUST)),
    ("substack-bike", lambda: substack(BIKE)),
    ("substack-library", lambda: substack(LIBRARY)),
    ("substack-german", lambda: substack(GERMAN)),
    ("medium-rust", lambda: medium(RUST)),
    ("medium-sqlite", lambda: medium(SQLITE)),
    ("medium-hike", lambda: medium(HIKE)),
    ("hugo-rust", lambda: hugo(RUST)),
    ("hugo-radio", lambda: hugo(RADIO)),
    ("hugo-coffee-notoc", lambda: hugo(COFFEE, toc=False)),
    ("jekyll-radio", lambda: jekyll(RADIO)),
    ("jekyll-birds", lambda: jekyll(BIRDS)),
    ("jekyll-french", lambda: jekyll(FRENCH)),
    ("drupal-council", lambda: drupal(COUNCIL)),
    ("drupal-tram", lambda: drupal(TRAM, comments=4)),
    ("drupal-library", lambda: drupal(LIBRARY, comments=0)),
    ("news-council", lambda: news(COUNCIL)),
    ("news-tram-split", lambda: news(TRAM, 1)),
    ("news-library-hashed", lambda: news(LIBRARY, 2)),
    ("news-telescope", lambda: news(TELESCOPE)),
    ("news-german-hashed", lambda: news(GERMAN, 2)),
    ("divsoup-radio", lambda: divsoup(RADIO)),
    ("divsoup-sourdough-comments", lambda: divsoup(SOURDOUGH, True)),
    ("short-comments-wp", lambda: short_with_comments(SHORT_NOTE,
                                                      "comments")),
    ("short-comments-disqus", lambda: short_with_comments(SHORT_REVIEW,
                                                          "disqus_thread")),
    ("short-comments-discussion", lambda: short_with_comments(
        SHORT_REVIEW, "discussion")),
    ("hidden-coffee", lambda: hidden_junk(COFFEE)),
    ("html5-unclosed-hike", lambda: unclosed(HIKE)),
    ("html5-unclosed-telescope", lambda: unclosed(TELESCOPE)),
    ("layout-wrapper-coffee", lambda: layout_wrapper(COFFEE)),
    ("related-unhinted-council", lambda: related_unhinted(COUNCIL)),
    ("related-unhinted-tram", lambda: related_unhinted(TRAM)),
    ("hidden-chess", lambda: hidden_junk(CHESS)),
    ("notarticle-home", home_listing),
    ("notarticle-login", login_page),
    ("notarticle-404", not_found),
    ("notarticle-gallery", gallery),
    ("notarticle-search", search_results),
    ("notarticle-shop", shop_product),
    ("notarticle-archive", category_archive),
]

ARTICLE_OF = {
    "wp-sourdough": SOURDOUGH, "wp-bike-lazy": BIKE,
    "wp-coffee-newsletter": COFFEE, "wp-radio-pages": RADIO,
    "wp-chess-datasrc": CHESS, "wp-french": FRENCH, "blogger-birds": BIRDS,
    "blogger-rain": RAIN, "blogger-hike": HIKE, "ghost-sqlite": SQLITE,
    "ghost-telescope": TELESCOPE, "ghost-rust": RUST, "substack-bike": BIKE,
    "substack-library": LIBRARY, "substack-german": GERMAN,
    "medium-rust": RUST, "medium-sqlite": SQLITE, "medium-hike": HIKE,
    "hugo-rust": RUST, "hugo-radio": RADIO, "hugo-coffee-notoc": COFFEE,
    "jekyll-radio": RADIO, "jekyll-birds": BIRDS, "jekyll-french": FRENCH,
    "drupal-council": COUNCIL, "drupal-tram": TRAM,
    "drupal-library": LIBRARY, "news-council": COUNCIL,
    "news-tram-split": TRAM, "news-library-hashed": LIBRARY,
    "news-telescope": TELESCOPE, "news-german-hashed": GERMAN,
    "divsoup-radio": RADIO, "divsoup-sourdough-comments": SOURDOUGH,
    "short-comments-wp": SHORT_NOTE, "short-comments-disqus": SHORT_REVIEW,
    "short-comments-discussion": SHORT_REVIEW, "hidden-coffee": COFFEE,
    "hidden-chess": CHESS, "html5-unclosed-hike": HIKE,
    "html5-unclosed-telescope": TELESCOPE,
    "layout-wrapper-coffee": COFFEE, "related-unhinted-council": COUNCIL,
    "related-unhinted-tram": TRAM,
}


def main():
    for name, make in PAGES:
        page, junk = make()
        a = ARTICLE_OF.get(name)
        with open(os.path.join(HERE, name + ".html"), "w") as f:
            f.write(page)
        with open(os.path.join(HERE, name + ".txt"), "w") as f:
            f.write(expected(a) if a else "")
        with open(os.path.join(HERE, name + ".junk"), "w") as f:
            f.write("".join(plain(j) + "\n" for j in junk))
    print("%d pages" % len(PAGES))


if __name__ == "__main__":
    main()
