-- wrk script for bench/keyflood.sh: every request carries a new, well-formed, made-up X-API-Key ("tp_" and 43
-- characters, the shape of the keys token-api issues), as a caller guessing keys would send them.
local threads = 0
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init()
  math.randomseed(os.time() * 1000 + seed)
end

function request()
  local key = {"tp_"}
  for i = 1, 43 do
    local at = math.random(1, #alphabet)
    key[#key + 1] = alphabet:sub(at, at)
  end
  return wrk.format(nil, nil, { ["X-API-Key"] = table.concat(key) })
end
