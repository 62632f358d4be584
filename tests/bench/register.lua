-- wrk script: every request registers a new visitor (a phone nobody has used), as the front
-- desk does all day. The token comes from the environment.
local counter = 0
local token = os.getenv("ANCHANG_TOKEN")
local offset = tonumber(os.getenv("PHONE_OFFSET") or "0")

request = function()
  counter = counter + 1
  local phone = string.format("186%08d", offset + counter)
  local body = '{"phone":"' .. phone .. '","name":"压测客户","questionnaire":{"layout":"三室两厅两卫","budget":"300-500万"}}'
  return wrk.format("POST", "/api/v1/projects/1/visits",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status ~= 201 and status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
