# sendmail-shim/: smtpgate-sendmail.  Its own code (the command line, -bs,
# submission, the queue runner, aliases, the privileged helper and the
# spool's helper back end) is libshim.a, which its unit tests link too.
noinst_LIBRARIES += sendmail-shim/libshim.a
sendmail_shim_libshim_a_SOURCES = \
	sendmail-shim/smopt.h sendmail-shim/smopt.c \
	sendmail-shim/smtpin.h sendmail-shim/smtpin.c \
	sendmail-shim/aliases.h sendmail-shim/aliases.c \
	sendmail-shim/msgbody.h sendmail-shim/msgbody.c \
	sendmail-shim/submit.h sendmail-shim/submit_read.c \
	sendmail-shim/submit_send.c sendmail-shim/submit_notice.c \
	sendmail-shim/queue.h sendmail-shim/queue.c \
	sendmail-shim/privsep.h sendmail-shim/privsep_wire.c \
	sendmail-shim/privsep.c sendmail-shim/privsep_spool.c

sbin_PROGRAMS += sendmail-shim/smtpgate-sendmail
sendmail_shim_smtpgate_sendmail_SOURCES = sendmail-shim/shim_main.c
sendmail_shim_smtpgate_sendmail_LDADD = $(LIBSHIM)
