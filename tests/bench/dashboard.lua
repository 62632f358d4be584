-- wrk script: one dashboard's URL (DASHBOARD, a path with its query) as the user of ANCHANG_TOKEN.
local token = os.getenv("ANCHANG_TOKEN")
local path = os.getenv("DASHBOARD")

request = function()
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
