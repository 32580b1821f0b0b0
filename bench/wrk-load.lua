-- The requests of one bench run under wrk (started by bench/wrk.mjs, which reads what `done` prints):
--   wrk -t1 -c C -d S -s bench/wrk-load.lua URL -- FILE MODE AMOUNT
-- FILE: its first line is the Authorization header's value (empty for none), then one JSON request
-- body a line. Every body is made into its request once, in `init`, before wrk starts its clock, so
-- a request costs the generator a table read, in every row alike.
-- MODE "cycle": the bodies round-robin. MODE "distinct": each body once, in the file's order, and
-- never again; a run that gets to the end of them stops, says so, and bench/load.mjs fails it.
-- AMOUNT > 0: exactly AMOUNT requests are sent; the run stops once all are answered.
-- This script runs in two Lua states: the thread's (init, request, delay, response) and wrk's main
-- one (setup, done), which reads the thread's globals below through `thread:get`.

local requests = {}
local count = 0
local index = 0
local distinct = false
-- What the run holds in store once the distinct bodies are used up: an empty body, which the
-- server refuses (it is never a repeat of a body sent before).
local spent
-- wrk calls `request` once right after `init` to check that it parses; that request is never sent.
local checked = false

-- Read by `done`: the bodies in the file, how many were sent, and 1 once the distinct ones were used up.
bodies = 0
sent = 0
exhausted = 0

local function say(line)
   io.write(line, "\n")
   io.stdout:flush()
end

function init(args)
   local file = assert(io.open(args[1], "r"))
   local headers = { ["Content-Type"] = "application/json" }
   local authorization = file:read("*l")
   if authorization ~= "" then headers["Authorization"] = authorization end
   for body in file:lines() do
      count = count + 1
      requests[count] = wrk.format("POST", nil, headers, body)
   end
   file:close()
   bodies = count
   spent = wrk.format("POST", nil, headers, "")
   distinct = args[2] == "distinct"
   local amount = tonumber(args[3])
   if amount > 0 then
      -- wrk asks `delay` before each request: the first AMOUNT get none, the others wait past the
      -- run's end. Counting here, not in `request`, keeps connections from overshooting together.
      local granted = 0
      local answered = 0
      delay = function()
         if granted < amount then
            granted = granted + 1
            return 0
         end
         return 24 * 3600 * 1000
      end
      response = function()
         answered = answered + 1
         if answered == amount then
            say("wrk-load: amount answered")
            wrk.thread:stop()
         end
      end
   end
end

function request()
   if not checked then
      checked = true
      return requests[1]
   end
   if distinct then
      if index == count then
         if exhausted == 0 then
            exhausted = 1
            say("wrk-load: distinct bodies used up")
            wrk.thread:stop()
         end
         return spent
      end
      index = index + 1
   else
      index = index % count + 1
   end
   sent = sent + 1
   return requests[index]
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- One JSON line: counts, errors (status: answers of 400 and above, the only ones wrk counts), and
-- latency in µs.
function done(summary, latency)
   local thread = threads[1]
   local e = summary.errors
   say(string.format(
      '{"requests":%d,"duration":%d,"errors":{"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
      '"latency":{"mean":%.3f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},"sent":%d,"bodies":%d,"exhausted":%s}',
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max,
      thread:get("sent"), thread:get("bodies"), thread:get("exhausted") == 1 and "true" or "false"))
end
