/*
 * cfg_holder - counted references to the current configuration.
 */
#include "config.h"

#include <stdlib.h>

#include "cfg_holder.h"

static struct cfg_ref *
cfg_ref_new(struct cfg *cfg, unsigned long generation)
{
	struct cfg_ref *r = xcalloc(1, sizeof(*r));

	r->cfg = cfg;
	r->refs = 1;
	r->generation = generation;
	return r;
}

static void
cfg_ref_drop(struct cfg_ref *r)
{
	if (--r->refs == 0) {
		cfg_free(r->cfg);
		free(r);
	}
}

void
cfg_holder_init(struct cfg_holder *h, struct cfg *cfg)
{
	if (pthread_mutex_init(&h->lock, NULL) != 0)
		die("cfg_holder: mutex");
	h->generation = 1;
	h->cur = cfg_ref_new(cfg, h->generation);
}

void
cfg_holder_destroy(struct cfg_holder *h)
{
	cfg_ref_drop(h->cur);
	h->cur = NULL;
	pthread_mutex_destroy(&h->lock);
}

struct cfg_ref *
cfg_holder_get(struct cfg_holder *h)
{
	struct cfg_ref *r;

	pthread_mutex_lock(&h->lock);
	r = h->cur;
	r->refs++;
	pthread_mutex_unlock(&h->lock);
	return r;
}

void
cfg_holder_put(struct cfg_holder *h, struct cfg_ref *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	cfg_ref_drop(r);
	pthread_mutex_unlock(&h->lock);
}

unsigned long
cfg_holder_replace(struct cfg_holder *h, struct cfg *cfg)
{
	struct cfg_ref *old;
	unsigned long g;

	pthread_mutex_lock(&h->lock);
	old = h->cur;
	g = ++h->generation;
	h->cur = cfg_ref_new(cfg, g);
	cfg_ref_drop(old);
	pthread_mutex_unlock(&h->lock);
	return g;
}
