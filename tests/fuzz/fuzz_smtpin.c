/*
 * Fuzz target for sendmail-shim/smtpin.c: the input is what a "sendmail -bs" client
 * writes on stdin; every delivered message is read back to the end.
 */
#include "config.h"

#include <stdio.h>

#include "fuzz.h"
#include "smtpin.h"

static int
fuzz_deliver(void *arg, struct smtpin_txn *txn, struct smtp_reply *reply)
{
	char buf[4096];

	(void)arg;
	while (fread(buf, 1, sizeof(buf), txn->data) > 0)
		;
	smtp_reply_make(reply, txn->env.rcpts.n > 1 ? 451 : 250,
	    txn->env.rcpts.n > 1 ? "4.3.0" : "2.0.0", "done %zu",
	    txn->env.rcpts.n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in, *out;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	out = fopen("/dev/null", "w");
	if (in != NULL && out != NULL)
		(void)smtpin_run(in, out, "fuzz.example", 4096, fuzz_deliver,
		    NULL);
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	return 0;
}
