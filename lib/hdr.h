/*
 * hdr - the header section of a message: read it, look fields up, edit it,
 * write it back.
 *
 * The shim reads the header from stdin with hdr_read(), lets the policy
 * engine edit it and writes it back with hdr_write(); the body is then
 * copied unchanged.  The milter records the fields libmilter reports with
 * hdr_add_parsed() and uses the same lookup helpers.
 *
 * Rules:
 * - Fields the policy does not touch are written back byte for byte as they
 *   were read (field->raw), because DKIM signatures cover them.  Fields that
 *   are added or replaced are written from name and value, folded.
 * - Reading is line by line into struct str with every length bounded by
 *   struct hdr_limits; nothing outside is kept in a fixed buffer.
 * - A bare CR (one not followed by LF) inside a header field is read as a
 *   space, in raw and value alike, and HDR_F_BARE_CR is set: the policy and
 *   the wire then see the same field, never one field to the policy and a
 *   CR-separated extra header line to the relay (the wire encoder and many
 *   servers take a bare CR as a line break).  A bare LF already ends the
 *   line.  Lines that are not header fields (body_start) are not touched.
 * - Memory: a struct hdr_block owns its fields and their strings; hdr_free()
 *   releases everything and leaves an empty, reusable block.  Allocation
 *   failure die()s (util.h).
 * - Errors: functions that can fail return HDR_OK (0) or one of the HDR_E*
 *   codes below, and fill *err (appending to it) only on failure, with a
 *   message naming the line number and the field (outside bytes escaped).
 *   err may be NULL when the caller does not want the text.
 *
 * State after hdr_read()/hdr_parse_buffer() (invariant used by the tests and
 * the fuzz target): the raw bytes of hb->v[0..n-1], then hb->eoh, then
 * hb->body_start, then whatever is left in the stream are exactly the input,
 * except that each bare CR within the raw bytes is a space there.  So on
 * every return, including errors other than HDR_EIO, no byte is lost:
 *   HDR_OK         the empty line ending the header (CRLF or LF) is in
 *                  hb->eoh; body_start is empty; the stream is at the body.
 *                  If the input ended before the empty line, eoh is empty
 *                  and HDR_F_NOBODY_SEP is set.
 *   HDR_ENOTHEADER a line that is neither a field nor a continuation (or a
 *                  continuation before any field) ended the header, as
 *                  Postfix does it: that line is in hb->body_start and is the
 *                  first body line; the stream is after it.  hb is complete
 *                  and usable: callers that accept such mail log err and go
 *                  on; HDR_F_NOTHEADER is set too.
 *   HDR_ENUL, HDR_ETOOLONG, HDR_ETOOBIG
 *                  hb->v holds the fields before the offending line (a field
 *                  being continued keeps its earlier lines); the offending
 *                  line, as far as it was read, is in hb->body_start (for
 *                  HDR_ETOOLONG at most max_field + 1 bytes of it: the rest
 *                  is still in the stream, never buffered).  The message is
 *                  malformed: callers refuse it.
 *   HDR_EIO        a read error; hb is as for the codes above but the bytes
 *                  of the line being read may be incomplete.
 * hdr_parse_buffer() leaves body_start empty: *consumed is the offset of the
 * first byte after the header section (after the empty line, or the start of
 * the non-header / offending line).
 */
#ifndef SMTPGATE_HDR_H
#define SMTPGATE_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "str.h"

enum {
	HDR_OK = 0,
	HDR_ENOTHEADER,		/* header ended by a non-header line (soft) */
	HDR_ENUL,		/* NUL byte in the header */
	HDR_ETOOLONG,		/* one field longer than max_field */
	HDR_ETOOBIG,		/* header over max_total bytes or max_fields */
	HDR_EIO,		/* read error */
	HDR_EINVAL		/* bad name, value or index given by the caller */
};

/* hb->flags */
#define HDR_F_8BIT		0x01u	/* a field holds bytes >= 0x80 */
#define HDR_F_LF		0x02u	/* some line ended in bare LF */
#define HDR_F_CRLF		0x04u	/* some line ended in CRLF */
#define HDR_F_NOBODY_SEP	0x08u	/* EOF before the empty line */
#define HDR_F_NOTHEADER		0x10u	/* a non-header line ended the header */
#define HDR_F_BARE_CR		0x20u	/* a bare CR in a field became a space
					   (from the MTA: any CR or LF outside
					   a fold) */

/* Longest field name accepted by the edit functions (RFC 5322 line limit). */
#define HDR_NAME_MAX		998
/* Writer folds changed fields at whitespace to keep lines this short. */
#define HDR_FOLD_WIDTH		78

struct hdr_field {
	struct str name;	/* field name as written, without the colon
				   (and without obsolete WSP before it) */
	struct str raw;		/* the whole field as read: name, colon, value,
				   folds and line endings exactly as in the
				   input; empty for added or changed fields */
	struct str value;	/* unfolded: line breaks before WSP removed,
				   leading WSP after the colon removed,
				   trailing line ending removed */
	bool	changed;	/* write from name + value, not raw */
	bool	crlf_fixed;	/* hdr_add_parsed: a CR or LF outside a fold
				   is a space in value; the MTA's copy still
				   holds it and must be replaced */
};

