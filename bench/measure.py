#!/usr/bin/env python3
"""Runs one command and prints its wall time (s) and peak RSS (KiB) as JSON on stderr's last line.

Node cannot read a child's rusage, so the benchmark harness runs each timed command through
this wrapper. stdout of the command is discarded unless --keep-stdout is given.
"""
import json, resource, subprocess, sys, time

args = sys.argv[1:]
stdout = subprocess.DEVNULL
if args and args[0] == "--keep-stdout":
    stdout = None
    args = args[1:]
stdin = subprocess.DEVNULL
if args and args[0] == "--stdin":
    stdin = open(args[1], "rb")
    args = args[2:]
start = time.perf_counter()
proc = subprocess.run(args, stdout=stdout, stdin=stdin, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
sys.stderr.write("\n" + json.dumps({"seconds": elapsed, "maxRssKiB": rss, "status": proc.returncode}) + "\n")
sys.exit(0)
