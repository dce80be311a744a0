-- A bare CR (or a line break not before WSP) inside a header value from the
-- MTA: the next hop may read a header line starting there, so the milter
-- replaces the field with what the policy judged, the break a space.
dofile(dir .. "/common.lua")
local conn = connect()

must("negotiate", mt.negotiate(conn, nil, nil, nil))

local r = message(conn, { auth = "alice@example.org", from = "<alice@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Alice <alice@example.org>" },
		{ "Subject", "x\rFrom: \"CEO\" <ceo@example.org>" } } })
check("smuggled From in a Subject: continue (the real From is the login)",
	r == SMFIR_CONTINUE)
check("smuggled From: the Subject is replaced, the CR a space",
	mt.eom_check(conn, MT_HDRCHANGE, "Subject", "x From: \"CEO\" <ceo@example.org>"))
check("smuggled From: no From change", not mt.eom_check(conn, MT_HDRCHANGE, "From"))

r = message(conn, { auth = "alice@example.org", from = "<alice@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Alice <alice@example.org>" },
		{ "Subject", "y\r\nReply-To: e@evil.example" } } })
check("smuggled Reply-To: continue", r == SMFIR_CONTINUE)
check("smuggled Reply-To: the Subject is replaced",
	mt.eom_check(conn, MT_HDRCHANGE, "Subject", "y  Reply-To: e@evil.example"))
check("smuggled Reply-To: the configured Reply-To is added",
	mt.eom_check(conn, MT_HDRADD, "Reply-To", "\"Help desk\" <help@example.org>"))

r = message(conn, { auth = "alice@example.org", from = "<alice@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Alice <alice@example.org>" },
		{ "Subject", "folded\r\n\tas libmilter passes it" } } })
check("a fold is no break: continue", r == SMFIR_CONTINUE)
check("a fold is no break: the Subject is left alone",
	not mt.eom_check(conn, MT_HDRCHANGE, "Subject"))

mt.disconnect(conn)
finish()
