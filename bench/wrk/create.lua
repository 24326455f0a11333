-- POST a JSON body, each request with its own Idempotency-Key.
-- args: PATH BODY_FILE KEY_PREFIX [BEARER_KEY]
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "stats.lua")

local path, body, prefix, headers
local n = 0

function init(args)
   path, prefix = args[1], args[3] .. "-" .. tid
   local f = assert(io.open(args[2], "rb"))
   body = f:read("*a")
   f:close()
   headers = {["Content-Type"] = "application/json"}
   if args[4] then headers["Authorization"] = "Bearer " .. args[4] end
end

function request()
   count_sent()
   n = n + 1
   headers["Idempotency-Key"] = prefix .. "-" .. n
   return wrk.format("POST", path, headers, body)
end
