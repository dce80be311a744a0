/*
 * smtpgate-milter: what milter_main.c and milter_cb.c share.
 *
 * milter_cb.c translates between libmilter and the policy engine
 * (lib/policy.h), replaying the policy's edits through milter_edits.c;
 * milter_main.c is the daemon around it: options, socket, privileges, pid
 * file, reload.
 */
#ifndef SMTPGATE_MILTER_H
#define SMTPGATE_MILTER_H

#include <stdbool.h>

#include <libmilter/mfapi.h>

#include "cfg_holder.h"

/* The configuration every new message takes its reference from. */
extern struct cfg_holder milter_cfg;
extern struct smfiDesc milter_desc;
/* Listening on TCP (not a unix socket): see milter_negotiate(). */
extern bool milter_tcp;

#endif
