-- wrk script: POST a small chat completion request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-sy-bench-master"
wrk.body = '{"model":"mini","messages":[{"role":"user","content":"Hello!"}],"max_tokens":16}'
