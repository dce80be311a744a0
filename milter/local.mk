# milter/: smtpgate-milter, libmilter glue only; every decision is lib/'s.
sbin_PROGRAMS += milter/smtpgate-milter
milter_smtpgate_milter_CPPFLAGS = $(LIB_CPPFLAGS)
milter_smtpgate_milter_SOURCES = milter/milter.h milter/milter_main.c \
	milter/milter_cb.c milter/milter_edits.h milter/milter_edits.c
milter_smtpgate_milter_LDADD = $(LIBSMTPGATE) $(MILTER_LIBS)
