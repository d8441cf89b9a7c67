-- wrk script for a paced load (bench/lib.sh, PAUSE_MS): after each answer a connection waits a random time,
-- exponentially distributed with mean PAUSE_MS, before it sends its next request. The connections' requests then
-- arrive independently of each other (a Poisson stream, like many callers), so latency is measured at a steady rate
-- below saturation instead of at the queue a closed loop builds up. A fixed pause would not do: the connections
-- start together and stay in step, and every wave of them queues behind itself.
local pause = tonumber(os.getenv("PAUSE_MS"))
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init()
  math.randomseed(os.time() * 1000 + seed)
end

function delay()
  return math.floor(-pause * math.log(1 - math.random()))
end
