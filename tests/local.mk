# tests/: every test and what builds it.
#   tests/unit/check_NAME.c     a Check program per module (default sources)
#   tests/fuzz/fuzz_NAME.c      a fuzz target per parser: replayed over its
#                               seed corpus in every build, and a libFuzzer
#                               binary with --enable-fuzzers
#   tests/integration/, cli/    real servers and a real Postfix on 127.0.0.1
#   tests/install/              the Debian packages (scripts/test.sh runs it)

AM_TESTS_ENVIRONMENT = srcdir='$(srcdir)'; export srcdir; \
	SMTPGATE_SYSCONFDIR='$(sysconfdir)'; export SMTPGATE_SYSCONFDIR; \
	CK_DEFAULT_TIMEOUT=60; export CK_DEFAULT_TIMEOUT; \
	SMTPGATE_DISTCHECK='$(SMTPGATE_DISTCHECK)'; export SMTPGATE_DISTCHECK;

# ---- Unit tests: Check programs, one per module ---------------------------
# Sources default to tests/unit/NAME.c; every program without its own
# LDADD links this.  Without Check (configure says so), one test that
# fails and names the package stands in for them.
LDADD = tests/unit/libcheckmain.a $(LIBSHIM) $(CHECK_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
if HAVE_CHECK
# The main() they share (tests/unit/check_main.h).
check_LIBRARIES = tests/unit/libcheckmain.a
tests_unit_libcheckmain_a_SOURCES = tests/unit/check_main.h \
	tests/unit/check_main.c
check_PROGRAMS += tests/unit/check_str tests/unit/check_strvec \
	tests/unit/check_envelope \
	tests/unit/check_log \
	tests/unit/check_ids tests/unit/check_cfg tests/unit/check_cfg_oauth2 \
	tests/unit/check_addr \
	tests/unit/check_rfc2047 tests/unit/check_hdr \
	tests/unit/check_smtp_reply tests/unit/check_smtp_data \
	tests/unit/check_dsn tests/unit/check_sasl tests/unit/check_policy \
	tests/unit/check_spool tests/unit/check_smopt tests/unit/check_smtpin \
	tests/unit/check_aliases tests/unit/check_msgbody \
	tests/unit/check_privsep tests/unit/check_hint tests/unit/check_bulk \
	tests/unit/check_submit tests/unit/check_queue \
	tests/unit/check_oauth2 tests/unit/check_json tests/unit/check_http
tests_unit_check_cfg_SOURCES = tests/unit/check_cfg.c \
	tests/unit/cfg_fixture.h tests/unit/cfg_fixture.c
tests_unit_check_cfg_oauth2_SOURCES = tests/unit/check_cfg_oauth2.c \
	tests/unit/cfg_fixture.h tests/unit/cfg_fixture.c
tests_unit_check_smtp_data_SOURCES = tests/unit/check_smtp_data.c \
	tests/fuzz/smtp_data_wire.h
# milter/'s replay of the policy's edits, through a recorder: milter/
# and lib/ only, no libmilter (milter_edits.h).
check_PROGRAMS += tests/unit/check_milter_edits
tests_unit_check_milter_edits_SOURCES = tests/unit/check_milter_edits.c \
	milter/milter_edits.h milter/milter_edits.c
tests_unit_check_milter_edits_CPPFLAGS = $(LIB_CPPFLAGS) \
	-I$(top_srcdir)/milter
tests_unit_check_milter_edits_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_milter_edits_LDADD = tests/unit/libcheckmain.a \
	$(LIBSMTPGATE) $(CHECK_LIBS)
EXTRA_DIST += tests/unit/data/hdr

# lib/tls_ossl's failures: no such library, and a library without OpenSSL.
check_PROGRAMS += tests/unit/check_tls_ossl_nolib tests/unit/check_tls_ossl_nosym
tests_unit_check_tls_ossl_nolib_SOURCES = tests/unit/check_tls_ossl.c \
	lib/tls_ossl.c
tests_unit_check_tls_ossl_nolib_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTLS_OSSL_SONAME='"libsmtpgate-no-such-ssl.so.0"' \
	-DTLS_OSSL_EXPECT='"cannot load libsmtpgate-no-such-ssl.so.0: "'
tests_unit_check_tls_ossl_nolib_CFLAGS = $(UNIT_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_check_tls_ossl_nosym_SOURCES = tests/unit/check_tls_ossl.c \
	lib/tls_ossl.c
tests_unit_check_tls_ossl_nosym_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTLS_OSSL_SONAME='"libc.so.6"' \
	-DTLS_OSSL_EXPECT='"libc.so.6: missing symbol ASN1_STRING_get0_data"'
tests_unit_check_tls_ossl_nosym_CFLAGS = $(UNIT_CFLAGS) $(OPENSSL_CFLAGS)
# lib/http without libcurl.
check_PROGRAMS += tests/unit/check_http_nolib
tests_unit_check_http_nolib_SOURCES = tests/unit/check_http.c lib/http.c
tests_unit_check_http_nolib_CPPFLAGS = $(AM_CPPFLAGS) -DHTTP_EXPECT_NOLIB \
	-DHTTP_SONAME='"libsmtpgate-no-such-curl.so.4"'
tests_unit_check_http_nolib_CFLAGS = $(UNIT_CFLAGS)
else
dist_check_SCRIPTS += tests/unit/no_check.sh
endif
EXTRA_DIST += tests/unit/no_check.sh

# ---- Fuzz targets: one list, one rule -------------------------------------
# tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput().  NAME.replay
# (with replay_main.c) runs it over tests/fuzz/corpus/NAME in make check,
# so a crash found once stays a regression test; fuzz_NAME is the libFuzzer
# binary scripts/test.sh runs.  Adding a target is adding it to this list.
# (The .replay extension gives the test harness one suffix rule for all.)
FUZZ_REPLAYS = tests/fuzz/addr.replay tests/fuzz/aliases.replay \
	tests/fuzz/bulk.replay tests/fuzz/oauth2.replay tests/fuzz/json.replay \
	tests/fuzz/cfg.replay tests/fuzz/dsn.replay tests/fuzz/hdr.replay \
	tests/fuzz/privsep.replay tests/fuzz/rfc2047.replay tests/fuzz/secret.replay \
	tests/fuzz/smopt.replay tests/fuzz/smtp_data.replay \
	tests/fuzz/smtp_reply.replay tests/fuzz/smtpin.replay \
	tests/fuzz/spool_env.replay
FUZZ_TARGETS = $(basename $(notdir $(FUZZ_REPLAYS)))
TEST_EXTENSIONS = .replay
REPLAY_LOG_COMPILER =
FUZZ_DEPS = $(srcdir)/tests/fuzz/fuzz.h sendmail-shim/libshim.a \
	lib/libsmtpgate.a
FUZZ_LINK = $(CC) $(DEFS) $(DEFAULT_INCLUDES) $(AM_CPPFLAGS) $(CPPFLAGS) \
	$(AM_CFLAGS) $(CFLAGS) $(AM_LDFLAGS) $(LDFLAGS)
tests/fuzz/%.replay: $(srcdir)/tests/fuzz/fuzz_%.c \
    $(srcdir)/tests/fuzz/replay_main.c $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_LINK) -o $@ $(srcdir)/tests/fuzz/fuzz_$*.c \
	    $(srcdir)/tests/fuzz/replay_main.c $(LIBSHIM) $(LIBS)
check_SCRIPTS += $(FUZZ_REPLAYS)
CLEANFILES += $(FUZZ_REPLAYS)
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz.h tests/fuzz/replay_main.c \
	tests/fuzz/smtp_data_wire.h $(patsubst %,tests/fuzz/fuzz_%.c,$(FUZZ_TARGETS))
if ENABLE_FUZZERS
FUZZ_BINARIES = $(patsubst %,tests/fuzz/fuzz_%$(EXEEXT),$(FUZZ_TARGETS))
tests/fuzz/fuzz_%$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_$*.c $(LIBSHIM) $(LIBS)
all-local: $(FUZZ_BINARIES)
CLEANFILES += $(FUZZ_BINARIES)
endif
# Names of the libFuzzer binaries, for scripts/test.sh.
fuzz-list:
	@echo $(FUZZ_TARGETS)
.PHONY: fuzz-list

# ---- Tools the integration tests drive ------------------------------------
noinst_PROGRAMS += tests/tools/net_probe tests/tools/smtp_probe \
	tests/tools/pace_probe
tests_tools_net_probe_LDADD = $(LIBSMTPGATE)
tests_tools_smtp_probe_LDADD = $(LIBSMTPGATE)
tests_tools_pace_probe_LDADD = $(LIBSMTPGATE)

# ---- Integration tests: real servers, a real Postfix, real users ---------
dist_check_SCRIPTS += tests/cli/front_ends.sh tests/cli/layering.sh \
	tests/cli/milter_by_hand.sh \
	tests/integration/tls_client.sh tests/integration/smtp_client.sh \
	tests/integration/pace.sh \
	tests/integration/shim_send.sh tests/integration/shim_wire.sh \
	tests/integration/shim_smuggle.sh tests/integration/mailname.sh \
	tests/integration/shim_settings.sh tests/integration/shim_test_mail.sh \
	tests/integration/bulk.sh tests/integration/shim_rules.sh \
	tests/integration/queue.sh tests/integration/queue_crash.sh \
	tests/integration/oauth2.sh \
	tests/integration/limits.sh tests/integration/privileges.sh \
	tests/integration/oauth2_setgid.sh \
	tests/integration/check_config_root.sh \
	tests/integration/postfix_relay.sh tests/integration/milter_postfix.sh \
	tests/integration/miltertest.sh tests/integration/milter_local.sh
EXTRA_DIST += tests/integration/lib.sh tests/integration/smtpd.py \
	tests/integration/oauth2_server.py \
	tests/integration/postfix.sh tests/integration/miltertest \
	tests/integration/milter_client.py tests/install/deb_install.sh

TESTS = $(check_PROGRAMS) $(FUZZ_REPLAYS) $(dist_check_SCRIPTS)
