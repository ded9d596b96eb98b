-- bench/list-miss.lua — wrk script for bench/api-list.sh: the overdue list
-- where every request misses the answer cache.  Each request asks
-- for the page after a different keyset position (the first page's last due
-- date, a random id), so no two requests share a cache key; the page costs
-- what any page of the list costs (an index range of 51 rows).
--   LIST_PATH   the list's path and query, without a cursor
--   CURSOR_KEY  the due date (day number) of the cursor
--   CURSOR_FILTER  the filter the cursor is bound to (the 8 hex digits that
--               end the first page's next_cursor; without them every
--               request is a 400)
local path = os.getenv("LIST_PATH")
local key = os.getenv("CURSOR_KEY")
local filter = os.getenv("CURSOR_FILTER")

math.randomseed(os.time())

request = function()
  local id = math.random(1, 1000000000)
  return wrk.format("GET", path .. "&cursor=i0." .. key .. "." .. id .. "." .. filter)
end
