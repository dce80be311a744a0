-- SIGHUP reload with a message in flight: the message finishes under the
-- configuration it started with, the next one gets the new one, and a
-- broken file leaves the running configuration in force.
dofile(dir .. "/common.lua")
local conn = connect()

local function read(path)
	local f = assert(io.open(path, "r"))
	local t = f:read("a")
	f:close()
	return t
end
local function write(path, text)
	local f = assert(io.open(path, "w"))
	f:write(text)
	f:close()
end
local function hup()
	local pid = read(pidfile):match("%d+")
	os.execute("kill -HUP " .. pid)
	mt.sleep(1)
end
local original = read(conf)

-- Message A starts under the old configuration (no redirect).
must("A macros", mt.macro(conn, SMFIC_MAIL, "i", "QA"))
must("A mailfrom", mt.mailfrom(conn, "<app@example.org>"))
must("A rcptto", mt.rcptto(conn, "<customer@example.net>"))
must("A header", mt.header(conn, "Subject", "invoice"))

-- The configuration turns redirect on while A is in flight.
write(conf, original .. "\n[redirect]\nenabled = yes\nsubject_prefix = [NEW]\n" ..
	"[report qa@example.org]\n")
hup()
must("A eom", mt.eom(conn))
check("in flight: A finishes", mt.getreply(conn) == SMFIR_CONTINUE)
check("in flight: A is not redirected (old configuration)",
	not mt.eom_check(conn, MT_RCPTADD, "qa@example.org"))
check("in flight: A's Subject untouched", not mt.eom_check(conn, MT_HDRCHANGE, "Subject"))

-- Message B, after the reload: redirected.
local r = message(conn, { qid = "QB", from = "<app@example.org>",
	rcpts = { "<customer@example.net>" }, headers = { { "Subject", "invoice" } } })
check("after reload: B continues", r == SMFIR_CONTINUE)
check("after reload: B goes to the report address",
	mt.eom_check(conn, MT_RCPTADD, "qa@example.org"))
check("after reload: B's Subject prefixed",
	mt.eom_check(conn, MT_HDRCHANGE, "Subject", "[NEW] invoice"))

-- A broken file: refused, the running (redirect) configuration stays.
write(conf, original .. "\n[redirect]\nenabled = maybe\n")
hup()
r = message(conn, { qid = "QC", from = "<app@example.org>",
	rcpts = { "<customer@example.net>" }, headers = { { "Subject", "x" } } })
check("broken reload: C still follows the running configuration",
	mt.eom_check(conn, MT_RCPTADD, "qa@example.org"))
finish()
