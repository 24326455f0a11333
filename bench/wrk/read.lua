-- GET a path; "{code}" in it is replaced by the codes of CODES_FILE in turn (each thread starts elsewhere).
-- args: PATH [CODES_FILE] [BEARER_KEY]
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "stats.lua")

local path, codes, headers
local i = 0

function init(args)
   path = args[1]
   if args[2] and args[2] ~= "" then
      codes = load_lines(args[2])
      i = (tid * 7919) % #codes
   end
   headers = {}
   if args[3] then headers["Authorization"] = "Bearer " .. args[3] end
end

function request()
   count_sent()
   if not codes then return wrk.format("GET", path, headers) end
   i = i % #codes + 1
   return wrk.format("GET", (path:gsub("{code}", codes[i])), headers)
end
