-- Shared by the miltertest scripts (loaded with dofile): connection set-up
-- and one "ok: ..." / "FAIL: ..." line per assertion.  The milter is
-- started by tests/integration/miltertest.sh, which passes -D port=PORT.
nfail = 0

function check(name, cond)
	if cond then
		print("ok: " .. name)
	else
		print("FAIL: " .. name)
		nfail = nfail + 1
	end
end

function must(name, err)	-- a miltertest call that returns nil on success
	if err ~= nil then
		print("FAIL: " .. name .. ": " .. tostring(err))
		nfail = nfail + 1
	end
end

function connect()
	local conn = mt.connect("inet:" .. port .. "@127.0.0.1", 50, 0.1)
	if conn == nil then
		error("cannot connect to the milter on port " .. port)
	end
	return conn
end

-- message(conn, {auth=..., qid=..., from=..., rcpts={...}, headers={{n, v}...}})
-- runs one transaction up to and including end of message.
function message(conn, m)
	local macros = { "i", m.qid or "TESTQID" }
	if m.auth ~= nil then
		table.insert(macros, "{auth_authen}")
		table.insert(macros, m.auth)
	end
	must("macros", mt.macro(conn, SMFIC_MAIL, table.unpack(macros)))
	must("mailfrom", mt.mailfrom(conn, m.from))
	for _, r in ipairs(m.rcpts) do
		must("rcptto " .. r, mt.rcptto(conn, r))
	end
	for _, h in ipairs(m.headers or {}) do
		must("header " .. h[1], mt.header(conn, h[1], h[2]))
	end
	must("eom", mt.eom(conn))
	return mt.getreply(conn)
end

function finish()
	if nfail > 0 then
		error(nfail .. " assertion(s) failed")
	end
end
