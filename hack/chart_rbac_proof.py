"""The chart's RBAC, proven against kube-sim with RBAC on (imported by hack/check-chart.py).

1. Sufficient: kube-sim runs with `--authorization-mode RBAC --no-anonymous-auth` over HTTPS (`--tls-dir`); the rendered ServiceAccount, Roles,
   ClusterRoles and bindings and the default pipeline are applied; `kubectl create token` (TokenRequest) gives the
   ServiceAccount's token; `.build/debug/pacer` runs with the chart Deployment's arguments and env and a kubeconfig
   holding only that token and kube-sim's CA (`certificate-authority-data`). Every part must work: the Lease is held and renewed, every pacer.dev object gets the
   cleanup finalizer and a Ready condition, Deployments listed before and created after the start become events
   (also in a namespace created after the start), so do a StatefulSet and a DaemonSet listed at the start, a
   `kubectl rollout restart` rolled out before the start is reported as `restarted`, not as a deployment (the
   previous revision's template is read from its ReplicaSet: list/watch replicasets), and no request is refused (no
   "forbidden" in the log).
2. Necessary: for every verb of every resource of every rule of the chart's ClusterRole and Roles, the same run with
   only that verb removed logs the apiserver's refusal (`cannot VERB resource "RESOURCE"`).

The test's own kubectl uses kube-sim's admin kubeconfig (user in system:masters; over HTTPS kubectl sends its token).
"""
from __future__ import annotations

import base64
import copy
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

RBAC_KINDS = ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
DB = f"pacer_chart_rbac_{os.getpid()}"  # per process: two checks may share one PostgreSQL


def _workload(kind: str, name: str) -> dict:
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}


WORKLOADS = [_workload("StatefulSet", "db"), _workload("DaemonSet", "agent")]


def run(objects: list[dict], cc) -> None:
    base, error = cc.development_postgres()
    if not cc.check("rbac proof: development PostgreSQL", base.startswith("postgres://"), error):
        return
    # Pacer's own RBAC; the `helm test` hook's ServiceAccount and Role are the test Pod's, not Pacer's.
    rbac = [o for o in objects if o["kind"] in RBAC_KINDS and "helm.sh/hook" not in o["metadata"].get("annotations", {})]
    deployment = cc.find(objects, "Deployment", cc.RELEASE)[0]
    pipeline = [o for o in objects if o["apiVersion"].startswith("pacer.dev/")]
    t0 = time.monotonic()
    tls_dir = tempfile.mkdtemp(prefix="kube-sim-tls-")  # one CA and serving certificate for every run (kube-sim reuses them)
    try:
        ok, detail = attempt(cc, base, tls_dir, deployment, rbac, pipeline, expect=None)
        cc.check("rbac proof: pacer run with the chart's ServiceAccount token, RBAC and TLS: Lease held and renewed, finalizers, "
                 "Ready statuses, Deployment events (listed, watched, new namespace), a restart rolled out before the start reported as "
                 "restarted (ReplicaSets read), StatefulSet and DaemonSet events, nothing forbidden", ok, detail)
        variants = [(i, o, n, res, verb) for i, o in enumerate(rbac) if o["kind"] in ("ClusterRole", "Role")
                    for n, rule in enumerate(o["rules"]) for res in rule.get("resources", []) for verb in rule["verbs"]]
        missing = []
        for index, obj, rule_index, resource, verb in variants:
            reduced = copy.deepcopy(rbac)
            reduced[index] = without(obj, rule_index, resource, verb)
            expected = f'cannot {verb} resource "{resource}"'
            started = time.monotonic()
            ok, detail = attempt(cc, base, tls_dir, deployment, reduced, pipeline, expect=expected)
            print(f"rbac proof: without {verb} {resource}: {'refused as expected' if ok else 'NOT refused'} ({time.monotonic() - started:.1f} s)")
            if not ok:
                missing.append(f"{obj['kind']}/{obj['metadata']['name']} rule {rule_index} {verb} {resource}: {detail}")
        cc.check(f"rbac proof: each of the {len(variants)} verbs of the chart's Roles/ClusterRoles is needed "
                 f"(removed alone, Pacer logs the refusal)", not missing and len(variants) > 0, "; ".join(missing))
        print(f"rbac proof: {len(variants) + 1} runs in {time.monotonic() - t0:.0f} s")
    finally:
        subprocess.run(["psql", base, "-qAtc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"], capture_output=True, timeout=60)
        shutil.rmtree(tls_dir, ignore_errors=True)


