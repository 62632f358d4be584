-- wrk script: the front desk's returning-customer check for random phones, half of them known.
local token = os.getenv("ANCHANG_TOKEN")
local customers = tonumber(os.getenv("CUSTOMERS") or "1000000")
math.randomseed(42)

request = function()
  local n = math.random(0, customers * 2 - 1) -- the upper half are unknown phones
  local phone = string.format("185%08d", n)
  return wrk.format("GET", "/api/v1/projects/1/visits/lookup?phone=" .. phone, {["Authorization"] = "Bearer " .. token})
end
