-- wrk script: optional Cookie header from the environment, and one JSON line of results.
local cookie = os.getenv("BENCH_COOKIE")

init = function(args)
    if cookie and cookie ~= "" then
        wrk.headers["Cookie"] = cookie
    end
    wrk.headers["Accept-Encoding"] = "identity"
end

done = function(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        'BENCH_RESULT {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, '
            .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "bytes": %d}\n',
        summary.requests, summary.duration, errors.connect, errors.read, errors.write,
        errors.status, errors.timeout, latency:percentile(50), latency:percentile(95),
        summary.bytes
    ))
end
