/*
 * log.c - stderr or syslog, one line per message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"

static enum log_level	log_level = LOG_LVL_WARN;
static int		log_syslog;

void
log_init(enum log_level lvl, int use_syslog)
{
	log_level = lvl;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("rss2mail", LOG_PID, LOG_USER);
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	if (log_syslog)
		vsyslog(prio[lvl], fmt, ap);
	else {
		fputs("rss2mail: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
