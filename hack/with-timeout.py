#!/usr/bin/env python3
"""Runs a command with a time limit; on expiry, says which tests were still running and where every thread was.

    hack/with-timeout.py SECONDS COMMAND [ARGS...]

The command's output passes through unchanged. When it has not finished after SECONDS, this prints the Swift Testing
tests that started and did not finish (from the "Test ... started." / "passed" / "failed" lines of the output), the
stack of every thread of every process under the command (with gdb, which hack/deps.sh installs), stops the
command's process group and exits with 124, as timeout(1) does. Otherwise it exits with the command's status.

A hung test run then fails CI in minutes with the evidence to find the hang, instead of blocking it to its limit.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import threading

STARTED = re.compile(r'Test (".+?") started\.')
ENDED = re.compile(r'Test (".+?") (?:passed|failed|skipped)\b')


def descendants(root):
    """Every process under `root` (by /proc's parent links), root first."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as stat:
                parent = int(stat.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, queue = [], [root]
    while queue:
        pid = queue.pop(0)
        found.append(pid)
        queue.extend(sorted(children.get(pid, [])))
    return found


def command_line(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(errors='replace').strip()
    except OSError:
        return '?'


def dump_stacks(root):
    """The stacks of the test binaries under `root` (of every process when none is one), stopped first."""
    debugger = shutil.which('gdb')
    processes = descendants(root)
    tests = [pid for pid in processes if 'xctest' in command_line(pid) or 'PackageTests' in command_line(pid)]
    for pid in tests or processes:
        print(f'--- process {pid}: {command_line(pid)}', flush=True)
        if debugger is None:
            print('(gdb is not installed: no stacks)', flush=True)
            continue
        args = [debugger, '-batch', '-p', str(pid), '-ex', 'thread apply all bt']
        try:
            subprocess.run(args, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
        except subprocess.TimeoutExpired:
            print(f'({debugger} did not finish in 120 s)', flush=True)


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit('usage: hack/with-timeout.py SECONDS COMMAND [ARGS...]')
    limit = int(sys.argv[1])
    # Line-buffered (stdbuf, through the processes it starts): piped, the test binaries would hold their output until
    # they exit, and a hung run would show nothing.
    process = subprocess.Popen(['stdbuf', '-oL', '-eL'] + sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    running = {}
    lock = threading.Lock()

    def relay():
        for raw in process.stdout:
            sys.stdout.buffer.write(raw)
            sys.stdout.flush()
            line = raw.decode(errors='replace')
            with lock:
                if (match := STARTED.search(line)):
                    running[match.group(1)] = True
                elif (match := ENDED.search(line)):
                    running.pop(match.group(1), None)

    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    try:
        status = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        print(f'\nhack/with-timeout.py: {" ".join(sys.argv[2:])} did not finish in {limit} s', flush=True)
        with lock:
            still = list(running)
        print(f'tests started and not finished ({len(still)}):', flush=True)
        for name in still:
            print(f'  {name}', flush=True)
        os.killpg(process.pid, signal.SIGSTOP)
        dump_stacks(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        sys.exit(124)
    reader.join(timeout=10)
    sys.exit(status)


if __name__ == '__main__':
    main()
