"""`make run` restarts a server that exited, alone and after a back-off (bot/ops/supervisor.py)."""
from bot.ops.supervisor import BACKOFF_SECONDS, STABLE_SECONDS, Supervisor, backoff


class FakeProcess:
    def __init__(self):
        self.code = None

    def poll(self):
        return self.code


class FakeServers:
    def __init__(self, *names):
        self.named = {name: FakeProcess() for name in names}
        self.launched = []

    def launch(self, name):
        self.launched.append(name)
        self.named[name] = FakeProcess()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_backoff_grows_then_stays_at_its_ceiling():
    assert [backoff(n) for n in range(1, 9)] == [1, 2, 5, 10, 30, 60, 60, 60]
    assert backoff(0) == BACKOFF_SECONDS[0]


def test_a_crashed_server_is_started_again_after_the_backoff_and_the_others_are_left_alone():
    servers, clock, lines = FakeServers("actions", "rasa-0", "web"), Clock(), []
    supervisor = Supervisor(servers, log=lines.append, clock=clock)
    actions, web = servers.named["actions"], servers.named["web"]
    servers.named["rasa-0"].code = -9  # killed
    supervisor.check()
    assert servers.launched == [] and "rasa-0" in lines[0] and "-9" in lines[0]
    clock.now += 0.5
    supervisor.check()
    assert servers.launched == []  # still inside the first back-off (1 s)
    clock.now += 1.0
    supervisor.check()
    assert servers.launched == ["rasa-0"] and servers.named["actions"] is actions and servers.named["web"] is web


def test_repeated_crashes_wait_longer_and_a_stable_run_resets_the_count():
    servers, clock = FakeServers("rasa-0"), Clock()
    supervisor = Supervisor(servers, log=lambda _: None, clock=clock)
    waits = []
    for _ in range(3):
        servers.named["rasa-0"].code = 1
        supervisor.check()
        crashed_at = clock.now
        while servers.launched.count("rasa-0") < len(waits) + 1:
            clock.now += 0.5
            supervisor.check()
        waits.append(clock.now - crashed_at)
    assert waits == [1.0, 2.0, 5.0]
    clock.now += STABLE_SECONDS
    supervisor.check()  # up long enough: recovered
    servers.named["rasa-0"].code = 1
    supervisor.check()
    clock.now += 1.0
    supervisor.check()
    assert servers.launched.count("rasa-0") == 4  # back to the first, shortest back-off