def without(role: dict, rule_index: int, resource: str, verb: str) -> dict:
    """The role with `verb` removed for `resource` in rule `rule_index` only (other resources of the rule keep it)."""
    out = copy.deepcopy(role)
    rule = out["rules"][rule_index]
    replaced = []
    others = [r for r in rule["resources"] if r != resource]
    if others:
        replaced.append({**rule, "resources": others})
    verbs = [v for v in rule["verbs"] if v != verb]
    if verbs:
        replaced.append({**rule, "resources": [resource], "verbs": verbs})
    out["rules"] = out["rules"][:rule_index] + replaced + out["rules"][rule_index + 1:]
    return out


def attempt(cc, base: str, tls_dir: str, deployment: dict, rbac: list[dict], pipeline: list[dict], expect: str | None) -> tuple[bool, str]:
    """One kube-sim, one fresh database, one `pacer run`. With `expect`: True once the log contains it.
    Without: True once every part of Pacer worked and nothing was forbidden."""
    with tempfile.TemporaryDirectory() as tmp:
        admin = os.path.join(tmp, "admin.kubeconfig")
        sim_log = open(os.path.join(tmp, "kube-sim.log"), "w")
        sim = subprocess.Popen([str(cc.ROOT / ".build" / "debug" / "kube-sim"), "--port", "0", "--kubeconfig-out", admin,
                                "--authorization-mode", "RBAC", "--no-anonymous-auth", "--tls-dir", tls_dir,
                                "--rollout-delay", "50",
                                "--log-level", "warning"], stdout=subprocess.PIPE, stderr=sim_log, text=True)
        pacer = None
        try:
            server = sim.stdout.readline().strip().rsplit(" ", 1)[-1]
            if not server.startswith("https://"):
                return False, f"kube-sim did not start: {server}"
            deadline = time.monotonic() + 30
            while not os.path.exists(admin) and time.monotonic() < deadline:
                time.sleep(0.05)
            ca_data = base64.b64encode(Path(tls_dir, "ca.crt").read_bytes()).decode()
            setup = [
                ("apply", "-f", str(cc.CHART / "crds")),
                ("create", "namespace", cc.NS),
                ("create", "deployment", "web", "--image=nginx:1.25", "-n", "default"),
            ]
            for args in setup:
                r = cc.kubectl(admin, *args)
                if r.returncode != 0:
                    return False, f"kubectl {' '.join(args)}: {r.stderr.strip()}"
            ok, detail = restart_before_start(cc, admin)
            if not ok:
                return False, detail
            r = cc.kubectl(admin, "apply", "-n", "default", "-f", "-", stdin=yaml.safe_dump_all(WORKLOADS))
            if r.returncode != 0:
                return False, f"apply StatefulSet and DaemonSet: {r.stderr.strip()}"
            r = cc.kubectl(admin, "apply", "-n", cc.NS, "-f", "-", stdin=yaml.safe_dump_all(rbac + pipeline))
            if r.returncode != 0:
                return False, f"apply chart objects: {r.stderr.strip()}"
            r = cc.kubectl(admin, "create", "token", cc.RELEASE, "-n", cc.NS, "--duration=1h")
            token = r.stdout.strip()
            if r.returncode != 0 or not token:
                return False, f"kubectl create token: {r.stderr.strip()}"
            kubeconfig = os.path.join(tmp, "pacer.kubeconfig")
            Path(kubeconfig).write_text(yaml.safe_dump({
                "apiVersion": "v1", "kind": "Config", "current-context": "pacer",
                "clusters": [{"name": "sim", "cluster": {"server": server, "certificate-authority-data": ca_data}}],
                "users": [{"name": "pacer", "user": {"token": token}}],
                "contexts": [{"name": "pacer", "context": {"cluster": "sim", "user": "pacer", "namespace": cc.NS}}]}))
            for sql in (f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", f"CREATE DATABASE {DB}"):
                r = subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True, timeout=60)
                if r.returncode != 0:
                    return False, r.stderr
            url = base.replace("/pacer?", f"/{DB}?")
            pacer, log_path, port = start_pacer(cc, deployment, kubeconfig, url, tmp)
            if expect is not None:
                # Reads with a token make Pacer ask TokenReview and SubjectAccessReview (read authorization).
                def poke():
                    read(port, "/metrics", token)
                return wait_for_log(pacer, log_path, expect, poke=poke)
            return check_everything(cc, admin, url, log_path, pacer, port)
        finally:
            if pacer is not None:
                pacer.terminate()
                try:
                    pacer.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    pacer.kill()
                    pacer.wait(timeout=5)
            sim.terminate()
            try:
                sim.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sim.kill()
            sim_log.close()


