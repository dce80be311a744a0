/*
 * strvec - a growable array of C strings: recipients, alias targets,
 * queue ids, Bcc addresses.
 *
 * Memory: a struct strvec owns its strings and its array.  STRVEC_INIT /
 * strvec_init() give an empty vector that allocates nothing until the
 * first push; strvec_free() releases everything and leaves an empty,
 * reusable vector.  While v is not NULL, v[n] is NULL, so v can be passed
 * where an argv-style list is wanted.  Allocation failure and size
 * overflow die() (see util.h); nothing here returns an error.
 */
#ifndef SMTPGATE_STRVEC_H
#define SMTPGATE_STRVEC_H

#include <stdbool.h>
#include <stddef.h>

struct strvec {
	char  **v;		/* NULL until the first push */
	size_t	n;		/* strings in use */
	size_t	cap;		/* slots allocated, the terminator included */
};

#define STRVEC_INIT { NULL, 0, 0 }

void	strvec_init(struct strvec *sv);
/* Free every string and the array; sv is empty and reusable after. */
void	strvec_free(struct strvec *sv);
/* Free every string but keep the array for reuse. */
void	strvec_clear(struct strvec *sv);

/* Append s, taking it over (it must come from malloc). */
void	strvec_push(struct strvec *sv, char *s);
/* Append a copy of s, or of its first len bytes. */
void	strvec_push_dup(struct strvec *sv, const char *s);
void	strvec_push_mem(struct strvec *sv, const char *s, size_t len);
/* Append a copy of s unless an equal string (ASCII case ignored) is in
   sv already; returns whether it was added. */
bool	strvec_push_unique_case(struct strvec *sv, const char *s);
/* Free string i and close the gap, keeping the order of the rest. */
void	strvec_remove(struct strvec *sv, size_t i);
/* Replace the contents of dst with copies of src's strings. */
void	strvec_copy(struct strvec *dst, const struct strvec *src);

/* The index of the first string equal to s (strcmp(), or strcasecmp()
   for _case), or sv->n when there is none. */
size_t	strvec_find(const struct strvec *sv, const char *s);
size_t	strvec_find_case(const struct strvec *sv, const char *s);

#endif
