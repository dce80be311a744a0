/*
 * smtp_data - the DATA-phase encoder.  See smtp_data.h.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "smtp_data.h"

void
smtp_data_init(struct smtp_data *d)
{
	memset(d, 0, sizeof(*d));
	d->at_bol = true;
}

static void
smtp_data_eol(struct smtp_data *d, struct str *out)
{
	str_append(out, "\r\n", 2);
	d->out_bytes += 2;
	d->lines++;
	if (d->line_len > d->longest_line)
		d->longest_line = d->line_len;
	d->line_len = 0;
	d->at_bol = true;
}

void
smtp_data_feed(struct smtp_data *d, const char *buf, size_t len,
    struct str *out)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, start;

	if (d->finished)
		die("smtp_data_feed after smtp_data_finish");
	d->in_bytes += len;
	/* Worst case: every byte a bare LF or a stuffed dot. */
	str_reserve(out, len > SIZE_MAX / 2 ? len : len * 2);
	while (i < len) {
		if (d->skip_lf) {
			/* The LF of a CRLF whose CR was already sent. */
			d->skip_lf = false;
			if (p[i] == '\n') {
				i++;
				continue;
			}
		}
		if (p[i] == '\r') {
			/*
			 * Send CRLF now, bare or not, and swallow a following
			 * LF, even from the next chunk: output never waits.
			 */
			smtp_data_eol(d, out);
			d->skip_lf = true;
			i++;
			continue;
		}
		if (p[i] == '\n') {
			smtp_data_eol(d, out);
			i++;
			continue;
		}
		if (d->at_bol && p[i] == '.') {
			str_appendc(out, '.');
			d->out_bytes++;
			d->line_len++;
		}
		d->at_bol = false;
		/* Copy the run of ordinary bytes up to the next line break. */
		start = i;
		for (; i < len && p[i] != '\r' && p[i] != '\n'; i++) {
			if (p[i] >= 0x80)
				d->has_8bit = true;
			else if (p[i] == '\0')
				d->has_nul = true;
		}
		str_append(out, p + start, i - start);
		d->out_bytes += i - start;
		d->line_len += i - start;
	}
}

void
smtp_data_finish(struct smtp_data *d, struct str *out)
{
	if (d->finished)
		die("smtp_data_finish called twice");
	if (!d->at_bol)
		smtp_data_eol(d, out);
	str_append(out, ".\r\n", 3);
	d->out_bytes += 3;
	d->finished = true;
}
