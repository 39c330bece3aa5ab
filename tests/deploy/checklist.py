"""The deploy tests' checklist: each check printed as ok or FAIL, the failures kept for the
exit code. Shared by the Python tests in this folder (imported beside them)."""

failures = []


def log(msg):
    print(msg, flush=True)


def check(ok, what):
    log(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok
