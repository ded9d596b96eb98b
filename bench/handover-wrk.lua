-- handover-wrk.lua: wrk's side of bench/handover.sh — POST /case--registrations
-- straight to an amili-sandbox, each request a new invoice number (thread id
-- and a counter), the same body Påminn sends.  Environment: BENCH_TOKEN,
-- BENCH_ACCOUNT, BENCH_CREDITOR.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-API-Key"] = os.getenv("BENCH_TOKEN")
end

function request()
  counter = counter + 1
  local number = string.format("W%d-%d", tid, counter)
  local body = string.format(
    '{"account":"%s","creditor":"%s","first_action":"reminder","currency":"SEK",' ..
    '"customer":{"name":"Anna Andersson","id_number":"198112189876","is_company":false,' ..
    '"address":{"address_line_1":"Storgatan 1","zip_code":"722 15","city":"Västerås","country":"SE"},' ..
    '"email":"anna@example.se"},"debts":[{"invoice_number":"%s","debt_description":"Faktura %s",' ..
    '"invoice_date":"Tue, 01 Apr 2025 00:00:00 GMT","capital_to_claim":1250.0,' ..
    '"invoice_due_days_after_invoice_date":30}]}',
    os.getenv("BENCH_ACCOUNT"), os.getenv("BENCH_CREDITOR"), number, number)
  return wrk.format(nil, "/case--registrations", nil, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("WRK requests=%d non2xx=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, non2xx, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
