/*
 * policy - the message policy both front ends enforce: default recipients
 * by context ([rule NAME]), From must match the login, Reply-To, excluded
 * recipients, redirect to the report addresses.
 * Fields the MTA holds with a line break inside (hdr_add_parsed marks
 * them) are first replaced by the value the policy judges, the breaks
 * spaces.
 *
 * policy_run() takes the envelope and the header block of one message,
 * decides, and applies its edits to them in place through envelope_*()
 * and hdr_*() (the shim then sends what is left); the caller keeps
 * owning both.  It also records each edit, in order, as a struct
 * policy_edit so the milter can replay them through libmilter: header
 * positions are given as the 1-based occurrence among fields of the same
 * name at the moment of the edit, which is what smfi_chgheader() means
 * when edits are applied one after the other.
 *
 * bulk_copies = first needs to remember batches across messages: the
 * front end passes a store (struct policy_bulk) that the engine asks,
 * once per message, which copy recipients are new in their batch.
 *
 * The engine is pure: no I/O, no logging, no global state.  It never
 * "continues" on something it cannot decide: an address it must judge
 * but cannot parse is a rejection, and redirect with no enabled report
 * address is a temporary failure, so a test system never mails a real
 * person.
 */
#ifndef SMTPGATE_POLICY_H
#define SMTPGATE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "envelope.h"
#include "hdr.h"
#include "smtp_reply.h"
#include "str.h"

enum policy_op {
	POLICY_CHGFROM,		/* envelope sender := value (bare) */
	POLICY_ADDRCPT,		/* add envelope recipient value (bare) */
	POLICY_DELRCPT,		/* remove recipient value, as it was given */
	POLICY_ADDHDR,		/* append header name: value */
	POLICY_CHGHDR		/* occurrence of name := value; NULL deletes */
};

struct policy_edit {
	enum policy_op op;
	char   *name;		/* header name (ADDHDR, CHGHDR) */
	char   *value;
	size_t	occurrence;	/* CHGHDR: 1-based among fields named name */
};

enum policy_verdict {
	POLICY_ACCEPT,		/* deliver, with the edits */
	POLICY_REJECT,		/* refuse permanently: reply */
	POLICY_TEMPFAIL,	/* refuse for now: reply */
	POLICY_DISCARD		/* no recipient left: accept and drop */
};

/*
 * bulk_copies = first: claim() is given one key per copy recipient (see
 * policy_bulk.c) and sets first[i] when keys[i] had no copy yet in its
 * batch, recording it; it returns false when the store cannot be used,
 * and then every copy goes out (never one too few).
 */
struct policy_bulk {
	bool	(*claim)(void *arg, const uint64_t *keys, bool *first,
		    size_t n, unsigned window_s);
	void   *arg;
};

/* The message: policy_run() edits env's sender and recipients and hdr in
   place.  Addresses as given: "a@b", "<a@b>", "" or "<>"; the sender
   must be set. */
struct policy_msg {
	struct envelope *env;
	struct hdr_block *hdr;
	const char *login;	/* SMTP AUTH identity; NULL: unauthenticated,
				   then the relay's or account's username */
	/* Bcc addresses (bare) whose header the front end already took
	   out: copies like the Cc ones.  NULL: none. */
	const struct strvec *bcc;
	const struct policy_bulk *bulk;	/* NULL: every copy goes out */
};

struct policy_result {
	enum policy_verdict verdict;
	struct smtp_reply reply;	/* REJECT and TEMPFAIL */
	struct policy_edit *v;
	size_t	n;
	struct str actions;	/* one line for the log: what was done */
};

void	policy_result_init(struct policy_result *r);
void	policy_result_free(struct policy_result *r);

/* Decide and apply.  Allocation failure die()s; nothing else fails. */
void	policy_run(const struct cfg *cfg, struct policy_msg *m,
	    struct policy_result *r);

/*
 * The login mail without SMTP AUTH is sent with: the username of the
 * [account] whose senders include sender, else for the null sender (the
 * shim's notices) of [general] error_relay, else of the first enabled
 * relay ([general]'s with credentials = default); NULL when none has
 * one.
 */
const char *policy_default_login(const struct cfg *cfg, const char *sender);

#endif
