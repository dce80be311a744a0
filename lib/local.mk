# lib/: libsmtpgate.a, what both programs use and neither owns.  Compiled
# with lib/ alone on the include path: a header of a program's directory
# is not found from here.
noinst_LIBRARIES += lib/libsmtpgate.a
lib_libsmtpgate_a_CPPFLAGS = $(LIB_CPPFLAGS)
lib_libsmtpgate_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
lib_libsmtpgate_a_SOURCES = \
	lib/util.h lib/util.c lib/str.h lib/str.c lib/strvec.h lib/strvec.c \
	lib/log.h lib/log.c \
	lib/ids.h lib/ids.c lib/base64.h lib/base64.c \
	lib/cfg.h lib/cfg_int.h lib/cfg_table.c lib/cfg_value.c \
	lib/cfg_preset.c lib/cfg_parse.c lib/cfg_check.c lib/cfg_dump.c \
	lib/cfg_secret.c lib/cfg_audit.c lib/cfg_holder.h lib/cfg_holder.c \
	lib/secret.h lib/secret.c \
	lib/addr.h lib/addr_int.h lib/addr.c lib/addr_lex.c lib/addr_parse.c \
	lib/addr_format.c lib/addr_cmp.c lib/rfc2047.h lib/rfc2047.c \
	lib/hdr.h lib/hdr_int.h lib/hdr_parse.c lib/hdr_edit.c lib/hdr_write.c \
	lib/smtp.h lib/smtp_reply.h lib/smtp_reply.c lib/dsn.h lib/dsn.c \
	lib/envelope.h lib/envelope.c \
	lib/policy.h lib/policy_int.h lib/policy.c lib/policy_login.c \
	lib/policy_header.c lib/policy_rcpt.c lib/policy_bulk.c \
	lib/policy_rule.c \
	lib/bulk.h lib/bulk.c \
	lib/net.h lib/net.c lib/tls.h lib/tls.c lib/tls_ossl.h lib/tls_ossl.c \
	lib/sasl.h lib/sasl.c lib/smtp_ehlo.c lib/smtp_data.h lib/smtp_data.c \
	lib/smtp_client.h lib/smtp_client.c lib/hint.h lib/hint.c \
	lib/pace.h lib/pace.c \
	lib/dynlib.h lib/dynlib.c lib/json.h lib/json.c lib/http.h lib/http.c \
	lib/oauth2.h lib/oauth2.c lib/oauth2_flow.c \
	lib/spool.h lib/spool_env.c lib/spool_fs.c lib/spool_space.c