def restart_before_start(cc, admin: str) -> tuple[bool, str]:
    """Deployment default/web: revision 1 rolled out, then `kubectl rollout restart` (the restartedAt patch it sends) rolled
    out as revision 2, all before Pacer starts."""
    def rolled_out(revision: str) -> bool:
        r = cc.kubectl(admin, "get", "deployment", "web", "-n", "default", "-o", "json")
        if r.returncode != 0:
            return False
        d = json.loads(r.stdout)
        conditions = d.get("status", {}).get("conditions", [])
        return (d["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision") == revision
                and d.get("status", {}).get("observedGeneration") == d["metadata"].get("generation")
                and any(c.get("reason") == "NewReplicaSetAvailable" for c in conditions))

    for revision, patch in (("1", None), ("2", {"spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": "2026-12-02T10:00:00Z"}}}}})):
        if patch is not None:
            r = cc.kubectl(admin, "patch", "deployment", "web", "-n", "default", "--type", "merge", "-p", json.dumps(patch))
            if r.returncode != 0:
                return False, f"kubectl patch (rollout restart): {r.stderr.strip()}"
        deadline = time.monotonic() + 30
        while not rolled_out(revision):
            if time.monotonic() > deadline:
                return False, f"deployment default/web: revision {revision} not rolled out in kube-sim within 30 s"
            time.sleep(0.1)
    return True, ""


