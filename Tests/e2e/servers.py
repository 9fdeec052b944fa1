"""Throwaway PostgreSQL and Redis servers for the fleet tests: on 127.0.0.1, in temporary
directories, never the system services; each can be killed and started again on its port."""

import glob
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


# PostgreSQL refuses to run as root: drop to its own user (CI containers run as root).
AS_POSTGRES = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] if os.geteuid() == 0 else []


def postgres_bin() -> pathlib.Path | None:
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]), reverse=True):
        if os.access(f"{directory}/postgres", os.X_OK):
            return pathlib.Path(directory)
    return None


class RedisServer:
    def __init__(self, tmp: pathlib.Path):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (.ci/run installs it from Debian)")
        self.dir = tmp
        self.port = _free_port()
        self.process = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _accepts(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class PostgresServer:
    USER = "switchyard"

    def __init__(self, tmp: pathlib.Path):
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (.ci/run installs it from Debian)")
        self.bin = bin_dir
        # Not under pytest's temporary directory: as root that is closed to the postgres user.
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="switchyard-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        subprocess.run(
            [*AS_POSTGRES, str(self.bin / "initdb"), "-D", str(self.data), "-U", self.USER, "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True,
        )
        self.port = _free_port()
        self.process = None
        self.start()

    def url(self, database: str) -> str:
        return f"postgres://{self.USER}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.USER, "-d", database, "-qtA", "-c", sql],
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
        return result.stdout.strip()

    def create_database(self, name: str) -> str:
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*AS_POSTGRES, str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.dir),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.psql("SELECT 1")
                return
            except RuntimeError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("postgres did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        """Fast shutdown (SIGINT): connections are cut, the server is gone until `start`."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=30)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
