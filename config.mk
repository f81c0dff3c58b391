# config.mk - what a packager may want to change.  User CFLAGS, CPPFLAGS and
# LDFLAGS are honoured; the warning set is always on.

VERSION	= 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/rss2mail
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR	?=

CC	?= cc
PKG_CONFIG ?= pkg-config
PYTHON	?= /usr/bin/python3

CFLAGS	?= -O2 -g
WARN	= -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -Wpointer-arith \
	  -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wundef \
	  -Wno-unused-parameter
# -Werror under CI (CI=true) or on request (WERROR=1)
ifneq ($(filter true 1,$(CI) $(WERROR)),)
WARN	+= -Werror
endif

PKGS	= libcurl libxml-2.0 libetpan sqlite3 jansson gnutls zlib vips libpcre2-8
# Debian's libetpan.pc leaks its own link specs (-specs=...no-pie-link.specs);
# drop them so our PIE build and clang links work.
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) -pthread
PKG_LIBS   := $(filter-out -specs=%,$(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)) -pthread -lm
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
