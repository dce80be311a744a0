-- from_must_match_login = rewrite: the header change requests.
dofile(dir .. "/common.lua")
local conn = connect()

-- {auth_authen} set: From becomes the login, display name kept; the old
-- From goes to Reply-To (there is none) and X-Original-From.
local r = message(conn, { auth = "alice@example.org", from = "<eve@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Eve <eve@example.org>" }, { "Subject", "s" } } })
check("auth set: continue", r == SMFIR_CONTINUE)
check("auth set: From changed to the login, display name kept",
	mt.eom_check(conn, MT_HDRCHANGE, "From", "Eve <alice@example.org>"))
check("auth set: Reply-To added with the original From",
	mt.eom_check(conn, MT_HDRADD, "Reply-To", "Eve <eve@example.org>"))
check("auth set: X-Original-From added",
	mt.eom_check(conn, MT_HDRADD, "X-Original-From", "Eve <eve@example.org>"))
-- mt.getheader() counts from 0 (miltertest 1.6.0).
check("auth set: exactly one Reply-To added", mt.getheader(conn, "Reply-To", 0) ~= nil
	and mt.getheader(conn, "Reply-To", 1) == nil)
check("auth set: Subject untouched", not mt.eom_check(conn, MT_HDRCHANGE, "Subject"))

-- A message with its own Reply-To keeps it.
r = message(conn, { auth = "alice@example.org", from = "<eve@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Eve <eve@example.org>" },
		{ "Reply-To", "answers@example.net" } } })
check("own Reply-To: continue", r == SMFIR_CONTINUE)
check("own Reply-To: From changed", mt.eom_check(conn, MT_HDRCHANGE, "From",
	"Eve <alice@example.org>"))
check("own Reply-To: no Reply-To added", not mt.eom_check(conn, MT_HDRADD, "Reply-To"))
check("own Reply-To: not changed", not mt.eom_check(conn, MT_HDRCHANGE, "Reply-To"))

-- {auth_authen} absent: the login is the relay's username.
r = message(conn, { from = "<app@example.org>", rcpts = { "<x@example.net>" },
	headers = { { "From", "App <app@example.org>" } } })
check("auth absent: continue", r == SMFIR_CONTINUE)
check("auth absent: From changed to the relay login",
	mt.eom_check(conn, MT_HDRCHANGE, "From", "App <noreply@example.org>"))
check("auth absent: X-Original-From added",
	mt.eom_check(conn, MT_HDRADD, "X-Original-From", "App <app@example.org>"))

-- Already the login: nothing to do.
r = message(conn, { auth = "alice@example.org", from = "<alice@example.org>",
	rcpts = { "<x@example.net>" }, headers = { { "From", "alice@example.org" } } })
check("matching: continue", r == SMFIR_CONTINUE)
check("matching: no header change", not mt.eom_check(conn, MT_HDRCHANGE))
check("matching: no header added", not mt.eom_check(conn, MT_HDRADD))

-- A From that cannot be parsed cannot be rewritten: refused, not passed.
r = message(conn, { auth = "alice@example.org", from = "<alice@example.org>",
	rcpts = { "<x@example.net>" }, headers = { { "From", "<<<@@>>>" } } })
check("unparsable From: 550 5.7.1 saying why",
	r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
	"cannot check the From header against login <alice@example.org>: missing local part at offset 1"))

mt.disconnect(conn)
finish()
