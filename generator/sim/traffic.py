"""Toygres' users: instance creates (Poisson), deletes after an exponential lifetime, the odd
cancelled create and image build, plus the surges and batches scenarios ask for."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from generator.sim import workload
from generator.sim.workload import Ctx

if TYPE_CHECKING:
    from generator.sim.runtime import Runtime

# A user cancels about one create in twenty while it waits for the pod (and then deletes it).
P_CANCEL = 0.05
# The initial fleet is created during the first part of the pre-window warm-up.
FLEET_SPREAD = 600.0


class Users:
    """Client traffic against the Toygres API (every request goes through one process)."""

    def __init__(self, rt: Runtime, rng: random.Random) -> None:
        self.rt = rt
        self.rng = rng
        o = rt.options
        self.create_rate = o.create_rate_per_hour / 3600.0
        # Little's law: live instances = create rate x mean lifetime.
        self.lifetime = (o.instances / self.create_rate) if self.create_rate > 0 else 0.0
        self.image_rate = o.image_rate_per_hour / 3600.0
        self.surge_rate = 0.0
        self.surge_lifetime = 0.0
        self.surge_epoch = 0
        self.short_lived: dict[str, float] = {}

    def start(self, prewarm: float) -> None:
        """Build the initial fleet during the warm-up, then steady Poisson traffic."""
        engine = self.rt.engine
        fleet = self.rt.options.instances
        for i in range(fleet):
            engine.after(FLEET_SPREAD * (i + self.rng.random()) / max(fleet, 1), self.create)
        if self.create_rate > 0:
            engine.after(self.rng.expovariate(self.create_rate), self._arrival)
        if self.image_rate > 0 and "create-image" in self.rt.release.scripts:
            engine.after(self.rng.expovariate(self.image_rate), self._image)

    def _arrival(self) -> None:
        self.create()
        self.rt.engine.after(self.rng.expovariate(self.create_rate), self._arrival)

    def create(self, lifetime: float | None = None) -> None:
        k8s = workload.new_k8s_name(self.rng)
        if lifetime is not None:
            self.short_lived[k8s] = lifetime
        if self.rt.client_start("create-instance", Ctx(k8s)) is not None and self.rng.random() < P_CANCEL:
            self.rt.engine.after(8.0 + self.rng.random() * 17.0, self._cancel, k8s)

    def _cancel(self, k8s: str) -> None:
        self.rt.client_cancel(f"create-{k8s}")
        self.rt.engine.after(5.0, self.delete, k8s)

    def delete(self, k8s: str) -> None:
        if k8s in self.rt.cms:
            self.rt.client_start("delete-instance", Ctx(k8s))

    def on_running(self, k8s: str) -> None:
        """An instance reached running: its owner deletes it after its lifetime."""
        mean = self.short_lived.pop(k8s, None) or self.lifetime
        if mean > 0:
            self.rt.engine.after(self.rng.expovariate(1.0 / mean), self.delete, k8s)

    def _image(self) -> None:
        self.rt.client_start("create-image", Ctx(f"img{self.rng.randrange(100)}-{self.rng.getrandbits(32):08x}"))
        self.rt.engine.after(self.rng.expovariate(self.image_rate), self._image)

    def batch_create(self, count: int) -> None:
        """One batch-create orchestration that starts `count` create-instance children."""
        names = tuple(workload.new_k8s_name(self.rng) for _ in range(count))
        if "batch-create" not in self.rt.release.scripts:
            # HEAD has no batch-create: the automation calls create once per instance.
            for name in names:
                self.rt.client_start("create-instance", Ctx(name))
            return
        self.rt.client_start("batch-create", Ctx(f"{self.rng.getrandbits(32):08x}", names=names))

    def set_surge(self, per_hour: float, lifetime: float) -> None:
        """Extra short-lived creates (CI tenants) on top of the steady traffic; 0 stops it."""
        self.surge_epoch += 1
        self.surge_rate = per_hour / 3600.0
        self.surge_lifetime = lifetime
        if self.surge_rate > 0:
            self.rt.engine.after(self.rng.expovariate(self.surge_rate), self._surge, self.surge_epoch)

    def _surge(self, epoch: int) -> None:
        if epoch != self.surge_epoch:
            return
        self.create(self.surge_lifetime)
        self.rt.engine.after(self.rng.expovariate(self.surge_rate), self._surge, epoch)
