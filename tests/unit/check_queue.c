/*
 * Unit tests for sendmail-shim/queue's choice of messages in a run
 * (queue_selected): -qR and -qS match a piece of any recipient and of the
 * sender, ignoring case; --queue-run takes only what is due; no run takes
 * a message still within its [queue] delay.  One row per envelope and
 * filter.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "queue.h"
#include "spool.h"

#define NOW	1000000LL

struct select_case {
	const char *what;
	const char *sender;
	const char *rcpts[3];	/* up to NULL */
	unsigned attempts;
	long long next_try;	/* from NOW */
	const char *f_rcpt;	/* -qR */
	const char *f_sender;	/* -qS */
	bool	due_only;	/* --queue-run */
	bool	want;
};

static const struct select_case cases[] = {
	/* No filter: every message tried before, due or not (-q). */
	{ "-q: due", "s@example.org", { "r@example.net" }, 1, -10,
	    NULL, NULL, false, true },
	{ "-q: not due yet, tried before", "s@example.org",
	    { "r@example.net" }, 1, 60, NULL, NULL, false, true },
	{ "--queue-run: due at this very second", "s@example.org",
	    { "r@example.net" }, 1, 0, NULL, NULL, true, true },
	/* [queue] delay: never tried, next try to come. */
	{ "-q leaves a message within its delay", "s@example.org",
	    { "r@example.net" }, 0, 60, NULL, NULL, false, false },
	{ "--queue-run leaves it too", "s@example.org", { "r@example.net" }, 0,
	    60, NULL, NULL, true, false },
	{ "the delay is over", "s@example.org", { "r@example.net" }, 0, 0,
	    NULL, NULL, false, true },
	/* --queue-run: due only. */
	{ "--queue-run: due", "s@example.org", { "r@example.net" }, 2, -1,
	    NULL, NULL, true, true },
	{ "--queue-run: not due", "s@example.org", { "r@example.net" }, 2, 1,
	    NULL, NULL, true, false },
	/* -qS: a piece of the sender, any case. */
	{ "-qS: a piece of the sender", "alice@example.org",
	    { "r@example.net" }, 1, 0, NULL, "alice", false, true },
	{ "-qS: case does not matter", "Alice@Example.ORG",
	    { "r@example.net" }, 1, 0, NULL, "example.org", false, true },
	{ "-qS: no match", "alice@example.org", { "bob@example.net" }, 1, 0,
	    NULL, "bob", false, false },
	{ "-qS: the null sender matches only the empty piece", "",
	    { "r@example.net" }, 1, 0, NULL, "mailer", false, false },
	{ "-qS \"\": matches every sender", "", { "r@example.net" }, 1, 0,
	    NULL, "", false, true },
	/* -qR: a piece of any recipient, any case. */
	{ "-qR: the first recipient", "s@example.org",
	    { "bob@example.net", "carol@example.com" }, 1, 0, "bob", NULL,
	    false, true },
	{ "-qR: a later recipient", "s@example.org",
	    { "bob@example.net", "carol@example.com" }, 1, 0, "CAROL", NULL,
	    false, true },
	{ "-qR: no recipient matches", "s@example.org",
	    { "bob@example.net", "carol@example.com" }, 1, 0, "dave", NULL,
	    false, false },
	{ "-qR: not the sender", "dave@example.org", { "bob@example.net" }, 1,
	    0, "dave", NULL, false, false },
	{ "-qR: no recipient left", "s@example.org", { NULL }, 1, 0, "bob",
	    NULL, false, false },
	/* Together: all must hold. */
	{ "-qR and -qS both match", "alice@example.org", { "bob@example.net" },
	    1, 0, "bob", "alice", false, true },
	{ "-qR matches, -qS does not", "alice@example.org",
	    { "bob@example.net" }, 1, 0, "bob", "carol", false, false },
	{ "-qS matches, -qR does not", "alice@example.org",
	    { "bob@example.net" }, 1, 0, "carol", "alice", false, false },
	{ "matches, but --queue-run and not due", "alice@example.org",
	    { "bob@example.net" }, 1, 5, "bob", "alice", true, false },
};

START_TEST(selected)
{
	const struct select_case *c = &cases[_i];
	struct queue_filter f;
	struct spool_env e;
	size_t i;

	spool_env_init(&e);
	e.id = xstrdup("ID");
	e.env.sender = xstrdup(c->sender);
	for (i = 0; i < 3 && c->rcpts[i] != NULL; i++)
		envelope_add_rcpt(&e.env, c->rcpts[i]);
	e.attempts = c->attempts;
	e.next_try = NOW + c->next_try;
	memset(&f, 0, sizeof(f));
	f.rcpt = c->f_rcpt;
	f.sender = c->f_sender;
	f.due_only = c->due_only;
	ck_assert_msg(queue_selected(&e, &f, NOW) == c->want, "%s: %s, want %s",
	    c->what, c->want ? "left" : "taken", c->want ? "taken" : "left");
	spool_env_free(&e);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("selected");

	tcase_add_loop_test(tc, selected, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
