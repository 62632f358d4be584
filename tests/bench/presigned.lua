-- wrk script: replays requests prepared beforehand, one per line, tab-separated:
--   path, Authorization (or -), X-Anchang-Key, X-Anchang-Timestamp, X-Anchang-Nonce,
--   X-Anchang-Signature (or - for each), body
-- — signed agency API calls, or registrations carrying report codes — so that wrk measures the
-- server, not the signing. The file comes from REQUESTS; each line is sent once (then again from
-- the top, which a replay-proof API refuses: prepare enough lines for the run).
local lines = {}
local sent = 0

init = function(args)
  for line in io.lines(os.getenv("REQUESTS")) do lines[#lines + 1] = line end
end

request = function()
  sent = sent + 1
  local f = {}
  for part in (lines[((sent - 1) % #lines) + 1] .. "\t"):gmatch("(.-)\t") do f[#f + 1] = part end
  local headers = {["Content-Type"] = "application/json"}
  if f[2] ~= "-" then headers["Authorization"] = f[2] end
  if f[3] ~= "-" then
    headers["X-Anchang-Key"] = f[3]
    headers["X-Anchang-Timestamp"] = f[4]
    headers["X-Anchang-Nonce"] = f[5]
    headers["X-Anchang-Signature"] = f[6]
  end
  return wrk.format("POST", f[1], headers, f[7])
end

response = function(status, headers, body)
  if status ~= 201 and status ~= 200 then io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n") end
end
