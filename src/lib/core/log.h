/*
 * log.h — leveled logging through a caller-supplied sink.
 *
 * No global logger: whoever owns a context sets an sl_logger on it.  A NULL
 * logger, or a NULL fn, drops messages.
 */
#ifndef SL_LOG_H
#define SL_LOG_H

enum { SL_LOG_ERROR = 0, SL_LOG_WARN = 1, SL_LOG_INFO = 2, SL_LOG_DEBUG = 3 };

typedef struct sl_logger {
	void (*fn)(void *ud, int level, const char *msg);
	void *ud;
	int level; /* messages above this level are dropped */
} sl_logger;

void sl_log(const sl_logger *lg, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const char *sl_log_level_name(int level);
/* "error", "warn", "info", "debug" → level; -1 if unknown. */
int sl_log_level_parse(const char *s);

/* A ready sink writing "level: msg\n" to the FILE* in ud (stderr if NULL). */
void sl_log_to_stream(void *ud, int level, const char *msg);

#endif
