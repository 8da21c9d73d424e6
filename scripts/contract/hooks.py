"""Schemathesis hooks of the contract test (loaded through SCHEMATHESIS_HOOKS).

`MJ_CONTRACT_STATE` names a JSON file written by run.py:
  protected_users: ids of the demo accounts, which the run signs in as;
  target_user: the id of an account made for the run, which takes their place;
  protected_roles: role codes whose permissions must not change during the run;
  target_role: the role code that takes their place;
  counter: a file this process writes, when it exits, the statuses it received by operation.

Schemathesis reuses the values it reads in responses (user ids from GET /api/users, role
codes from GET /api/roles), so without this the system administrator's run would disable
or reset the password of the accounts the next runs sign in as, and the security
administrator's run would take its own permissions away halfway through.
"""

import atexit
import json
import os
import threading

import schemathesis

with open(os.environ["MJ_CONTRACT_STATE"], encoding="utf-8") as f:
    STATE = json.load(f)

PROTECTED_USERS = set(STATE.get("protected_users", []))
PROTECTED_ROLES = set(STATE.get("protected_roles", []))

# Operations whose path names an account, and those whose path names a role.
USER_OPERATIONS = {("PUT", "/api/users/{id}"), ("POST", "/api/users/{id}/password")}
ROLE_OPERATIONS = {("PUT", "/api/roles/{code}")}

_lock = threading.Lock()
_statuses = {}


def _as_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


@schemathesis.hook
def before_call(context, case, kwargs):
    key = (case.operation.method.upper(), case.operation.path)
    params = case.path_parameters
    if params is None:
        return
    if key in USER_OPERATIONS and _as_int(params.get("id")) in PROTECTED_USERS:
        params["id"] = STATE["target_user"]
    elif key in ROLE_OPERATIONS and params.get("code") in PROTECTED_ROLES:
        params["code"] = STATE["target_role"]


@schemathesis.hook
def after_call(context, case, response):
    # The method sent, which may be one the operation does not have (unsupported-method probes).
    key = f"{case.method.upper()} {case.operation.path}"
    status = str(response.status_code)
    with _lock:
        by_status = _statuses.setdefault(key, {})
        by_status[status] = by_status.get(status, 0) + 1


@atexit.register
def _write_statuses():
    path = STATE.get("counter")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(_statuses, f, indent=1, sort_keys=True)
