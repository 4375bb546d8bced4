"""Real test services: Redis, Neo4j 5.26, Gremlin Server 3.8 (TinkerGraph) and FerretDB (MongoDB wire).

A URL given in the environment is used as is (MONGO_URL, REDIS_URL, NEO4J_URL, GREMLIN_URL, or GRAPH_URL by its
scheme). Otherwise the service is started here on a free port, in a temporary directory, and stopped after.
`start()` only launches the process, so several services boot in parallel; `url()` waits until it answers.
A private manager (`ServiceManager(private=True)`) ignores those URLs and always starts its own, for the fault
tests (tests/faults), which `kill()` a service with SIGKILL and `restart()` it on the same port with its data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("YXG_CACHE", Path.home() / ".cache" / "youxianggou"))
FERRETDB_VERSION = "v1.24.2"
START_TIMEOUT = float(os.environ.get("YXG_SERVICE_TIMEOUT", "120"))


class ServiceError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def maven_classpath(pom: Path) -> str:
    """The runtime classpath of a tiny pom, resolved by Maven once and cached by the pom's hash."""
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    cached = CACHE / f"classpath-{pom.parent.name}-{digest}.txt"
    if not cached.exists() or not all(Path(p).exists() for p in cached.read_text().split(os.pathsep)):
        CACHE.mkdir(parents=True, exist_ok=True)
        out = cached.with_suffix(".tmp")
        proc = subprocess.run(
            ["mvn", "-q", "-B", "-f", str(pom), "dependency:build-classpath", f"-Dmdep.outputFile={out}"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if proc.returncode != 0:
            raise ServiceError(f"maven could not resolve {pom}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        out.replace(cached)
    return cached.read_text().strip()


def jar_version(classpath: str, prefix: str, default: str) -> str:
    """The version in the name of the classpath's jar `<prefix><version>.jar`."""
    for entry in classpath.split(os.pathsep):
        name = Path(entry).name
        if name.startswith(prefix):
            return name.removeprefix(prefix).removesuffix(".jar")
    return default


@dataclass
class Service:
    name: str
    url: str = ""
    version: str = ""
    external: bool = False
    proc: subprocess.Popen[bytes] | None = None
    workdir: Path | None = None
    port: int = 0
    launched_at: float = 0.0
    ready_seconds: float | None = None
    error: str | None = None
    log_path: Path | None = None
    args: list[str] = field(default_factory=list, repr=False)  # the command line, to restart it the same way
    restarts: int = 0
    waiter: threading.Thread | None = field(default=None, repr=False)
    stopping: bool = False
    log_start: int = 0  # where the current run's output starts in the log

    def log_tail(self, n: int = 40) -> str:
        """The last lines the current run wrote."""
        if self.log_path and self.log_path.exists():
            with open(self.log_path, "rb") as log:
                log.seek(self.log_start)
                text = log.read().decode(errors="replace")
            return "\n".join(text.splitlines()[-n:])
        return ""


class ServiceManager:
    def __init__(self, *, private: bool = False) -> None:
        self.private = private  # always start our own instances (never a URL from the environment)
        self.services: dict[str, Service] = {}

    # -- launching -------------------------------------------------------------------------------------
    def start(self, name: str) -> Service:
        if name in self.services:
            return self.services[name]
        svc = Service(name)
        self.services[name] = svc
        external = "" if self.private else self._external_url(name)
        if external:
            svc.url, svc.external, svc.version = external, True, "external"
            return svc
        try:
            getattr(self, f"_launch_{name}")(svc)
        except Exception as exc:  # reported when a test asks for the service
            svc.error = f"{type(exc).__name__}: {exc}"
            return svc
        svc.waiter = threading.Thread(target=self._wait_ready, args=(svc,), daemon=True, name=f"wait-{name}")
        svc.waiter.start()
        return svc

    @staticmethod
    def _external_url(name: str) -> str:
        env = os.environ
        graph = env.get("GRAPH_URL", "")
        if name == "mongo":
            return env.get("MONGO_URL", "")
        if name == "redis":
            return env.get("REDIS_URL", "")
        if name == "neo4j":
            return env.get("NEO4J_URL", "") or (graph if graph.startswith(("neo4j", "bolt")) else "")
        if name == "gremlin":
            return env.get("GREMLIN_URL", "") or (graph if graph.startswith(("ws://", "wss://")) else "")
        raise ValueError(name)

    def _popen(self, svc: Service, args: list[str]) -> None:
        assert svc.workdir is not None
        svc.log_path = svc.workdir / "service.log"
        svc.args = args
        with open(svc.log_path, "ab") as log:  # appended: a restarted service's log follows the first run's
            start = log.tell()
            svc.launched_at = time.monotonic()
            svc.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, cwd=svc.workdir, start_new_session=True
            )
        svc.log_start = start

    def _workdir(self, svc: Service) -> Path:
        svc.workdir = Path(tempfile.mkdtemp(prefix=f"yxg-{svc.name}-"))
        svc.port = free_port()
        return svc.workdir

    def _launch_redis(self, svc: Service) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise ServiceError("redis-server is not installed (run tests/services/install.sh)")
        out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        svc.version = next((w[2:] for w in out.split() if w.startswith("v=")), out.strip())
        self._workdir(svc)
        self._popen(
            svc,
            [
                binary,
                "--port",
                str(svc.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(svc.workdir),
            ],
        )
        svc.url = f"redis://127.0.0.1:{svc.port}/0"

    def _launch_mongo(self, svc: Service) -> None:
        binary = CACHE / "bin" / f"ferretdb-{FERRETDB_VERSION}"
        if not binary.exists():
            raise ServiceError(f"{binary} is missing (run tests/services/install.sh)")
        svc.version = f"FerretDB {FERRETDB_VERSION} (sqlite handler)"
        work = self._workdir(svc)
        (work / "db").mkdir()
        self._popen(
            svc,
            [
                str(binary),
                "--handler=sqlite",
                f"--sqlite-url=file:{work}/db/",
                f"--listen-addr=127.0.0.1:{svc.port}",
                "--debug-addr=-",
                "--telemetry=disable",
                f"--state-dir={work}",
                "--log-level=warn",
            ],
        )
        svc.url = f"mongodb://127.0.0.1:{svc.port}/"

    def _quick_jvm(self) -> list[str]:
        """Private instances are restarted by the fault tests and never benchmarked: the JIT's first tier only,
        which halves a JVM's start (Neo4j restarts in ~20 s instead of ~50 on a busy 2-core machine)."""
        return ["-XX:TieredStopAtLevel=1"] if self.private else []

    def _launch_neo4j(self, svc: Service) -> None:
        pom = HERE / "neo4j" / "pom.xml"
        cp = maven_classpath(pom)
        source = HERE / "neo4j" / "Neo4jLauncher.java"
        digest = hashlib.sha256(source.read_bytes() + cp.encode()).hexdigest()[:16]
        classes = CACHE / f"neo4j-launcher-{digest}"
        if not (classes / "Neo4jLauncher.class").exists():
            classes.mkdir(parents=True, exist_ok=True)
            subprocess.run(["javac", "-cp", cp, "-d", str(classes), str(source)], check=True, capture_output=True)
        svc.version = f"Neo4j {jar_version(cp, 'neo4j-kernel-', '5.26')} Community"
        work = self._workdir(svc)
        self._popen(
            svc,
            [
                "java",
                *self._quick_jvm(),
                "-Xms256m",
                f"-Xmx{os.environ.get('YXG_NEO4J_HEAP', '768m')}",
                "-XX:+UseSerialGC",
                "-cp",
                f"{classes}{os.pathsep}{cp}",
                "Neo4jLauncher",
                str(work / "home"),
                str(svc.port),
                os.environ.get("YXG_NEO4J_PAGECACHE_MB", "64"),
            ],
        )
        svc.url = f"bolt://127.0.0.1:{svc.port}"

    def _launch_gremlin(self, svc: Service) -> None:
        here = HERE / "gremlin"
        cp = maven_classpath(here / "pom.xml")
        svc.version = f"Gremlin Server {jar_version(cp, 'gremlin-server-', '3.8')} (TinkerGraph)"
        work = self._workdir(svc)
        for name in ("init.groovy", "tinkergraph.properties"):
            shutil.copy(here / name, work / name)
        conf = (here / "gremlin-server.yaml.in").read_text()
        (work / "gremlin-server.yaml").write_text(conf.replace("@PORT@", str(svc.port)).replace("@DIR@", str(work)))
        self._popen(
            svc,
            [
                "java",
                *self._quick_jvm(),
                "-Xms128m",
                "-Xmx512m",
                "-XX:+UseSerialGC",
                f"-Dlogback.configurationFile={here / 'logback.xml'}",
                "-cp",
                cp,
                "org.apache.tinkerpop.gremlin.server.GremlinServer",
                str(work / "gremlin-server.yaml"),
            ],
        )
        svc.url = f"ws://127.0.0.1:{svc.port}/gremlin"

    # -- waiting ---------------------------------------------------------------------------------------
    @staticmethod
    def _wait_ready(svc: Service) -> None:
        """Poll until the service answers (recording how long it took), exits, or times out."""
        deadline = svc.launched_at + START_TIMEOUT
        ready_line = {"neo4j": "NEO4J READY", "gremlin": "Channel started"}.get(svc.name)
        assert svc.proc is not None
        while time.monotonic() < deadline:
            if svc.stopping:
                return
            if svc.proc.poll() is not None:
                svc.error = f"exited with {svc.proc.returncode}:\n{svc.log_tail()}"
                return
            if port_open(svc.port) and (ready_line is None or ready_line in svc.log_tail(400)):
                svc.ready_seconds = time.monotonic() - svc.launched_at
                return
            time.sleep(0.05)
        svc.error = f"did not answer within {START_TIMEOUT:.0f}s:\n{svc.log_tail()}"

    def url(self, name: str) -> str:
        """The service's URL once it answers; ServiceError when it cannot start."""
        svc = self.start(name)
        if svc.waiter is not None:
            svc.waiter.join()
        if svc.error:
            raise ServiceError(f"{name}: {svc.error}")
        return svc.url

    # -- faults ----------------------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL the service (no shutdown hooks, no flush: a crash) and wait until its port is closed."""
        svc = self.services[name]
        if svc.external or svc.proc is None:
            raise ServiceError(f"{name} is not ours to kill")
        if svc.waiter is not None:
            svc.waiter.join()
        if svc.proc.poll() is None:
            os.killpg(svc.proc.pid, signal.SIGKILL)  # its whole session: a launcher's children go too
        svc.proc.wait()
        deadline = time.monotonic() + 10
        while port_open(svc.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def relaunch(self, name: str) -> Service:
        """Start a killed service again, same command, port and data directory; `url()` waits until it answers."""
        svc = self.services[name]
        if svc.proc is None or svc.proc.poll() is None:
            raise ServiceError(f"{name} is still running")
        svc.error, svc.ready_seconds, svc.restarts = None, None, svc.restarts + 1
        self._popen(svc, svc.args)
        svc.waiter = threading.Thread(target=self._wait_ready, args=(svc,), daemon=True, name=f"wait-{name}")
        svc.waiter.start()
        return svc

    def restart(self, name: str) -> str:
        """relaunch() and wait until it answers; its URL (unchanged)."""
        self.relaunch(name)
        return self.url(name)

    def stop_all(self) -> None:
        for svc in self.services.values():
            svc.stopping = True
            if svc.proc is not None and svc.proc.poll() is None:
                svc.proc.terminate()
        for svc in self.services.values():
            if svc.proc is not None:
                try:
                    svc.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    svc.proc.kill()
                    svc.proc.wait()
            if svc.workdir is not None:
                shutil.rmtree(svc.workdir, ignore_errors=True)

    def report(self) -> list[str]:
        lines = []
        for svc in self.services.values():
            if svc.external:
                state = f"external {svc.url}"
            elif svc.error:
                state = f"FAILED: {svc.error.splitlines()[0]}"
            elif svc.ready_seconds is not None:
                state = f"started in {svc.ready_seconds:.1f}s on {svc.url}"
                if svc.restarts:
                    state += f" (killed and restarted {svc.restarts}x; the last start is timed)"
            else:
                state = "launched, never used"
            lines.append(f"{svc.name:8} {svc.version or '?':45} {state}")
        return lines
