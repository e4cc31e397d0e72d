#!/usr/bin/python3
"""profile-radicale.py: runs Radicale with every request profiled (cProfile per request, request threads
included) and writes the aggregated profile to $RADICALE_PROFILE.prof and the time per HTTP method to
$RADICALE_PROFILE.times on exit (SIGTERM) and on SIGUSR1. Arguments are Radicale's own, for example
  RADICALE_PROFILE=/tmp/rad /usr/bin/python3 scripts/peers/profile-radicale.py --config DIR/config
then read it with
  /usr/bin/python3 -c "import pstats; pstats.Stats('/tmp/rad.prof').sort_stats('cumulative').print_stats(40)"
Use Debian's /usr/bin/python3 (radicale is installed for it). See docs/perf/dav.md."""
import atexit
import cProfile
import os
import pstats
import signal
import sys
import threading
import time

import radicale.app
from radicale.__main__ import run

OUT = os.environ.get("RADICALE_PROFILE", "/tmp/radicale-profile")
_lock = threading.Lock()
_stats = [None]
_times = {}
_orig = radicale.app.Application._handle_request


def _profiled(self, environ):
    prof = cProfile.Profile()
    start = time.perf_counter()
    prof.enable()
    try:
        return _orig(self, environ)
    finally:
        prof.disable()
        took = time.perf_counter() - start
        method = environ.get("REQUEST_METHOD", "?")
        with _lock:
            count, total = _times.get(method, (0, 0.0))
            _times[method] = (count + 1, total + took)
            if _stats[0] is None:
                _stats[0] = pstats.Stats(prof)
            else:
                _stats[0].add(prof)


def _dump(*_):
    with _lock:
        if _stats[0] is not None:
            _stats[0].dump_stats(OUT + ".prof")
        with open(OUT + ".times", "w") as f:
            for method, (count, total) in sorted(_times.items()):
                f.write("%s %d %.3f\n" % (method, count, total))


radicale.app.Application._handle_request = _profiled
atexit.register(_dump)
signal.signal(signal.SIGUSR1, _dump)
sys.exit(run())
