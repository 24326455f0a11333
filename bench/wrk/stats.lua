-- Shared by every scenario script (loaded with dofile): counts requests sent and answers by status in each
-- wrk thread, and at the end prints one line "BENCHJSON {...}" that bench/run.py reads.
--
-- wrk's latency figures only cover answered requests. A request still unanswered when wrk stops was sent at or
-- before its thread's last request() call, so "stop time - last request()" is a lower bound on its age:
-- `unanswered_for_s` reports it (the largest over the threads that had a request unanswered), which shows a
-- server that stopped answering even when the few answered requests were fast.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")
local function now()
   ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

sent = 0
received = 0
last_sent_at = 0
statuses = {}

function count_sent()
   sent = sent + 1
   last_sent_at = now()
end

function response(status, headers, body)
   received = received + 1
   statuses[status] = (statuses[status] or 0) + 1
end

local function read_lines(path)
   local lines = {}
   for line in io.lines(path) do
      if line ~= "" then table.insert(lines, line) end
   end
   assert(#lines > 0, "no lines in " .. path)
   return lines
end
load_lines = read_lines

local function json_object(t)
   local parts = {}
   for k, v in pairs(t) do
      table.insert(parts, string.format("%q:%s", tostring(k), type(v) == "table" and json_object(v) or tostring(v)))
   end
   return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
   local stopped_at = now()
   local total_sent, total_received, by_status, unanswered_for = 0, 0, {}, 0
   for _, thread in ipairs(threads) do
      local thread_sent, thread_received = thread:get("sent"), thread:get("received")
      total_sent = total_sent + thread_sent
      total_received = total_received + thread_received
      if thread_sent > thread_received then
         unanswered_for = math.max(unanswered_for, stopped_at - thread:get("last_sent_at"))
      end
      for status, n in pairs(thread:get("statuses")) do
         by_status[status] = (by_status[status] or 0) + n
      end
   end
   local ms = function(us) return string.format("%.3f", us / 1000) end
   io.write("BENCHJSON ", json_object({
      requests = summary.requests,
      duration_s = string.format("%.3f", summary.duration / 1e6),
      bytes = summary.bytes,
      sent = total_sent,
      received = total_received,
      unanswered_for_s = string.format("%.3f", unanswered_for),
      socket_errors = {
         connect = summary.errors.connect, read = summary.errors.read,
         write = summary.errors.write, timeout = summary.errors.timeout,
      },
      statuses = by_status,
      latency_ms = {
         p50 = ms(latency:percentile(50)), p90 = ms(latency:percentile(90)), p95 = ms(latency:percentile(95)),
         p99 = ms(latency:percentile(99)), p999 = ms(latency:percentile(99.9)),
         max = ms(latency.max), mean = ms(latency.mean), stdev = ms(latency.stdev),
      },
   }), "\n")
end
