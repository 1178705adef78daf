"""Servers under test: starting them, timing their cold start, sampling their memory, stopping them.

Only the bench uses this. Every server gets a free port on loopback; nothing binds the fixed ports.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import psutil

READY_TIMEOUT = 300.0


class ServerFailed(Exception):
    """A server under test exited or did not answer in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def post_message(url: str, sender: str, text: str, timeout: float = 30) -> list:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


@dataclass
class Process:
    name: str
    command: List[str]
    health_url: str
    popen: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    ready_seconds: Optional[float] = None
    peak_rss: int = 0  # bytes, the process and its children (Sanic workers) together


@dataclass
class ServerSet:
    """One system under test: its processes and the webhook URLs the client talks to."""

    label: str
    processes: List[Process]
    webhooks: List[str]
    cwd: Path
    env: Dict[str, str]
    log_dir: Path
    first_answer_seconds: Optional[float] = None
    _sampler: Optional[threading.Thread] = None
    _stop_sampling: threading.Event = field(default_factory=threading.Event)

    def start(self, first_message: str) -> None:
        """Start every process at once; return when each answers and the webhook replied once.

        Cold start = from the spawn to the first non-empty answer to ``first_message``.
        """
        self.log_dir.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        for proc in self.processes:
            log = open(self.log_dir / f"{self.label}-{proc.name}.log", "ab")  # noqa: SIM115 - child owns it
            proc.popen = subprocess.Popen(proc.command, cwd=self.cwd, env=self.env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)
            proc.started_at = t0
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        deadline = t0 + READY_TIMEOUT
        while any(p.ready_seconds is None for p in self.processes):
            for proc in self.processes:
                if proc.popen.poll() is not None:
                    self.stop()
                    raise ServerFailed(f"{self.label}: {proc.name} exited; see {self.log_dir}")
                if proc.ready_seconds is None and _get_ok(proc.health_url):
                    proc.ready_seconds = round(time.monotonic() - t0, 2)
            if time.monotonic() > deadline:
                self.stop()
                raise ServerFailed(f"{self.label}: not ready within {READY_TIMEOUT:.0f} s")
            time.sleep(0.2)
        for url in self.webhooks:
            while True:
                try:
                    if post_message(url, f"bench-cold-{os.getpid()}-{time.time_ns()}", first_message):
                        break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise ServerFailed(f"{self.label}: no answer on {url}")
                time.sleep(0.2)
            if self.first_answer_seconds is None:
                self.first_answer_seconds = round(time.monotonic() - t0, 2)

    def _sample(self) -> None:
        while not self._stop_sampling.is_set():
            for proc in self.processes:
                try:
                    root = psutil.Process(proc.popen.pid)
                    rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                except psutil.Error:
                    continue
                proc.peak_rss = max(proc.peak_rss, rss)
            self._stop_sampling.wait(0.5)

    def stop(self, timeout: float = 20.0) -> None:
        self._stop_sampling.set()
        for proc in self.processes:
            if proc.popen and proc.popen.poll() is None:
                os.killpg(proc.popen.pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        for proc in self.processes:
            if not proc.popen:
                continue
            try:
                proc.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait()

    def cpu_seconds(self) -> Dict[str, float]:
        """CPU time (user + system) used so far by each process, its children (Sanic workers) included.

        Unlike wall-clock latency, CPU time per message hardly changes with what else the machine
        is doing, so it compares the two bots fairly on a shared machine."""
        used = {}
        for proc in self.processes:
            try:
                root = psutil.Process(proc.popen.pid)
                used[proc.name] = sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])
            except psutil.Error:
                used[proc.name] = 0.0
        return used

    def figures(self) -> dict:
        return {
            "cold_start_to_first_answer_s": self.first_answer_seconds,
            "processes": {p.name: {"ready_s": p.ready_seconds, "peak_rss_bytes": p.peak_rss}
                          for p in self.processes},
            "peak_rss_total_bytes": sum(p.peak_rss for p in self.processes),
        }
