"""Three real `switchyard serve` replicas sharing one PostgreSQL and one Redis, driven by the
official openai SDK: limits, credits and key changes hold across the fleet, and nothing served is
lost when a replica is killed, PostgreSQL goes away, or Redis restarts."""

import json
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from conftest import BIN_DIR, MASTER_KEY, Gateway
from servers import PostgresServer, RedisServer

LEASE_SECONDS = 3

# `metered` costs exactly 0.01 USD a request when asked for max_tokens=10: the fake upstream answers
# 10 completion tokens, input is free, output 1000 USD per million tokens — so the reservation
# (max_tokens at the output price) equals the charge, and credits for K requests admit exactly K.
FLEET_CONFIG = """
server:
  host: 127.0.0.1
  master_key: ${{SWITCHYARD_MASTER_KEY}}
  shutdown_grace_seconds: 5
storage:
  url: "PG_URL"
  redis: "REDIS_URL"
  redis_lease_seconds: LEASE
  ledger_journal: "JOURNAL"
providers:
  fake: {{ type: openai-compatible, base_url: "http://127.0.0.1:{upstream}/v1", api_key: "${{UPSTREAM_KEY}}" }}
models:
  - name: metered
    targets: [ {{ provider: fake, model: gpt-4o-mini }} ]
    price: {{ input: 0, output: 1000 }}
  - name: hanging
    targets: [ {{ provider: fake, model: fault-hang }} ]
    price: {{ input: 0, output: 1000 }}
  - name: cached
    targets: [ {{ provider: fake, model: gpt-4o-mini }} ]
    price: {{ input: 0, output: 1000 }}
    cache: {{ ttl_seconds: 60, scope: global }}
routing: {{ retries: 0, timeout_seconds: 30 }}
"""


class Fleet:
    def __init__(self, tmp, upstream):
        self.tmp = tmp
        self.upstream = upstream
        self.redis = RedisServer(tmp)
        self.postgres = PostgresServer(tmp)
        self.database = self.postgres.create_database("fleet")
        self.replicas = [self.start(index) for index in range(3)]

    def config(self, index: int) -> str:
        return (FLEET_CONFIG.replace("PG_URL", self.database).replace("REDIS_URL", self.redis.url)
                .replace("LEASE", str(LEASE_SECONDS)).replace("JOURNAL", str(self.tmp / f"journal-{index}")))

    def start(self, index: int) -> Gateway:
        return Gateway(self.tmp, self.upstream.port, config=self.config(index))

    def stop(self) -> None:
        for replica in self.replicas:
            if replica.process.poll() is None:
                replica.stop()
        self.redis.kill()
        self.postgres.remove()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, upstream):
    running = Fleet(tmp_path_factory.mktemp("fleet"), upstream)
    yield running
    running.stop()


