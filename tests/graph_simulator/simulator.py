"""The simulator's state holder: tenant, tokens, throttling, faults, counters, startup seed."""
import copy

from . import seed as seedmod
from .auth import TokenService
from .counters import Counters
from .faults import Faults
from .model import Tenant
from .throttle import Throttle


class Simulator(object):
    def __init__(self, seed_path=None, seed_data=None, throttle_override=None):
        self.seed_path = seed_path
        if seed_path:
            self.seed_data, self.seed_dir = seedmod.load_seed_file(seed_path)
        else:
            self.seed_data, self.seed_dir = seed_data or {}, "."
        self.throttle_override = throttle_override
        self.tenant = Tenant()
        self.tokens = TokenService(self.tenant)
        self.throttle = Throttle()
        self.faults = Faults()
        self.counters = Counters()
        self.load(self.seed_data)

    def load(self, data):
        """(Re)build everything from a seed: tenant state, faults, throttling, token lifetime, counters."""
        data = copy.deepcopy(data)
        with self.tenant.lock:
            seedmod.apply_seed(self.tenant, data, self.seed_dir)
        settings = data.get("settings") or {}
        throttling = self.throttle_override or settings.get("throttling", "real")
        self.throttle.configure(preset="real")
        if throttling == "off":
            self.throttle.configure(preset="off")
        elif isinstance(throttling, dict):
            self.throttle.configure(**throttling)
        self.faults.configure({"clear": True,
                               "replication_delay_ms": int(settings.get("replication_delay_ms", 0))})
        self.tokens.lifetime = int(settings.get("token_lifetime_s", 3599))
        self.tokens.not_before = 0.0
        self.counters.reset()

    def reset(self, data=None):
        self.load(data if data else (seedmod.load_seed_file(self.seed_path)[0] if self.seed_path else self.seed_data))
