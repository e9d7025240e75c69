"""How a lower app lets a higher one act in the same transaction, without importing it.

Data flows one way (README, "Architecture"): the ledger at the bottom, surveys and journeys on
it, follow-up cases and analytics above them. Yet some writes below must change things above
within their own transaction: logging an interaction applies the survey rules (its invitations
commit or roll back with it) and marks the metrics of its day stale. The lower app declares a
``Hook`` for the moment ("interactions written"), calls it from its services, and the higher
app connects a receiver in its ``AppConfig.ready``.

This is dependency inversion, not event sourcing: receivers run synchronously, in the order they
were connected, inside the caller's transaction, and an exception in one rolls the whole write
back. Each hook's docstring names its receivers, and ``tests/infra/test_hooks.py`` checks that
every hook has exactly the receivers it documents, so a receiver that was never connected
fails a test instead of silently skipping a side effect.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(eq=False)  # a hook is itself: compared and hashed by identity
class Hook:
    """A named moment in a lower app's write that higher apps may act on.

    ``arguments``: the keyword arguments every receiver is called with.
    """

    name: str
    arguments: tuple[str, ...]
    receivers: list[Callable[..., object]] = field(default_factory=list)

    def connect(self, receiver: Callable[..., object]) -> Callable[..., object]:
        """Add ``receiver`` (once; connecting it again is a no-op). Usable as a decorator."""
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver

    def __call__(self, **kwargs) -> None:
        if set(kwargs) != set(self.arguments):
            raise TypeError(f"hook {self.name} takes {sorted(self.arguments)}, got {sorted(kwargs)}")
        for receiver in self.receivers:
            receiver(**kwargs)

    def receiver_names(self) -> list[str]:
        """``module.function`` of each receiver, in call order (for the tests and for reading)."""
        return [f"{receiver.__module__}.{receiver.__qualname__}" for receiver in self.receivers]
