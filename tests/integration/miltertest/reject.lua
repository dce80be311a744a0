-- from_must_match_login = reject, with {auth_authen} set and absent.
dofile(dir .. "/common.lua")
local conn = connect()

must("negotiate", mt.negotiate(conn, nil, nil, nil))
check("negotiation: no connect step", mt.test_option(conn, SMFIP_NOCONNECT))
check("negotiation: no HELO step", mt.test_option(conn, SMFIP_NOHELO))
check("negotiation: no body", mt.test_option(conn, SMFIP_NOBODY))
-- Over TCP the milter asks for a reply per event: see milter_negotiate().
check("negotiation: replies per event over TCP", not mt.test_option(conn, SMFIP_NR_RCPT))
check("negotiation: may change the sender", mt.test_action(conn, SMFIF_CHGFROM))
check("negotiation: may delete recipients", mt.test_action(conn, SMFIF_DELRCPT))

local from_alice = { { "From", "Alice <alice@example.org>" }, { "Subject", "s" } }

-- {auth_authen} set: the AUTH identity is the login.
local r = message(conn, { auth = "alice@example.org", from = "<eve@example.org>",
	rcpts = { "<x@example.net>" }, headers = from_alice })
check("auth set, envelope mismatch: reply code", r == SMFIR_REPLYCODE)
check("auth set, envelope mismatch: 550 5.7.1 naming sender and login",
	mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
	"<eve@example.org>: sender does not match login <alice@example.org>"))
check("auth set, envelope mismatch: no edits", not mt.eom_check(conn, MT_HDRCHANGE)
	and not mt.eom_check(conn, MT_HDRADD)
	and not mt.eom_check(conn, MT_RCPTDELETE, "<x@example.net>"))

r = message(conn, { auth = "alice@example.org", from = "<alice@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Eve <eve@example.org>" }, { "Subject", "s" } } })
check("auth set, From mismatch: 550 5.7.1 naming From",
	r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
	"<eve@example.org>: From does not match login <alice@example.org>"))

r = message(conn, { auth = "alice@example.org", from = "<alice@example.org>",
	rcpts = { "<x@example.net>" }, headers = from_alice })
check("auth set, alice as herself: continue", r == SMFIR_CONTINUE)
check("auth set, alice as herself: no header change", not mt.eom_check(conn, MT_HDRCHANGE))
check("auth set, alice as herself: no header added", not mt.eom_check(conn, MT_HDRADD))

r = message(conn, { auth = "bob@example.org", from = "<sales@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Sales <sales@example.org>" } } })
check("auth bob, sales@ (his account's senders): continue", r == SMFIR_CONTINUE)

r = message(conn, { auth = "alice@example.org", from = "<sales@example.org>",
	rcpts = { "<x@example.net>" },
	headers = { { "From", "Sales <sales@example.org>" } } })
check("auth alice, sales@ (bob's senders): 550",
	r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
	"<sales@example.org>: sender does not match login <alice@example.org>"))

-- {auth_authen} absent: the login is the relay's username...
r = message(conn, { from = "<eve@example.org>", rcpts = { "<x@example.net>" },
	headers = { { "From", "eve@example.org" } } })
check("auth absent, eve: 550 naming the relay login",
	r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
	"<eve@example.org>: sender does not match login <noreply@example.org>"))

r = message(conn, { from = "<noreply@example.org>", rcpts = { "<x@example.net>" },
	headers = { { "From", "App <noreply@example.org>" } } })
check("auth absent, the relay login itself: continue", r == SMFIR_CONTINUE)

-- ... or the username of the [account] whose senders include the sender,
-- also for a sender without angle brackets (Postfix's sendmail).
r = message(conn, { from = "sales@example.org", rcpts = { "x@example.net" },
	headers = { { "From", "sales@example.org" } } })
check("auth absent, bare sales@: bob's account login, continue", r == SMFIR_CONTINUE)

-- An empty {auth_authen} is no AUTH.
r = message(conn, { auth = "", from = "<alice@example.org>", rcpts = { "<x@example.net>" },
	headers = from_alice })
check("empty auth, alice: judged against the relay login, 550",
	r == SMFIR_REPLYCODE and mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1",
	"<alice@example.org>: sender does not match login <noreply@example.org>"))

mt.disconnect(conn)
finish()
