"""Shared by the abuse-limit tests that start Sanic servers inside the test process."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pytest


@contextmanager
def sanic_touch_up() -> Iterator[None]:
    """Hold Sanic apps started inside this block (and stopped before it ends).

    Sanic 21.12 rewrites some of its classes' methods at an app's start ("TouchUp": drops the
    dispatch of signals nobody listens to), once per process: a second app's start fails on the
    rewritten methods, and an app that skips it fails on the undispatchable signals. So the methods
    are rewritten once (by the first app here, unless an earlier app of the process did), and when
    they were rewritten here the originals are put back at the end, for the next test module's app.
    """
    from sanic.touchup.service import TouchUp

    targets = {target for target, _ in TouchUp._registry}

    def touched() -> bool:
        return any(target.__dict__.get("__touched__") for target in targets)

    already = touched()
    originals = {(target, name): target.__dict__[name] for target, name in TouchUp._registry}
    touch_up = TouchUp.run

    def once(cls, app) -> None:
        if not touched():
            touch_up(app)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TouchUp, "run", classmethod(once))
        yield
    if not already:
        for (target, name), method in originals.items():
            setattr(target, name, method)
        for target in targets:
            target.__touched__ = False
