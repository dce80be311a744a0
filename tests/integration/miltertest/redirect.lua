-- redirect and exclude: the recipient and header change requests.
dofile(dir .. "/common.lua")
local conn = connect()

local r = message(conn, { from = "<app@example.org>",
	rcpts = { "<victim@real.example>", "<user@keep.example>", "<VICTIM2@REAL.EXAMPLE>",
		"<\"a@b\"@keep.example>", "<a%real.example@keep.example>",
		"<@keep.example:victim4@real.example>", "<robot@example.org>" },
	headers = { { "From", "app@example.org" }, { "Subject", "hello" } } })
check("redirect: continue", r == SMFIR_CONTINUE)
check("redirect: outside recipient deleted",
	mt.eom_check(conn, MT_RCPTDELETE, "<victim@real.example>"))
check("redirect: upper-case recipient deleted",
	mt.eom_check(conn, MT_RCPTDELETE, "<VICTIM2@REAL.EXAMPLE>"))
check("redirect: quoted local part with @ deleted",
	mt.eom_check(conn, MT_RCPTDELETE, "<\"a@b\"@keep.example>"))
check("redirect: percent hack deleted",
	mt.eom_check(conn, MT_RCPTDELETE, "<a%real.example@keep.example>"))
check("redirect: source-routed recipient deleted as written",
	mt.eom_check(conn, MT_RCPTDELETE, "<@keep.example:victim4@real.example>"))
check("redirect: ... and as the MTA stores it, without the route",
	mt.eom_check(conn, MT_RCPTDELETE, "<victim4@real.example>"))
check("exclude: excluded recipient deleted",
	mt.eom_check(conn, MT_RCPTDELETE, "<robot@example.org>"))
check("redirect: keep not deleted",
	not mt.eom_check(conn, MT_RCPTDELETE, "<user@keep.example>"))
check("redirect: enabled report added", mt.eom_check(conn, MT_RCPTADD, "qa@example.org"))
check("redirect: switched-off report not added",
	not mt.eom_check(conn, MT_RCPTADD, "off@example.org"))
check("redirect: subject prefixed",
	mt.eom_check(conn, MT_HDRCHANGE, "Subject", "[TEST] hello"))
check("redirect: X-Original-To for a redirected recipient",
	mt.eom_check(conn, MT_HDRADD, "X-Original-To", "victim@real.example"))
check("redirect: X-Original-To for a kept recipient",
	mt.eom_check(conn, MT_HDRADD, "X-Original-To", "user@keep.example"))
check("redirect: no X-Original-To for the excluded recipient",
	not mt.eom_check(conn, MT_HDRADD, "X-Original-To", "robot@example.org"))
-- mt.getheader() counts from 0 (miltertest 1.6.0), whatever its man page says.
local n = 0
while mt.getheader(conn, "X-Original-To", n) ~= nil do
	n = n + 1
end
check("redirect: one X-Original-To per recipient not excluded (6, got " .. n .. ")", n == 6)

-- A reply that already has the prefix keeps one.
r = message(conn, { from = "<app@example.org>", rcpts = { "<x@real.example>" },
	headers = { { "Subject", "Re: [TEST] hello" } } })
check("reply: continue", r == SMFIR_CONTINUE)
check("reply: subject not prefixed again", not mt.eom_check(conn, MT_HDRCHANGE, "Subject"))
check("reply: redirected", mt.eom_check(conn, MT_RCPTDELETE, "<x@real.example>")
	and mt.eom_check(conn, MT_RCPTADD, "qa@example.org"))

-- Only excluded recipients: discard.
r = message(conn, { from = "<app@example.org>", rcpts = { "<robot@example.org>" },
	headers = { { "Subject", "s" } } })
check("exclude: no recipient left: discard", r == SMFIR_DISCARD)

mt.disconnect(conn)
finish()