struct hdr_block {
	struct hdr_field *v;
	size_t	n, cap;
	unsigned flags;		/* HDR_F_* */
	size_t	size;		/* header bytes accepted (limit accounting) */
	size_t	lines;		/* header lines read, the empty line included */
	size_t	n_lf, n_crlf;	/* lines ended by LF / CRLF: dominant ending */
	struct str eoh;		/* the empty line that ended the header */
	struct str body_start;	/* bytes read from the stream that belong to
				   the body (hdr_read only); see above */
};

struct hdr_limits {
	size_t	max_field;	/* bytes of one field, folds included */
	size_t	max_total;	/* bytes of the header section */
	size_t	max_fields;	/* number of fields */
};

#define HDR_DEF_MAX_FIELD	(256u * 1024)
#define HDR_DEF_MAX_TOTAL	(4u * 1024 * 1024)
#define HDR_DEF_MAX_FIELDS	10000u
/* Used when a NULL limits pointer is passed. */
extern const struct hdr_limits hdr_default_limits;

void	hdr_init(struct hdr_block *hb);
/* Free all fields and strings; hb is empty and reusable afterwards. */
void	hdr_free(struct hdr_block *hb);

/*
 * Read the header section from in (hb is reset first).  Reads byte by byte
 * so that the stream is left exactly at the first byte not consumed.
 */
int	hdr_read(struct hdr_block *hb, FILE *in, const struct hdr_limits *lim,
	    struct str *err);
/* The same from memory; see the top of this file for *consumed. */
int	hdr_parse_buffer(struct hdr_block *hb, const char *data, size_t len,
	    const struct hdr_limits *lim, size_t *consumed, struct str *err);

/*
 * Milter side: record a field as the MTA reported it.  The value may hold
 * CRLF or LF before whitespace (libmilter passes folded values); value is
 * stored unfolded, raw stays empty, changed false.  Every other CR or LF
 * is stored as a space, as hdr_read() does with a bare CR, and sets
 * crlf_fixed and HDR_F_BARE_CR.
 */
void	hdr_add_parsed(struct hdr_block *hb, const char *name,
	    const char *value);

/* Index of the first field named name (any case) at or after from, or -1. */
ssize_t	hdr_find(const struct hdr_block *hb, const char *name, size_t from);
size_t	hdr_count(const struct hdr_block *hb, const char *name);
/*
 * 1-based position of field index among the fields with its name, as
 * smfi_chgheader() wants it; 0 if index is out of range.
 */
size_t	hdr_occurrence(const struct hdr_block *hb, size_t index);

/*
 * Edits.  Names must be 1..HDR_NAME_MAX printable ASCII bytes other than
 * ':'; values must not hold CR, LF or NUL (header injection) but may hold
 * 8-bit UTF-8.  Invalid input returns HDR_EINVAL and fills err; hb is then
 * unchanged.  The *n variants take a value with a length (may hold NUL,
 * which is refused).
 */
int	hdr_insertn(struct hdr_block *hb, size_t index, const char *name,
	    const char *value, size_t vlen, struct str *err);
int	hdr_insert(struct hdr_block *hb, size_t index, const char *name,
	    const char *value, struct str *err);
int	hdr_append(struct hdr_block *hb, const char *name, const char *value,
	    struct str *err);
int	hdr_replacen(struct hdr_block *hb, size_t index, const char *value,
	    size_t vlen, struct str *err);
int	hdr_replace(struct hdr_block *hb, size_t index, const char *value,
	    struct str *err);
/* HDR_EINVAL (err untouched) if index is out of range. */
int	hdr_remove(struct hdr_block *hb, size_t index);
/* Remove every field named name (any case); returns how many. */
size_t	hdr_remove_all(struct hdr_block *hb, const char *name);

/*
 * Append the header fields to out: unchanged fields as their raw bytes (a
 * raw field that lacked a line ending at EOF gets one, so that the next
 * field stays a field), changed and added ones as "Name: value" folded at
 * whitespace outside quoted strings to HDR_FOLD_WIDTH columns where
 * possible.  Lines the writer makes end with the block's dominant line
 * ending (CRLF if the input had as many CRLF lines as LF ones, LF if more
 * LF; CRLF for a block that was never read).  No empty line is written.
 */
void	hdr_write(const struct hdr_block *hb, struct str *out);
/* Append the empty line: the one that was read, else the dominant ending. */
void	hdr_write_separator(const struct hdr_block *hb, struct str *out);
/* The dominant line ending, "\r\n" or "\n". */
const char *hdr_eol(const struct hdr_block *hb);

/* sysexits.h value for a return code (EX_OK for HDR_OK). */
int	hdr_exitcode(int rc);

#endif
