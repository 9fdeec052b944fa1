"""Crash safety (#12): every request a client saw answered 200 has its ledger row after `kill -9`."""

import signal
import sqlite3
import threading
import time

import openai

from conftest import MASTER_KEY, Gateway


def create_key(base_url: str, credits: str) -> tuple[str, str]:
    import json
    import urllib.request

    request = urllib.request.Request(
        base_url.removesuffix("/v1") + "/admin/keys",
        data=json.dumps({"name": "crash", "credits": credits}).encode(),
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        created = json.loads(response.read())
    return created["id"], created["key"]


def test_kill_9_under_load_loses_no_served_request(tmp_path, upstream):
    gateway = Gateway(tmp_path, upstream.port)
    key_id, key = create_key(gateway.base_url, "100.00")
    served: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int):
        client = openai.OpenAI(base_url=gateway.base_url, api_key=key, max_retries=0, timeout=10)
        n = 0
        while not stop.is_set():
            n += 1
            try:
                if (worker + n) % 3 == 0:
                    raw = client.chat.completions.with_raw_response.create(
                        model="mini", messages=[{"role": "user", "content": f"hi {worker} {n}"}], stream=True,
                        stream_options={"include_usage": True},
                    )
                    for _ in raw.parse():
                        pass
                else:
                    raw = client.chat.completions.with_raw_response.create(
                        model="mini", messages=[{"role": "user", "content": f"hi {worker} {n}"}]
                    )
                    raw.parse()
            except Exception:  # noqa: BLE001 - the process is killed under these requests
                continue
            if raw.http_response.status_code == 200:
                with lock:
                    served.append(raw.headers["x-request-id"])

    workers = [threading.Thread(target=load, args=(i,)) for i in range(12)]
    for worker in workers:
        worker.start()
    time.sleep(2.0)
    gateway.process.send_signal(signal.SIGKILL)
    gateway.process.wait(timeout=10)
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    gateway.log.close()
    assert len(served) > 50, f"too little load to prove anything: {len(served)}"

    # The restarted gateway replays its journal into the store before it serves.
    restarted = Gateway(tmp_path, upstream.port)
    try:
        database = sqlite3.connect(tmp_path / "switchyard.db")
        rows = dict(database.execute("SELECT request_id, cost_nanos FROM ledger WHERE key_id = ?", (key_id,)).fetchall())
        missing = [request_id for request_id in served if request_id not in rows]
        assert not missing, f"{len(missing)} of {len(served)} served requests have no ledger row"
        (credits,) = database.execute("SELECT credits_nanos FROM virtual_keys WHERE id = ?", (key_id,)).fetchone()
        assert credits == 100_000_000_000 - sum(rows.values()), "each row charged exactly once"
        assert "ledger journal replayed" in restarted.log_text()
    finally:
        restarted.stop()
