/*
 * cfg_holder - the configuration a long-running program uses now, swapped
 * on reload while work in flight keeps the one it started with.
 *
 * cfg_holder_get() hands out a counted reference to the current
 * configuration; cfg_holder_put() returns it.  cfg_holder_replace() makes
 * a new configuration current; the old one is freed when its last user
 * puts it back.  All functions are thread-safe.
 */
#ifndef SMTPGATE_CFG_HOLDER_H
#define SMTPGATE_CFG_HOLDER_H

#include <pthread.h>

#include "cfg.h"

struct cfg_ref {
	struct cfg *cfg;
	unsigned refs;		/* users, plus one while current */
	unsigned long generation;
};

struct cfg_holder {
	pthread_mutex_t lock;
	struct cfg_ref *cur;
	unsigned long generation;
};

/* Takes ownership of cfg. */
void	cfg_holder_init(struct cfg_holder *h, struct cfg *cfg);
void	cfg_holder_destroy(struct cfg_holder *h);
struct cfg_ref *cfg_holder_get(struct cfg_holder *h);
void	cfg_holder_put(struct cfg_holder *h, struct cfg_ref *ref);
/* Takes ownership of cfg; returns the new generation number. */
unsigned long cfg_holder_replace(struct cfg_holder *h, struct cfg *cfg);

#endif
