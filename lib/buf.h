/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Every buffer that grows from untrusted input has a maximum; appending past
 * it fails (returns -1, sets overflow) and leaves the contents as they were.
 * The data is always NUL-terminated so it can be used as a C string.
 * Allocation failure aborts (util.h); a cap is the ordinary error.
 */
#ifndef RSS2MAIL_BUF_H
#define RSS2MAIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;		/* NUL-terminated; NULL until the first append */
	size_t	 len;
	size_t	 cap;		/* allocated */
	size_t	 max;		/* hard cap on len; 0 = SIZE_MAX */
	int	 overflow;	/* an append was refused */
};

#define BUF_INIT(max_) { NULL, 0, 0, (max_), 0 }

void	buf_init(struct buf *, size_t max);
int	buf_append(struct buf *, const void *, size_t);
int	buf_puts(struct buf *, const char *);
int	buf_putc_slow(struct buf *, int);
/* One byte: the encoders and renderers call this per byte, so the common
 * case (room left) is inline; buf_putc_slow grows or refuses. */
static inline int
buf_putc(struct buf *b, int c)
{
	if (b->data != NULL && b->len + 1 < b->cap &&
	    (b->max == 0 || b->len < b->max)) {
		b->data[b->len++] = (char)c;
		b->data[b->len] = '\0';
		return 0;
	}
	return buf_putc_slow(b, c);
}
/*
 * For encoders that write a run at once: buf_room is how many bytes may
 * still be appended before the cap; buf_reserve makes room for n more
 * (n at most buf_room) and returns where they go, the caller writes k <= n
 * of them and calls buf_added(k).  Nothing is appended until buf_added.
 */
size_t	buf_room(const struct buf *);
char	*buf_reserve(struct buf *, size_t n);
void	buf_added(struct buf *, size_t k);
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
const char *buf_str(const struct buf *);	/* "" when empty */
void	buf_reset(struct buf *);		/* len = 0, keeps memory */
void	buf_free(struct buf *);			/* accepts NULL */
char	*buf_steal(struct buf *);		/* caller frees; buf is reset */

#endif
