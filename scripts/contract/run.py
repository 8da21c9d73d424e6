"""The contract test from outside: Schemathesis against the demo server, once per role.

Started by scripts/contract.sh (which provides the virtual environment with Schemathesis).
It starts `mingjing demo` on a free port in a temporary directory, signs in as one demo
account of each role, and runs Schemathesis against the server's own OpenAPI document with
that account's session cookie and CSRF token, over the operations the role may call. Any
failed check fails the run. Standard library only, besides the `schemathesis` command.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSWORD_LINE = re.compile(r"^demo accounts \(password (\S+)\):")
ACCOUNT_LINE = re.compile(r"^\s+(\S+)\s+(\S+)(?:\s+TOTP secret (\S+))?")

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]

# Operations the run never calls, with the reason.
EXCLUDED = {
    ("post", "/api/auth/logout"): "signs the account out everywhere: ends the run's own session",
    ("post", "/api/auth/password"): "a wrong old password counts as a failed sign-in (five lock the "
    "account) and a right one ends every session of the account",
    ("post", "/api/auth/totp/setup"): "second-factor enrolment changes how the run's own account "
    "signs in",
    ("post", "/api/auth/totp/confirm"): "second-factor enrolment changes how the run's own account "
    "signs in",
    ("delete", "/api/sessions/{id}"): "Schemathesis reuses the session ids GET /api/sessions lists: "
    "it would end the sessions the runs are signed in with",
    ("get", "/api/chat/ws"): "a WebSocket; Schemathesis speaks plain HTTP",
}

# The order of the runs. Business roles first; then the administrators, whose operations
# change accounts, roles and the security policy: the audit administrator's are read-only,
# the system administrator may change any account but those of the run (hooks.py), and the
# security administrator, whose policy and role changes bind every account, comes last.
ROLE_ORDER = [
    "commission_leader",
    "commission_analyst",
    "dept_clerk",
    "dept_verifier",
    "town_commission",
    "audit_admin",
    "system_admin",
    "security_admin",
]

# Operations whose every call is slow (models run over the whole county): a few examples
# each leave time for the others.
FEW_EXAMPLES = {
    ("post", "/api/models/runs"): 2,
    ("post", "/api/models/dry-run"): 5,
}


# The stated purpose (查询事由) a look at a person needs.
PURPOSE = "契约测试核查"

# Which path parameters take which identifiers made or found before the runs; a dictionary
# value is used for about half the generated cases, so the operations answer other than 404.
PATH_DICTIONARIES = [
    # (path regex, parameter, data key)
    (r"^/api/documents/\{id\}", "id", "documents"),
    (r"^/api/documents/\{id\}/recipients/\{rid\}/", "rid", "recipients"),
    (r"^/api/notices/\{id\}/", "id", "notices"),
    (r"^/api/alerts/\{id\}", "id", "alerts"),
    (r"^/api/persons/\{id\}", "id", "persons"),
    (r"^/api/opinions/\{id\}", "id", "opinions"),
    (r"^/api/integrity/\{id\}", "id", "id_numbers"),
]

# Values of the fields that the document types as free strings (or plain ids) while the server
# accepts only a few: (method, path, parameter, dictionary, values or a data key).
VALUE_DICTIONARIES = [
    ("GET", "/api/opinions/{id}/document", "query.format", "document_formats", ["docx", "pdf"]),
    ("POST", "/api/opinions/{id}/step", "body.step", "opinion_steps", ["submit", "review", "return", "approve"]),
    ("POST", "/api/alerts/{id}/review", "body.decision", "review_decisions", ["return", "approve", "transfer"]),
    ("POST", "/api/alerts/{id}/route", "body.org_id", "orgs", "orgs"),
]

# No role's run is shorter than this, in seconds.
MIN_ROLE_TIME = 20


def log(msg):
    print(msg, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    """The demo server, started in a temporary directory."""

    def __init__(self, binary, work, persons, port):
        self.binary = binary
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.lines = []
        self.ready = threading.Event()
        self.log = open(work / "demo.log", "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [binary, "demo", "--data-dir", str(work / "demo"), "--persons", str(persons),
             "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL, text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self.log.write(line)
            self.log.flush()
            if "serving http://" in line:
                self.ready.set()
        self.ready.set()

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        if not self.ready.wait(timeout) or self.proc.poll() is not None:
            raise SystemExit(f"error: the demo did not start in {timeout} s:\n" + "\n".join(self.lines[-30:]))
        # "serving" may come a moment before the listener answers.
        while True:
            try:
                with urllib.request.urlopen(self.base + "/api/health", timeout=5):
                    return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise SystemExit("error: the demo does not answer GET /api/health")
                time.sleep(0.5)

    def accounts(self):
        """(user, role, TOTP secret or None) as printed, and the password."""
        password, out, inside = None, [], False
        for line in self.lines:
            m = PASSWORD_LINE.match(line)
            if m:
                password, inside = m.group(1), True
                continue
            if inside:
                m = ACCOUNT_LINE.match(line)
                if not m:
                    break
                out.append((m.group(1), m.group(2), m.group(3)))
        if not password or not out:
            raise SystemExit("error: the demo printed no accounts")
        return password, out

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def request(base, method, path, body=None, cookie=None, csrf=None):
    """(status, headers, parsed JSON body or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if cookie:
        req.add_header("Cookie", cookie)
    if csrf:
        req.add_header("X-CSRF-Token", csrf)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, headers, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, headers, parsed


class Session:
    def __init__(self, user, role, cookie_name, token, csrf, me):
        self.user, self.role = user, role
        self.cookie_name, self.token, self.csrf, self.me = cookie_name, token, csrf, me

    @property
    def cookie(self):
        return f"{self.cookie_name}={self.token}"


def sign_in(demo, cookie_name, user, role, password, secret):
    body = {"username": user, "password": password}
    if secret:
        code = subprocess.run([demo.binary, "totp-code", secret], check=True, capture_output=True,
                              text=True).stdout.strip()
        body["totp"] = code
    status, headers, answer = request(demo.base, "POST", "/api/auth/login", body)
    if status != 200:
        raise SystemExit(f"error: {user} could not sign in: {status} {answer}")
    token = None
    for value in headers.get_all("Set-Cookie") or []:
        m = re.match(rf"\s*{re.escape(cookie_name)}=([^;]*)", value)
        if m:
            token = m.group(1)
    if not token:
        raise SystemExit(f"error: signing in as {user} set no {cookie_name} cookie")
    cookie = f"{cookie_name}={token}"
    status, _, me = request(demo.base, "GET", "/api/auth/me", cookie=cookie)
    if status != 200:
        raise SystemExit(f"error: GET /api/auth/me as {user}: {status} {me}")
    if me.get("must_change_password") or me.get("totp_enrolment_required"):
        raise SystemExit(f"error: {user} must change its password or enrol a second factor first")
    return Session(user, role, cookie_name, token, answer["csrf_token"], me)


def make_target_account(demo, sysadmin, secadmin, org_id):
    """An account for the system administrator's run to change in place of the demo accounts:
    proposed by the system administrator, approved by the security administrator."""
    account = {"username": "contract_target", "display_name": "契约测试", "org_id": org_id,
               "role": "dept_clerk", "password": "Contract@2026target"}
    status, _, answer = request(demo.base, "POST", "/api/users", account, sysadmin.cookie, sysadmin.csrf)
    if status not in (200, 201, 202) or not answer or "change_id" not in answer:
        raise SystemExit(f"error: proposing the run's own account: {status} {answer}")
    status, _, answer = request(demo.base, "POST", f"/api/access-changes/{answer['change_id']}/approve",
                                {"note": "contract test"}, secadmin.cookie, secadmin.csrf)
    if status != 200 or not answer or not answer.get("user_id"):
        raise SystemExit(f"error: approving the run's own account: {status} {answer}")
    return answer["user_id"], account


def make_shared_data(demo, sessions, demo_ids):
    """A document and a notice from the leader to every demo account's unit, an integrity-opinion
    request by the analyst: without them the operations on one document, notice or request
    would see nothing but 404."""
    leader = sessions["commission_leader"]
    orgs = sorted({s.me["org"]["id"] for s in sessions.values()} - {leader.me["org"]["id"]})
    data = {"documents": [], "recipients": [], "notices": []}
    status, _, doc = request(demo.base, "POST", "/api/documents", {
        "title": "契约测试文件", "secrecy": "内部", "body": "请签收并回复。", "org_ids": orgs,
        "reply_required": True, "deadline": (datetime.date.today() + datetime.timedelta(days=14)).isoformat()},
        leader.cookie, leader.csrf)
    if status == 200 and doc and "id" in doc:
        data["documents"].append(doc["id"])
        status, _, view = request(demo.base, "GET", f"/api/documents/{doc['id']}", cookie=leader.cookie)
        if status == 200 and view:
            data["recipients"] = [r["id"] for r in view.get("recipients", [])]
    else:
        log(f"warning: sending the run's document: {status} {doc}")
    status, _, notice = request(demo.base, "POST", "/api/notices", {
        "title": "契约测试通知", "body": "契约测试。", "to_all": True}, leader.cookie, leader.csrf)
    if status == 200 and notice and "id" in notice:
        data["notices"].append(notice["id"])
    else:
        log(f"warning: publishing the run's notice: {status} {notice}")
    # An integrity-opinion request by the analyst (who reads full ID numbers) about two
    # residents found by name.
    analyst = sessions["commission_analyst"]
    data["id_numbers"], data["opinions"] = [], []
    status, _, found = request(demo.base, "GET", "/api/persons?" + urllib.parse.urlencode(
        {"q": "王", "purpose": PURPOSE}), cookie=analyst.cookie)
    people = [p for p in (found or {}).get("persons", []) if "*" not in p["id_number"]][:2]
    data["id_numbers"] = [p["id_number"] for p in people]
    if people:
        status, _, made = request(demo.base, "POST", "/api/opinions", {
            "reference": "契约测试〔2026〕1号", "purpose": "提拔任用", "requesting_org": "县委组织部",
            "reply_date": (datetime.date.today() + datetime.timedelta(days=10)).isoformat(),
            "persons": [{"name": p["name"], "id_number": p["id_number"]} for p in people]},
            analyst.cookie, analyst.csrf)
        if status == 200 and made and "id" in made:
            data["opinions"].append(made["id"])
        else:
            log(f"warning: making the run's opinion request: {status} {made}")
    else:
        log(f"warning: the analyst found nobody named 王: {status} {found}")
    data["users"] = demo_ids
    data["orgs"] = orgs
    return data


def role_data(demo, session, shared):
    """Identifiers the role can see, for its dictionaries."""
    data = dict(shared)
    perms = session.me.get("permissions", [])
    data["alerts"] = []
    if "alerts.read" in perms:
        status, _, a = request(demo.base, "GET", "/api/alerts?limit=5", cookie=session.cookie)
        if status == 200 and a:
            data["alerts"] = [x["id"] for x in a.get("alerts", [])]
    data["persons"] = []
    if "person.lookup" in perms:
        for q in ("王", "李", "张"):
            status, _, f = request(demo.base, "GET", "/api/persons?" + urllib.parse.urlencode({"q": q, "purpose": PURPOSE}),
                                   cookie=session.cookie)
            if status == 200 and f and f.get("persons"):
                data["persons"] = [x["handle"] for x in f["persons"][:5]]
                break
    return data


def role_document(spec, permissions, with_public):
    """The OpenAPI document cut to the operations a role may call (and, for one role, the
    public ones), less the excluded ones."""
    doc = json.loads(json.dumps(spec))
    selected = []
    for path, item in list(doc["paths"].items()):
        for method in [m for m in list(item) if m in ("get", "put", "post", "delete", "patch")]:
            op = item[method]
            public = op.get("security") == []
            needs = op.get("x-permission")
            keep = (method, path) not in EXCLUDED and (
                (public and with_public)
                or (not public and (not needs or any(p in permissions for p in needs)))
            )
            if keep:
                selected.append(f"{method.upper()} {path}")
            else:
                del item[method]
        if not any(m in item for m in ("get", "put", "post", "delete", "patch")):
            del doc["paths"][path]
    return doc, selected


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def write_config(path, session, args, login_account, data, operations):
    """The role's schemathesis.toml. `operations`: the "METHOD /path" the role's run tests.
    Schemathesis takes an operation's settings from the first [[operations]] entry that
    matches it, so each operation gets one entry with all of its own."""
    dictionaries = {
        "login_user": [login_account["username"]],
        "login_password": [login_account["password"]],
        "purpose": [PURPOSE],
        "users": data.get("users", []),
    }
    per_operation = {}  # "METHOD /path" -> {"parameters": [(key, binding)], "generation": str}

    def bind(op, parameter, dictionary, values):
        if op in operations and values:
            dictionaries[dictionary] = values
            per_operation.setdefault(op, {"parameters": []})["parameters"].append(
                (parameter, f'{{ dictionary = "{dictionary}", probability = 0.5 }}'))

    for op in operations:
        method, p = op.split(" ", 1)
        for regex, name, key in PATH_DICTIONARIES:
            if re.match(regex, p):
                bind(op, f"path.{name}", key, data.get(key))
        for m, vp, parameter, name, values in VALUE_DICTIONARIES:
            if (m, vp) == (method, p):
                bind(op, parameter, name, data.get(values, []) if isinstance(values, str) else values)
        if (method.lower(), p) in FEW_EXAMPLES:
            per_operation.setdefault(op, {"parameters": []})["generation"] = \
                f"{{ max-examples = {FEW_EXAMPLES[(method.lower(), p)]} }}"
    # Chats with the demo accounts.
    bind("POST /api/chat/conversations", "body.user_id", "users", data.get("users"))
    bind("POST /api/chat/conversations", "body.user_ids[*]", "users", data.get("users"))
    # Signing in as the run's own account now and then: the answer's schema is checked too.
    bind("POST /api/auth/login", "body.username", "login_user", [login_account["username"]])
    bind("POST /api/auth/login", "body.password", "login_password", [login_account["password"]])

    values_of = lambda xs: "[" + ", ".join(toml_str(x) for x in xs) + "]"
    lines = [
        f"seed = {args.seed}",
        "",
        "[generation]",
        f"max-examples = {args.max_examples}",
        # The generation database would make a run depend on the ones before it.
        'database = "none"',
        # The session cookie is the auth below, not a parameter to vary: otherwise a quarter
        # of the requests go without it and only ever see 401.
        "with-security-parameters = false",
        "",
        "[auth.openapi.session]",
        f"api_key = {toml_str(session.token)}",
        "",
        "[parameters]",
        f'"header.X-CSRF-Token" = {toml_str(session.csrf)}',
        '"query.purpose" = { dictionary = "purpose", probability = 0.5 }',
        "",
        "[dictionaries]",
        *[f"{k} = {{ values = {values_of(v)} }}" for k, v in sorted(dictionaries.items()) if v],
        "",
    ]
    for op, settings in sorted(per_operation.items()):
        # By name: `include-path` and `include-method` in one entry match either.
        lines += ["[[operations]]", f"include-name = {toml_str(op)}"]
        if settings.get("generation"):
            lines.append(f"generation = {settings['generation']}")
        if settings["parameters"]:
            lines.append("parameters = { " + ", ".join(
                f"{toml_str(k)} = {v}" for k, v in settings["parameters"]) + " }")
        lines.append("")
    Path(path).write_text("\n".join(lines), encoding="utf-8")


def failure_sections(text):
    """The ERRORS and FAILURES sections of Schemathesis' output (or its tail)."""
    out, keep = [], False
    for line in text.splitlines():
        m = re.match(r"^=+ (\w[\w ]*\w) =+$", line)
        if m:
            keep = m.group(1) in ("ERRORS", "FAILURES")
        if keep:
            out.append(line)
    return "\n".join(out)[-20000:] if out else "\n".join(text.splitlines()[-40:])


def run_role(args, st, demo, session, doc, selected, budget, state, out, login_account, data):
    role_dir = out / session.role
    role_dir.mkdir(parents=True, exist_ok=True)
    spec_path = role_dir / "openapi.json"
    spec_path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    state_path = role_dir / "state.json"
    counter = role_dir / "statuses.json"
    state_path.write_text(json.dumps({**state, "counter": str(counter)}), encoding="utf-8")
    config = role_dir / "schemathesis.toml"
    write_config(config, session, args, login_account, data, selected)
    (role_dir / "data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    report = role_dir / "report.json"
    cmd = [
        st, "--config-file", str(config), "run", str(spec_path),
        "--url", demo.base,
        "--checks", ",".join(CHECKS),
        "--workers", str(args.workers),
        "--max-time", str(budget),
        "--report", "json,junit" + (",har" if args.har else ""),
        "--report-dir", str(role_dir),
        "--report-json-path", str(report),
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HERE / "hooks.py"),
           "MJ_CONTRACT_STATE": str(state_path), "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    log(f"--- {session.role} ({session.user}): {len(selected)} operations, {budget} s")
    with open(role_dir / "schemathesis.log", "w", encoding="utf-8") as lf:
        try:
            rc = subprocess.run(cmd, stdout=lf, stderr=subprocess.STDOUT, env=env,
                                timeout=budget + 120).returncode
        except subprocess.TimeoutExpired:
            rc = -1
    elapsed = time.monotonic() - started
    result = {"role": session.role, "user": session.user, "selected": len(selected), "exit": rc,
              "seconds": round(elapsed), "log": str(role_dir / "schemathesis.log")}
    try:
        r = json.loads(report.read_text(encoding="utf-8"))
        result["tested"] = r["operations"]["tested"] if r.get("operations") else 0
        result["cases"] = r["test_cases"]["generated"]
        result["failures"] = sum(f["count"] for f in r["failures"])
        result["failure_groups"] = r["failures"]
        result["errors"] = r["errors"]
    except (OSError, ValueError, KeyError, TypeError):
        result.update(tested=0, cases=0, failures=0, failure_groups=[], errors=[{"title": "no report", "count": 1}])
    try:
        statuses = json.loads(counter.read_text())
    except (OSError, ValueError):
        statuses = {}
    result["requests"] = sum(n for by in statuses.values() for n in by.values())
    # The role's operations that answered with success at least once: the others had only
    # their error answers checked.
    result["succeeded"] = sum(
        1 for op in selected if any(s.startswith("2") for s in statuses.get(op, {})))
    result["never_succeeded"] = sorted(
        f"{op} {statuses.get(op, {})}" for op in selected
        if not any(s.startswith("2") for s in statuses.get(op, {})))
    result["ok"] = rc == 0 and result["failures"] == 0 and not result["errors"]
    log(f"    {'ok' if result['ok'] else 'FAILED'}: {result.get('tested')} operations tested "
        f"({result['succeeded']} answered 2xx), {result['requests']} requests, {result['failures']} failures, "
        f"{elapsed:.0f} s")
    if not result["ok"]:
        log(failure_sections((role_dir / "schemathesis.log").read_text(encoding="utf-8", errors="replace")))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--schemathesis", required=True)
    ap.add_argument("--out", required=True, help="directory for the logs and reports")
    ap.add_argument("--persons", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=2126)
    ap.add_argument("--max-examples", type=int, default=10)
    ap.add_argument("--time", type=int, default=360,
                    help="time budget of all the roles' runs, in s, shared by their numbers of operations")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--roles", default="", help="comma-separated role codes (default: all)")
    ap.add_argument("--har", action="store_true", help="also record every request and response (HAR)")
    args = ap.parse_args()

    # Stopped from outside, still stop the demo (it runs in a process group of its own).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="mj-contract-"))
    demo = Demo(args.bin, work, args.persons, free_port())
    started = time.monotonic()
    try:
        demo.wait(600)
        log(f"demo serving at {demo.base} after {time.monotonic() - started:.0f} s")
        status, _, spec = request(demo.base, "GET", "/api/openapi.json")
        if status != 200:
            raise SystemExit(f"error: GET /api/openapi.json: {status}")
        (out / "openapi.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
        cookie_name = spec["components"]["securitySchemes"]["session"]["name"]
        password, accounts = demo.accounts()

        # One account of each role, signed in before any run (sign-in is throttled per
        # address, and the runs call POST /api/auth/login with wrong passwords).
        by_role = {}
        for user, role, secret in accounts:
            if role not in by_role:
                by_role[role] = (user, secret)
        unknown = [r for r in by_role if r not in ROLE_ORDER]
        if unknown:
            raise SystemExit(f"error: the demo has roles this test does not know: {unknown}")
        sessions = {r: sign_in(demo, cookie_name, u, r, password, s) for r, (u, s) in by_role.items()}
        demo_ids = sorted(s.me["id"] for s in sessions.values())
        # The other demo accounts (a second analyst, a second verifier) are protected too.
        status, _, users = request(demo.base, "GET", "/api/users", cookie=sessions["system_admin"].cookie)
        if status == 200:
            names = {a[0] for a in accounts}
            demo_ids = sorted({u["id"] for u in users["users"] if u["username"] in names} | set(demo_ids))
        target_id, target = make_target_account(
            demo, sessions["system_admin"], sessions["security_admin"], sessions["dept_clerk"].me["org"]["id"])
        shared = make_shared_data(demo, sessions, demo_ids)
        log(f"signed in as {', '.join(s.user for s in sessions.values())}; the run's own account is "
            f"user {target_id}; document {shared['documents']}, notice {shared['notices']}, "
            f"opinion request {shared['opinions']}")

        wanted = [r for r in ROLE_ORDER if r in sessions]
        if args.roles:
            wanted = [r for r in wanted if r in args.roles.split(",")]
        docs = {r: role_document(spec, sessions[r].me.get("permissions", []), i == 0)
                for i, r in enumerate(wanted)}
        all_ops = sum(len(d[1]) for d in docs.values()) or 1
        results = []
        for i, role in enumerate(wanted):
            later = set(wanted[i:])
            done = [r for r in wanted[:i] if r.endswith("_admin")]
            state = {
                "protected_users": demo_ids,
                "target_user": target_id,
                # The roles of this run and the runs after it keep their permissions.
                "protected_roles": sorted(later),
                "target_role": done[-1] if done else "contract_no_such_role",
            }
            doc, selected = docs[role]
            budget = max(MIN_ROLE_TIME, round(args.time * len(selected) / all_ops))
            results.append(run_role(args, args.schemathesis, demo, sessions[role], doc, selected, budget,
                                    state, out, target, role_data(demo, sessions[role], shared)))
            if demo.proc.poll() is not None:
                raise SystemExit(f"error: the demo exited ({demo.proc.returncode}) during the {role} run")
    finally:
        demo.stop()
        shutil.copy(work / "demo.log", out / "demo.log")
        shutil.rmtree(work, ignore_errors=True)

    total = time.monotonic() - started
    log("")
    log(f"{'role':<20} {'account':<12} {'operations':>10} {'2xx':>5} {'requests':>9} {'failures':>9} {'seconds':>8}")
    for r in results:
        log(f"{r['role']:<20} {r['user']:<12} {r['tested']:>4} of {r['selected']:<3} {r['succeeded']:>5} "
            f"{r['requests']:>9} {r['failures']:>9} {r['seconds']:>8}")
    log(f"{'all':<20} {'':<12} {sum(r['tested'] for r in results):>10} {sum(r['succeeded'] for r in results):>5} "
        f"{sum(r['requests'] for r in results):>9} {sum(r['failures'] for r in results):>9} {total:>8.0f}")
    log("(operations: tested of selected; 2xx: of those, answered with success at least once; "
        "seconds: all, the demo's start included)")
    (out / "summary.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    failed = [r for r in results if not r["ok"]]
    log(f"contract: {len(results) - len(failed)} passed, {len(failed)} failed")
    for r in failed:
        for g in r["failure_groups"]:
            log(f"  {r['role']}: {g['title']} ({g['count']}) in {', '.join(g['operations'])}")
        for e in r["errors"]:
            log(f"  {r['role']}: error: {e['title']} ({e['count']})")
        log(f"  {r['role']}: see {r['log']}")
    log(f"reports in {out}")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
