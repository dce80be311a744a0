/*
 * policy_int - shared by the policy_*.c files: the run context and the
 * helpers that apply one edit to the message and record it.
 */
#ifndef SMTPGATE_POLICY_INT_H
#define SMTPGATE_POLICY_INT_H

#include "addr.h"
#include "policy.h"

struct policy_ctx {
	const struct cfg *cfg;
	struct policy_msg *m;
	struct policy_result *r;
	bool	failed;		/* an edit could not be applied: tempfail */
};

/* Each applies the edit in place and records it. */
void	policy_set_sender(struct policy_ctx *c, const char *bare);
void	policy_del_rcpt(struct policy_ctx *c, size_t i);
void	policy_add_rcpt(struct policy_ctx *c, const char *bare);
void	policy_hdr_add(struct policy_ctx *c, const char *name,
	    const char *value);
void	policy_hdr_change(struct policy_ctx *c, size_t index,
	    const char *value);
void	policy_hdr_delete(struct policy_ctx *c, size_t index);

/* Stop with a reply; verdict REJECT (5xx) or TEMPFAIL (4xx). */
void	policy_refuse(struct policy_ctx *c, int code, const char *esc,
	    const char *fmt, ...) UTIL_PRINTF(4, 5);
/* Add a word to the log line. */
void	policy_note(struct policy_ctx *c, const char *fmt, ...)
	    UTIL_PRINTF(2, 3);

/* "" or "<>" */
bool	policy_is_null_sender(const char *s);
/* An envelope address parsed for judging; false when it cannot be. */
bool	policy_parse_path(const char *s, struct addr *a);

/* The steps, in the order policy_run() takes them. */
void	policy_header_breaks(struct policy_ctx *c);
void	policy_default_from(struct policy_ctx *c);
void	policy_rules(struct policy_ctx *c);
void	policy_login(struct policy_ctx *c);
void	policy_display_name(struct policy_ctx *c);
void	policy_reply_to(struct policy_ctx *c);
void	policy_exclude(struct policy_ctx *c);
void	policy_bulk(struct policy_ctx *c);
void	policy_redirect(struct policy_ctx *c);
bool	policy_redirect_possible(struct policy_ctx *c);

#endif
