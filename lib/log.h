/*
 * log.h - one-line messages to stderr (or syslog in the daemon).
 *
 * Only orchestration (run, daemon, main) logs; parsers and backends return
 * error text to their caller instead.
 */
#ifndef RSS2MAIL_LOG_H
#define RSS2MAIL_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void	log_init(enum log_level, int use_syslog);
enum log_level log_get_level(void);
void	log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_error(...)	log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
