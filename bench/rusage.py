#!/usr/bin/env python3
"""Runs a command and reports its wall time, CPU time (user + system) and peak memory (ru_maxrss)
from wait4, for any program: node or native like pdfsig.
Usage: rusage.py REPORT_FILE COMMAND [ARGS...]; the command's stdout/stderr pass through, its exit
status is ours, and REPORT_FILE receives one JSON line {"wallMs": ..., "cpuMs": ..., "maxRssKb": ...}."""
import json
import os
import sys
import time

report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall_ms = (time.perf_counter() - start) * 1000
with open(report, "w") as f:
    json.dump({"wallMs": wall_ms, "cpuMs": (usage.ru_utime + usage.ru_stime) * 1000, "maxRssKb": usage.ru_maxrss}, f)
sys.exit(os.waitstatus_to_exitcode(status))
