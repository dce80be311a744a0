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
	sendmail-shim/submit_send.c sendmail-shim/submit_relay.c \
	sendmail-shim/submit_notice.c \
	sendmail-shim/queue.h sendmail-shim/queue.c \
	sendmail-shim/privsep.h sendmail-shim/privsep_wire.c \
	sendmail-shim/privsep.c sendmail-shim/privsep_spool.c

sbin_PROGRAMS += sendmail-shim/smtpgate-sendmail
sendmail_shim_smtpgate_sendmail_SOURCES = sendmail-shim/shim_main.c
sendmail_shim_smtpgate_sendmail_LDADD = $(LIBSHIM)

# make install-system (as root, after make install): the rest of the
# install model of smtpgate-sendmail(8), PRIVILEGES, as the Debian package
# sets it up.  It never replaces /usr/sbin/sendmail: README says how.
SMTPGATE_GROUP = smtpgate
SMTPGATE_QUEUE = $(localstatedir)/spool/smtpgate
# SMTPGATE_OAUTH2_DIR (Makefile.am): the OAuth2 tokens, the group's.
install-system: install
	@test "$$(id -u)" = 0 || { echo "install-system: run it as root"; exit 1; }
	getent group $(SMTPGATE_GROUP) > /dev/null || \
	    groupadd --system $(SMTPGATE_GROUP)
	getent passwd smtpgate-milter > /dev/null || \
	    useradd --system --user-group --no-create-home \
	    --home-dir /nonexistent --shell /usr/sbin/nologin smtpgate-milter
	install -d -m 0755 $(DESTDIR)$(sysconfdir)/smtpgate
	test -e $(DESTDIR)$(sysconfdir)/smtpgate/smtpgate.conf || \
	    install -m 0644 $(srcdir)/conf/smtpgate.conf \
	    $(DESTDIR)$(sysconfdir)/smtpgate/smtpgate.conf
	install -d -o root -g $(SMTPGATE_GROUP) -m 0750 \
	    $(DESTDIR)$(sysconfdir)/smtpgate/secret
	for d in "" /tmp /msg /env; do \
	    install -d -o root -g $(SMTPGATE_GROUP) -m 2770 \
	    $(DESTDIR)$(SMTPGATE_QUEUE)$$d || exit 1; done
	install -d -o root -g $(SMTPGATE_GROUP) -m 2770 \
	    $(DESTDIR)$(SMTPGATE_OAUTH2_DIR)
	chgrp $(SMTPGATE_GROUP) $(DESTDIR)$(sbindir)/smtpgate-sendmail
	chmod 2755 $(DESTDIR)$(sbindir)/smtpgate-sendmail
	@echo "install-system: done; check it with: $(sbindir)/smtpgate-sendmail --check-config"
.PHONY: install-system
