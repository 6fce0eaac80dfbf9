-- wrk script: requests the API paths listed in the file named by $CFI_QUERIES, in turn, and
-- counts answers that are not 2xx (wrk's own "Non-2xx" line says the same).
local paths = {}
local i = 0

init = function(args)
  local file = assert(io.open(os.getenv("CFI_QUERIES"), "r"))
  for line in file:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  file:close()
  -- Each wrk thread starts at a different place in the list.
  i = math.random(#paths)
end

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