def start_pacer(cc, deployment: dict, kubeconfig: str, url: str, tmp: str):
    c = deployment["spec"]["template"]["spec"]["containers"][0]
    token_file = os.path.join(tmp, "ingest-token")
    Path(token_file).write_text("ingest-token\n")
    args = [a.replace("/etc/pacer/ingest/token", token_file) for a in c["args"]] + ["--kubeconfig", kubeconfig]
    port = cc.free_port()
    env = dict(os.environ)
    env.pop("KUBECONFIG", None)
    env.update({e["name"]: e["value"] for e in c["env"] if "value" in e})
    env.update({"PACER_DATABASE_URL": url, "PACER_HTTP_PORT": str(port), "PACER_HTTP_HOST": "127.0.0.1", "PACER_LOG_FORMAT": "text"})
    log_path = os.path.join(tmp, "pacer.log")
    log = open(log_path, "w")
    proc = subprocess.Popen([str(cc.ROOT / ".build" / "debug" / "pacer"), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return proc, log_path, port


def read(port: int, path: str, token: str | None) -> tuple[int, str]:
    """GET on Pacer's port, with `Authorization: Bearer token` when given; (status, body), (0, error) when down."""
    import urllib.error
    import urllib.request
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def wait_for_log(pacer, log_path: str, expect: str, timeout: float = 60, poke=None) -> tuple[bool, str]:
    deadline = time.monotonic() + timeout
    last_poke = 0.0
    while time.monotonic() < deadline:
        text = Path(log_path).read_text(errors="replace")
        if expect in text:
            return True, ""
        if pacer.poll() is not None:
            break
        if poke is not None and time.monotonic() - last_poke > 0.5:
            last_poke = time.monotonic()
            poke()
        time.sleep(0.1)
    text = Path(log_path).read_text(errors="replace")
    return expect in text, f"no log line with '{expect}' (exit={pacer.poll()}); log tail: {text[-600:]}"


def count_events(url: str, subject: str, type_suffix: str = "") -> int:
    where = f"ce_subject = '{subject}'" + (f" AND ce_type LIKE '%{type_suffix}'" if type_suffix else "")
    r = subprocess.run(["psql", url, "-qAtc", f"SELECT count(*) FROM cloudevents_raw WHERE {where}"],
                       capture_output=True, text=True, timeout=30)
    return int(r.stdout.strip() or 0) if r.returncode == 0 else 0


def check_everything(cc, admin: str, url: str, log_path: str, pacer, port: int) -> tuple[bool, str]:
    def kubectl_json(*args):
        r = cc.kubectl(admin, *args, "-o", "json")
        return json.loads(r.stdout) if r.returncode == 0 else {}

    def pipeline_settled() -> bool:
        items = []
        for plural in ("eventroutes", "cdeventtransforms", "metricdefinitions"):
            items += kubectl_json("get", "-n", cc.NS, plural).get("items", [])
        return bool(items) and all(
            "pacer.dev/cleanup" in i["metadata"].get("finalizers", [])
            and any(c.get("type") == "Ready" and c.get("status") == "True" for c in i.get("status", {}).get("conditions", []))
            for i in items)

    def lease() -> dict:
        return kubectl_json("get", "lease", "pacer-leader", "-n", cc.NS).get("spec", {})

    steps = [
        ("Deployment listed at start becomes an event", lambda: count_events(url, "default/web") > 0),
        ("its restart rolled out before the start is `restarted` (previous ReplicaSet read), not a deployment",
         lambda: count_events(url, "default/web", ".restarted") == 1 and count_events(url, "default/web", ".revision") == 0),
        ("StatefulSet listed at start becomes an event", lambda: count_events(url, "default/db") > 0),
        ("DaemonSet listed at start becomes an event", lambda: count_events(url, "default/agent") > 0),
        ("every pacer.dev object has the finalizer and Ready=True", pipeline_settled),
        ("Lease pacer-leader held", lambda: bool(lease().get("holderIdentity"))),
    ]
    deadline = time.monotonic() + 90
    for name, condition in steps:
        while not condition():
            if time.monotonic() > deadline or pacer.poll() is not None:
                return False, f"{name}: not within the time limit (exit={pacer.poll()}); log tail: {Path(log_path).read_text()[-800:]}"
            time.sleep(0.3)
    first_renew = lease().get("renewTime")
    for args in (("create", "deployment", "web2", "--image=nginx:1.25", "-n", "default"),
                 ("create", "namespace", "late"),
                 ("create", "deployment", "web3", "--image=nginx:1.25", "-n", "late")):
        r = cc.kubectl(admin, *args)
        if r.returncode != 0:
            return False, f"kubectl {' '.join(args)}: {r.stderr}"
    later = [
        ("Deployment created after the start (watch) becomes an event", lambda: count_events(url, "default/web2") > 0),
        ("Deployment in a namespace created after the start becomes an event", lambda: count_events(url, "late/web3") > 0),
        ("Lease renewed (update)", lambda: lease().get("renewTime") not in (None, first_renew)),
    ]
    for name, condition in later:
        while not condition():
            if time.monotonic() > deadline or pacer.poll() is not None:
                return False, f"{name}: not within the time limit (exit={pacer.poll()}); log tail: {Path(log_path).read_text()[-800:]}"
            time.sleep(0.3)
    # Read authorization: a reader allowed get/list metricdefinitions here reads them; a ServiceAccount without
    # permissions cannot read one; no token is 401.
    reader_rbac = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "reader", "namespace": cc.NS}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "nobody", "namespace": cc.NS}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader", "namespace": cc.NS},
         "rules": [{"apiGroups": ["pacer.dev"], "resources": ["metricdefinitions"], "verbs": ["get", "list"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "reader", "namespace": cc.NS},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": cc.NS}]},
    ]
    r = cc.kubectl(admin, "apply", "-f", "-", stdin=yaml.safe_dump_all(reader_rbac))
    if r.returncode != 0:
        return False, f"reader RBAC: {r.stderr}"
    tokens = {who: cc.kubectl(admin, "create", "token", who, "-n", cc.NS).stdout.strip() for who in ("reader", "nobody")}
    definitions = json.loads(read(port, "/api/v1/metrics", tokens["reader"])[1] or "{}").get("items", [])
    name = definitions[0].get("name") if definitions else "deployment-frequency"
    reads = {
        "no token": (read(port, "/api/v1/metrics", None)[0], 401),
        "reader lists every definition": (len(definitions), len(kubectl_json("get", "-n", cc.NS, "metricdefinitions").get("items", []))),
        "reader gets one": (read(port, f"/api/v1/metrics/{cc.NS}/{name}", tokens["reader"])[0], 200),
        "nobody gets one": (read(port, f"/api/v1/metrics/{cc.NS}/{name}", tokens["nobody"])[0], 403),
    }
    wrong = {k: v for k, v in reads.items() if v[0] != v[1]}
    if wrong:
        return False, f"read authorization (got, wanted): {wrong}; log tail: {Path(log_path).read_text()[-600:]}"
    text = Path(log_path).read_text(errors="replace")
    forbidden = [line for line in text.splitlines() if "forbidden" in line.lower()]
    return not forbidden, "\n".join(forbidden[:5])