def admin(replica, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{replica.port}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def ask(replica, key: str, model: str = "metered", timeout: float = 30) -> int:
    """One chat completion through the SDK; the HTTP status it ended with (0: no answer at all)."""
    return answer(replica, key, model, timeout)[0]


def answer(replica, key: str, model: str = "metered", timeout: float = 30) -> tuple[int, str | None]:
    """One chat completion: its status and the gateway's request id (None without an answer)."""
    client = openai.OpenAI(base_url=replica.base_url, api_key=key, max_retries=0, timeout=timeout)
    try:
        raw = client.chat.completions.with_raw_response.create(
            model=model, max_tokens=10, messages=[{"role": "user", "content": "hi"}])
        raw.parse()
        return 200, raw.headers.get("x-request-id")
    except openai.APIStatusError as error:
        return error.status_code, error.response.headers.get("x-request-id")
    except openai.APIConnectionError:
        return 0, None


def spread(fleet_replicas, key: str, count: int, model: str = "metered") -> list[int]:
    """`count` concurrent requests, round-robin over the replicas."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda index: ask(fleet_replicas[index % len(fleet_replicas)], key, model), range(count)))


def usage_of(replica, key_id: str) -> dict:
    try:
        rows = {row["group"]: row for row in admin(replica, "GET", "/admin/usage?group_by=key")["data"]}
    except urllib.error.HTTPError as error:
        # Right after PostgreSQL comes back a replica may still answer 503 (retry-after): not yet.
        assert error.code == 503, error.code
        raise AssertionError("store not back yet") from error
    return rows.get(key_id, {"requests": 0, "cost_usd": "0"})


def eventually(check, seconds: float = 10.0, interval: float = 0.1):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(interval)


def test_credits_for_k_requests_admit_exactly_k_across_three_replicas(fleet):
    k = 10
    created = admin(fleet.replicas[0], "POST", "/admin/keys", {"name": "k-credits", "credits": "0.10"})
    statuses = spread(fleet.replicas, created["key"], 3 * k)
    assert statuses.count(200) == k, statuses
    assert statuses.count(402) == 2 * k, statuses

    def settled():
        assert admin(fleet.replicas[2], "GET", f"/admin/keys/{created['id']}")["credits"] == "0.00"
        row = usage_of(fleet.replicas[1], created["id"])
        assert row["requests"] == k and float(row["cost_usd"]) == pytest.approx(0.10)

    eventually(settled)


def test_an_rpm_limit_holds_across_three_replicas(fleet):
    created = admin(fleet.replicas[1], "POST", "/admin/keys", {"name": "rpm", "rpm": 5})
    statuses = spread(fleet.replicas, created["key"], 15)
    assert statuses.count(200) == 5, statuses
    assert statuses.count(429) == 10, statuses


def test_a_revocation_and_a_top_up_reach_every_replica_within_a_second(fleet):
    created = admin(fleet.replicas[0], "POST", "/admin/keys", {"name": "moving", "credits": "0.00"})
    eventually(lambda: _assert_status(ask(fleet.replicas[0], created["key"]), 402))
    eventually(lambda: _assert_status(ask(fleet.replicas[1], created["key"]), 402))

    admin(fleet.replicas[1], "POST", f"/admin/keys/{created['id']}/credits", {"amount": "1.00"})
    topped_up = time.monotonic()
    eventually(lambda: _assert_status(ask(fleet.replicas[0], created["key"]), 200), seconds=1.0, interval=0.05)
    assert time.monotonic() - topped_up < 1.0

    admin(fleet.replicas[0], "DELETE", f"/admin/keys/{created['id']}")
    revoked = time.monotonic()
    eventually(lambda: _assert_status(ask(fleet.replicas[2], created["key"]), 401), seconds=1.0, interval=0.05)
    assert time.monotonic() - revoked < 1.0


def test_the_cli_manages_keys_and_reads_usage_against_postgres_and_reaches_every_replica(fleet):
    replica = fleet.replicas[0]

    def cli(*args: str) -> str:
        result = subprocess.run(
            [str(BIN_DIR / "switchyard"), *args, "--config", str(replica.config)], capture_output=True, text=True,
            env={"PATH": "/usr/bin:/bin", "SWITCHYARD_MASTER_KEY": MASTER_KEY}, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    created = cli("keys", "create", "--name", "from-cli", "--credits", "0.00")
    key_id = re.search(r"^id:\s+(\S+)", created, re.M).group(1)
    key = re.search(r"^key:\s+(\S+)", created, re.M).group(1)
    eventually(lambda: _assert_status(ask(fleet.replicas[2], key), 402), seconds=2, interval=0.05)
    cli("keys", "topup", key_id, "0.05")
    topped_up = time.monotonic()
    eventually(lambda: _assert_status(ask(fleet.replicas[1], key), 200), seconds=1.0, interval=0.05)
    assert time.monotonic() - topped_up < 1.0

    def in_usage():
        rows = [json.loads(line) for line in cli("usage", "--by", "key", "--json").splitlines()]
        assert any(row["group"] == key_id and row["requests"] == 1 for row in rows), rows

    eventually(in_usage)


def _assert_status(status: int, expected: int) -> None:
    assert status == expected, status


def test_killing_a_replica_under_load_loses_nothing_and_its_holds_come_back_after_the_lease(fleet):
    busy = admin(fleet.replicas[0], "POST", "/admin/keys", {"name": "busy", "credits": "10.00"})
    held = admin(fleet.replicas[0], "POST", "/admin/keys", {"name": "held", "credits": "0.02"})
    victim = fleet.replicas[2]

    # Two requests hang upstream on the victim, holding all of `held`'s credits.
    hanging = [threading.Thread(target=ask, args=(victim, held["key"], "hanging", 10)) for _ in range(2)]
    for thread in hanging:
        thread.start()
    eventually(lambda: _assert_status(ask(fleet.replicas[0], held["key"]), 402), seconds=5)

    # Load on all three replicas; the victim is killed in the middle of it.
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            futures = [pool.submit(answer, fleet.replicas[index % 3], busy["key"]) for index in range(60)]
            time.sleep(0.3)
            victim.process.kill()
            killed = time.monotonic()
            # Right after the kill its holds still stand (they lapse with their lease, not before).
            still_held = ask(fleet.replicas[0], held["key"])
            checked = time.monotonic()
            answers = [future.result() for future in futures]
        statuses = [status for status, _ in answers]
        victim.stop()
        for thread in hanging:
            thread.join(timeout=15)
        survivors = [statuses[index] for index in range(60) if index % 3 != 2]
        assert all(status == 200 for status in survivors), survivors
        assert all(status in (200, 0) for status in statuses), statuses
        if checked - killed < LEASE_SECONDS - 0.5:
            assert still_held == 402
        eventually(lambda: _assert_status(ask(fleet.replicas[0], held["key"]), 200), seconds=LEASE_SECONDS + 5, interval=0.25)
        assert time.monotonic() - killed >= LEASE_SECONDS - 1
    finally:
        # Started again, the replica replays its spool: every 200 is in the ledger exactly once. A request
        # the victim metered (it journals before its final bytes) but could not finish sending is in the
        # ledger too: it was served; only the answers cut by the kill can be such rows.
        victim.stop()
        fleet.replicas[2] = fleet.start(2)
    served = {request_id for status, request_id in answers if status == 200}
    cut = statuses.count(0)

    def ledgered():
        rows = fleet.postgres.psql(f"SELECT request_id, COUNT(*) FROM ledger WHERE key_id = '{busy['id']}' GROUP BY request_id", "fleet")
        counts = dict(line.split("|") for line in rows.splitlines())
        assert served <= counts.keys(), served - counts.keys()
        assert all(count == "1" for count in counts.values())
        assert len(counts) - len(served) <= cut
        return counts

    eventually(ledgered)
    assert usage_of(fleet.replicas[1], busy["id"])["requests"] == len(ledgered())


def test_postgres_down_for_ten_seconds_under_load_serves_cached_keys_and_loses_no_row(fleet):
    created = admin(fleet.replicas[0], "POST", "/admin/keys", {"name": "pg-down", "credits": "10.00", "rpm": 10000})
    assert spread(fleet.replicas, created["key"], 6) == [200] * 6  # seeded in Redis, cached everywhere

    fleet.postgres.stop()
    down_until = time.monotonic() + 10
    statuses: list[int] = []
    while time.monotonic() < down_until:
        statuses += spread(fleet.replicas, created["key"], 6)
        time.sleep(0.2)
    ready = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{fleet.replicas[0].port}/readyz", timeout=5).read())
    with pytest.raises(urllib.error.HTTPError) as admin_call:
        admin(fleet.replicas[1], "GET", "/admin/usage?group_by=key")  # what needs the database says so: 503
    fleet.postgres.start()
    assert admin_call.value.code == 503 and admin_call.value.headers["retry-after"]

    assert statuses and all(status == 200 for status in statuses), sorted(set(statuses))
    assert ready["store"] == "unavailable" and ready["status"] == "ready"
    served = 6 + len(statuses)
    eventually(lambda: _assert_status(usage_of(fleet.replicas[2], created["id"])["requests"], served), seconds=20, interval=0.5)
    assert fleet.postgres.psql(f"SELECT COUNT(*) FROM ledger WHERE key_id = '{created['id']}'", "fleet") == str(served)


def test_after_redis_restarts_limits_and_reservations_work_again_within_seconds(fleet):
    created = admin(fleet.replicas[0], "POST", "/admin/keys", {"name": "redis-restart", "credits": "1.00", "rpm": 1000})
    assert ask(fleet.replicas[1], created["key"]) == 200

    fleet.redis.kill()
    # Fail closed: a limited key is refused with 503 while Redis is away; an unlimited caller is not.
    assert ask(fleet.replicas[1], created["key"]) == 503
    assert ask(fleet.replicas[1], MASTER_KEY) == 200

    def unready():
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{fleet.replicas[1].port}/readyz", timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 503 and json.loads(error.read())["redis"] == "unavailable"
            return
        raise AssertionError("still ready without Redis")

    eventually(unready, seconds=5)

    fleet.redis.start()
    restarted = time.monotonic()
    eventually(lambda: _assert_status(ask(fleet.replicas[2], created["key"]), 200), seconds=10, interval=0.2)
    assert time.monotonic() - restarted < 5
    # Balances were seeded again from the store: the key has spent exactly what the ledger says.
    eventually(lambda: _assert_status(usage_of(fleet.replicas[0], created["id"])["requests"], 2))
    balance = admin(fleet.replicas[0], "GET", f"/admin/keys/{created['id']}")["credits"]
    assert balance == "0.98"


def test_a_cached_answer_is_shared_by_every_replica(fleet):
    """With storage.redis the response cache lives in Redis: one replica's answer is every replica's hit."""
    def cached(replica) -> tuple[str | None, str]:
        client = openai.OpenAI(base_url=replica.base_url, api_key=MASTER_KEY, max_retries=0, timeout=30)
        raw = client.chat.completions.with_raw_response.create(
            model="cached", temperature=0, messages=[{"role": "user", "content": "shared across the fleet?"}])
        return raw.headers.get("x-switchyard-cache"), raw.parse().choices[0].message.content

    first = cached(fleet.replicas[0])
    assert first[0] == "miss"
    for replica in fleet.replicas[1:]:
        assert cached(replica) == ("hit", first[1])
