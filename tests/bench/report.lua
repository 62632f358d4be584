-- wrk script: every request reports a new customer through the broker portal (a phone nobody has
-- reported), as agent1 does. The token comes from the environment.
local counter = 0
local token = os.getenv("ANCHANG_TOKEN")
local offset = tonumber(os.getenv("PHONE_OFFSET") or "0")
local expected = (os.time() + 3 * 3600) * 1000

request = function()
  counter = counter + 1
  local body = string.format('{"customer_name":"压测客户","phone":"187%08d","expected_visit_at":%d}', offset + counter, expected)
  return wrk.format("POST", "/api/v1/projects/1/channel/reports",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status ~= 201 then io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n") end
end
