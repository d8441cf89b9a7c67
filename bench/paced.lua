-- wrk script for a paced load (scripts/bench-lib.sh, PAUSE_MS): each connection waits PAUSE_MS after an answer
-- before it sends its next request, so latency is measured at a steady rate below saturation instead of at the
-- queue a closed loop of connections builds up.
local pause = tonumber(os.getenv("PAUSE_MS"))
function delay() return pause end
