#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, for tests of interactive input.

usage: pty-drive.py '<json: [[prompt regex, answer], ...]>' command args...
Prints everything the terminal showed, then exits with the command's status.
"""
import json
import os
import pty
import re
import select
import sys
import time

steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

seen = b""
step = 0
searched = 0  # prompts are looked for after the last answer only
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    if step < len(steps) and re.search(steps[step][0].encode(), seen[searched:]):
        searched = len(seen)
        os.write(fd, steps[step][1].encode() + b"\r")
        step += 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
