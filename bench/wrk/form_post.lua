-- POST / with a form that fails validation (no content, no consent), as anonymous browsers would: each request
-- uses one of the sessions in SESSIONS_FILE (lines "COOKIE<TAB>CSRF_TOKEN", from a GET / each).
-- args: SESSIONS_FILE BODY_FILE   (BODY_FILE holds the form fields without the token)
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "stats.lua")

local sessions = {}
local body
local i = 0

function init(args)
   for _, line in ipairs(load_lines(args[1])) do
      local cookie, token = line:match("^([^\t]+)\t(.+)$")
      table.insert(sessions, {cookie = cookie, token = token})
   end
   local f = assert(io.open(args[2], "rb"))
   body = f:read("*a")
   f:close()
   i = tid % #sessions
end

function request()
   count_sent()
   i = i % #sessions + 1
   local s = sessions[i]
   return wrk.format("POST", "/", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = s.cookie,
   }, "csrf_token=" .. s.token .. "&" .. body)
end
