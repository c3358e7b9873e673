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

from processes import stop_process

RBAC_KINDS = ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
DB = f"pacer_chart_rbac_{os.getpid()}"  # per process: two checks may share one PostgreSQL
# Runs with one verb removed at a time, this many at once (PACER_RBAC_PROOF_JOBS).
JOBS = max(1, int(os.environ.get("PACER_RBAC_PROOF_JOBS", "3")))


def _workload(kind: str, name: str) -> dict:
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}


WORKLOADS = [_workload("StatefulSet", "db"), _workload("DaemonSet", "agent")]


def run(objects: list[dict], cc, watch_objects: list[dict] | None = None, monitored_objects: list[dict] | None = None) -> None:
    """`objects`: the default render; `watch_objects`: rendered with watchNamespaces; `monitored_objects`: with the
    ServiceMonitor on (its scraper ServiceAccount and /metrics ClusterRole)."""
    base, error = cc.development_postgres()
    if not cc.check("rbac proof: development PostgreSQL", base.startswith("postgres://"), error):
        return
    # Pacer's own RBAC; the `helm test` hook's ServiceAccount and Role are the test Pod's, not Pacer's.
    rbac = [o for o in objects if o["kind"] in RBAC_KINDS and "helm.sh/hook" not in o["metadata"].get("annotations", {})]
    deployment = cc.find(objects, "Deployment", cc.RELEASE)[0]
    pipeline = [o for o in objects if o["apiVersion"].startswith("pacer.dev/")]
    t0 = time.monotonic()
    tls_dir = tempfile.mkdtemp(prefix="kube-sim-tls-")  # one CA and serving certificate for every run (kube-sim reuses them)
    hook = [o for o in objects if o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    scraper = [o for o in monitored_objects or [] if o["kind"] in RBAC_KINDS and o["metadata"]["name"].startswith(f"{cc.RELEASE}-")
               and ("scraper" in o["metadata"]["name"] or "metrics-reader" in o["metadata"]["name"])]

    def readers(admin: str, port: int, restart) -> None:
        check_readers(cc, admin, port, restart, hook, scraper)
    try:
        ok, detail = attempt(cc, base, tls_dir, deployment, rbac, pipeline, expect=None, after=readers)
        cc.check("rbac proof: pacer run with the chart's ServiceAccount token, RBAC and TLS: Lease held and renewed, finalizers, "
                 "Ready statuses, Deployment events (listed, watched, new namespace), a restart rolled out before the start reported as "
                 "restarted (ReplicaSets read), StatefulSet and DaemonSet events, nothing forbidden", ok, detail)
        variants = [(i, o, n, res, verb) for i, o in enumerate(rbac) if o["kind"] in ("ClusterRole", "Role")
                    for n, rule in enumerate(o["rules"]) for res in rule.get("resources", []) for verb in rule["verbs"]]
        missing = []

        def one(variant, db: str) -> None:
            index, obj, rule_index, resource, verb = variant
            reduced = copy.deepcopy(rbac)
            reduced[index] = without(obj, rule_index, resource, verb)
            expected = f'cannot {verb} resource "{resource}"'
            started = time.monotonic()
            ok, detail = attempt(cc, base, tls_dir, deployment, reduced, pipeline, expect=expected, db=db)
            print(f"rbac proof: without {verb} {resource}: {'refused as expected' if ok else 'NOT refused'} ({time.monotonic() - started:.1f} s)", flush=True)
            if not ok:
                missing.append(f"{obj['kind']}/{obj['metadata']['name']} rule {rule_index} {verb} {resource}: {detail}")
        in_parallel(variants, one)
        cc.check(f"rbac proof: each of the {len(variants)} verbs of the chart's Roles/ClusterRoles is needed "
                 f"(removed alone, Pacer logs the refusal)", not missing and len(variants) > 0, "; ".join(missing))
        print(f"rbac proof: {len(variants) + 1} runs in {time.monotonic() - t0:.0f} s")
        if watch_objects is not None:
            run_watch_namespaces(cc, base, tls_dir, watch_objects)
    finally:
        for db in [DB, *(f"{DB}_{k}" for k in range(JOBS))]:
            subprocess.run(["psql", base, "-qAtc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True, timeout=60)
        shutil.rmtree(tls_dir, ignore_errors=True)


def in_parallel(variants: list, one) -> None:
    """`one(variant, db)` for every variant, JOBS at a time (each run is a kube-sim and a `pacer run` mostly waiting
    for a log line, about 11 s; one after the other the proof took 10+ minutes of CI). Each worker has its own
    database; the lists `one` appends to are shared (list.append is atomic)."""
    import queue
    import threading
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for v in variants:
        pending.put(v)

    def worker(k: int) -> None:
        while True:
            try:
                v = pending.get_nowait()
            except queue.Empty:
                return
            one(v, f"{DB}_{k}")
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(JOBS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def without(role: dict, rule_index: int, resource: str, verb: str) -> dict:
    """The role with `verb` removed for `resource` (a resource, or a URL of a nonResourceURLs rule) in rule
    `rule_index` only (other resources of the rule keep it)."""
    out = copy.deepcopy(role)
    rule = out["rules"][rule_index]
    field = "resources" if "resources" in rule else "nonResourceURLs"
    replaced = []
    others = [r for r in rule[field] if r != resource]
    if others:
        replaced.append({**rule, field: others})
    verbs = [v for v in rule["verbs"] if v != verb]
    if verbs:
        replaced.append({**rule, field: [resource], "verbs": verbs})
    out["rules"] = out["rules"][:rule_index] + replaced + out["rules"][rule_index + 1:]
    return out


def attempt(cc, base: str, tls_dir: str, deployment: dict, rbac: list[dict], pipeline: list[dict], expect: str | list[str] | None,
            after=None, watched: list[str] | None = None, db: str = DB) -> tuple[bool, str]:
    """One kube-sim, one fresh database, one `pacer run`. With `expect`: True once the log contains it (every one of
    a list). Without: True once every part of Pacer worked and nothing was forbidden; then `after(admin, port,
    restart)` runs on the same kube-sim (restart() starts a fresh `pacer run` there and returns its port).
    `watched`: the namespaces of watchNamespaces mode (created, each given the pipeline; workloads go in the first)
    instead of cluster-wide mode (workloads in default)."""
    workload_ns = watched[0] if watched else "default"
    with tempfile.TemporaryDirectory() as tmp:
        sim, sim_log, admin = start_sim(cc, tls_dir, tmp)
        pacer = None
        try:
            server = sim_server(sim, admin)
            if not server.startswith("https://"):
                return False, f"kube-sim did not start: {server}"
            # The GitOps kinds' CRDs too, so Pacer watches them and each of their verbs is proven needed (a kind
            # that is not served is skipped without a request the RBAC could refuse).
            setup = [("apply", "-f", str(cc.CHART / "crds")), ("apply", "-f", str(cc.ROOT / "hack" / "workload-crds"))]
            setup += [("create", "namespace", n) for n in dict.fromkeys([cc.NS, *(watched or [])])]
            setup += [("create", "deployment", "web", "--image=nginx:1.25", "-n", workload_ns)]
            for args in setup:
                r = cc.kubectl(admin, *args)
                if r.returncode != 0:
                    return False, f"kubectl {' '.join(args)}: {r.stderr.strip()}"
            ok, detail = restart_before_start(cc, admin, workload_ns)
            if not ok:
                return False, detail
            r = cc.kubectl(admin, "apply", "-n", workload_ns, "-f", "-", stdin=yaml.safe_dump_all(WORKLOADS))
            if r.returncode != 0:
                return False, f"apply StatefulSet and DaemonSet: {r.stderr.strip()}"
            # The rendered RBAC names its namespaces (the -watch Roles are in the watched ones); the pipeline goes
            # to the release namespace, as Helm installs it, and in watchNamespaces mode into every watched one.
            r = cc.kubectl(admin, "apply", "-f", "-", stdin=yaml.safe_dump_all(rbac))
            if r.returncode != 0:
                return False, f"apply chart RBAC: {r.stderr.strip()}"
            for n in dict.fromkeys([cc.NS, *(watched or [])]):
                r = cc.kubectl(admin, "apply", "-n", n, "-f", "-", stdin=yaml.safe_dump_all(pipeline))
                if r.returncode != 0:
                    return False, f"apply the pipeline in {n}: {r.stderr.strip()}"
            kubeconfig, token, error = service_account_kubeconfig(cc, admin, server, tls_dir, tmp)
            if error:
                return False, error
            for sql in (f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", f"CREATE DATABASE {db}"):
                r = subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True, timeout=60)
                if r.returncode != 0:
                    return False, r.stderr
            url = base.replace("/pacer?", f"/{db}?")
            pacer, log_path, port = start_pacer(cc, deployment, kubeconfig, url, tmp)
            if expect is not None:
                # Reads with a token make Pacer ask TokenReview and SubjectAccessReview (read authorization).
                def poke():
                    read(port, "/metrics", token)
                return wait_for_log(pacer, log_path, expect, poke=poke)
            ok, detail = check_everything(cc, admin, url, log_path, pacer, port, workload_ns, late_namespace=not watched)
            if ok and after is not None:
                def restart() -> int:
                    nonlocal pacer
                    stop(pacer)
                    pacer, path, new_port = start_pacer(cc, deployment, kubeconfig, url, tmp)
                    deadline = time.monotonic() + 60
                    while read(new_port, "/readyz", None)[0] != 200 and time.monotonic() < deadline and pacer.poll() is None:
                        time.sleep(0.2)
                    return new_port
                after(admin, port, restart)
            return ok, detail
        finally:
            if pacer is not None:
                stop(pacer)
            stop_sim(sim, sim_log)


def start_sim(cc, tls_dir: str, tmp: str):
    """kube-sim over HTTPS with RBAC on and no anonymous access; (process, its log file, the admin kubeconfig path)."""
    admin = os.path.join(tmp, "admin.kubeconfig")
    sim_log = open(os.path.join(tmp, "kube-sim.log"), "w")
    sim = subprocess.Popen([str(cc.ROOT / ".build" / "debug" / "kube-sim"), "--port", "0", "--kubeconfig-out", admin,
                            "--authorization-mode", "RBAC", "--no-anonymous-auth", "--tls-dir", tls_dir, "--rollout-delay", "50",
                            "--log-level", "warning"], stdout=subprocess.PIPE, stderr=sim_log, text=True)
    return sim, sim_log, admin


def sim_server(sim, admin: str) -> str:
    """The URL kube-sim prints when it listens (what it printed instead when it did not start), once the admin
    kubeconfig is written."""
    server = sim.stdout.readline().strip().rsplit(" ", 1)[-1]
    deadline = time.monotonic() + 30
    while server.startswith("https://") and not os.path.exists(admin) and time.monotonic() < deadline:
        time.sleep(0.05)
    return server


def stop_sim(sim, sim_log) -> None:
    stop_process(sim, sim_log)


def service_account_kubeconfig(cc, admin: str, server: str, tls_dir: str, tmp: str) -> tuple[str, str, str]:
    """A kubeconfig holding only the chart ServiceAccount's token (TokenRequest) and kube-sim's CA:
    (path, token, error or "")."""
    r = cc.kubectl(admin, "create", "token", cc.RELEASE, "-n", cc.NS, "--duration=1h")
    token = r.stdout.strip()
    if r.returncode != 0 or not token:
        return "", "", f"kubectl create token: {r.stderr.strip()}"
    ca_data = base64.b64encode(Path(tls_dir, "ca.crt").read_bytes()).decode()
    kubeconfig = os.path.join(tmp, "pacer.kubeconfig")
    Path(kubeconfig).write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "pacer",
        "clusters": [{"name": "sim", "cluster": {"server": server, "certificate-authority-data": ca_data}}],
        "users": [{"name": "pacer", "user": {"token": token}}],
        "contexts": [{"name": "pacer", "context": {"cluster": "sim", "user": "pacer", "namespace": cc.NS}}]}))
    return kubeconfig, token, ""


def restart_before_start(cc, admin: str, namespace: str = "default") -> tuple[bool, str]:
    """Deployment <namespace>/web: revision 1 rolled out, then `kubectl rollout restart` (the restartedAt patch it sends) rolled
    out as revision 2, all before Pacer starts."""
    def rolled_out(revision: str) -> bool:
        r = cc.kubectl(admin, "get", "deployment", "web", "-n", namespace, "-o", "json")
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
            r = cc.kubectl(admin, "patch", "deployment", "web", "-n", namespace, "--type", "merge", "-p", json.dumps(patch))
            if r.returncode != 0:
                return False, f"kubectl patch (rollout restart): {r.stderr.strip()}"
        deadline = time.monotonic() + 30
        while not rolled_out(revision):
            if time.monotonic() > deadline:
                return False, f"deployment {namespace}/web: revision {revision} not rolled out in kube-sim within 30 s"
            time.sleep(0.1)
    return True, ""


def stop(pacer) -> None:
    stop_process(pacer, timeout=15)


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


def wait_for_log(pacer, log_path: str, expect: str | list[str], timeout: float = 180, poke=None) -> tuple[bool, str]:
    wanted = [expect] if isinstance(expect, str) else expect
    deadline = time.monotonic() + timeout
    last_poke = 0.0
    while time.monotonic() < deadline:
        text = Path(log_path).read_text(errors="replace")
        if all(w in text for w in wanted):
            return True, ""
        if pacer.poll() is not None:
            break
        if poke is not None and time.monotonic() - last_poke > 0.5:
            last_poke = time.monotonic()
            poke()
        time.sleep(0.1)
    text = Path(log_path).read_text(errors="replace")
    missing = [w for w in wanted if w not in text]
    return not missing, f"no log line with {missing} (exit={pacer.poll()}); log tail: {text[-600:]}"


def count_events(url: str, subject: str, type_suffix: str = "") -> int:
    where = f"ce_subject = '{subject}'" + (f" AND ce_type LIKE '%{type_suffix}'" if type_suffix else "")
    r = subprocess.run(["psql", url, "-qAtc", f"SELECT count(*) FROM cloudevents_raw WHERE {where}"],
                       capture_output=True, text=True, timeout=30)
    return int(r.stdout.strip() or 0) if r.returncode == 0 else 0


def check_everything(cc, admin: str, url: str, log_path: str, pacer, port: int, workload_ns: str = "default",
                     late_namespace: bool = True) -> tuple[bool, str]:
    def kubectl_json(*args):
        r = cc.kubectl(admin, *args, "-o", "json")
        return json.loads(r.stdout) if r.returncode == 0 else {}

    def pipeline_settled() -> bool:
        items = []
        for plural in ("eventroutes", "cdeventtransforms", "metricdefinitions"):
            items += kubectl_json("get", "--all-namespaces", plural).get("items", [])
        return bool(items) and all(
            "pacer.dev/cleanup" in i["metadata"].get("finalizers", [])
            and any(c.get("type") == "Ready" and c.get("status") == "True" for c in i.get("status", {}).get("conditions", []))
            for i in items)

    def lease() -> dict:
        return kubectl_json("get", "lease", "pacer-leader", "-n", cc.NS).get("spec", {})

    steps = [
        ("Deployment listed at start becomes an event", lambda: count_events(url, f"{workload_ns}/web") > 0),
        ("its restart rolled out before the start is `restarted` (previous ReplicaSet read), not a deployment",
         lambda: count_events(url, f"{workload_ns}/web", ".restarted") == 1 and count_events(url, f"{workload_ns}/web", ".revision") == 0),
        ("StatefulSet listed at start becomes an event", lambda: count_events(url, f"{workload_ns}/db") > 0),
        ("DaemonSet listed at start becomes an event", lambda: count_events(url, f"{workload_ns}/agent") > 0),
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
    creations = [("create", "deployment", "web2", "--image=nginx:1.25", "-n", workload_ns)]
    if late_namespace:  # cluster-wide mode only: in watchNamespaces mode a new namespace is not watched
        creations += [("create", "namespace", "late"), ("create", "deployment", "web3", "--image=nginx:1.25", "-n", "late")]
    for args in creations:
        r = cc.kubectl(admin, *args)
        if r.returncode != 0:
            return False, f"kubectl {' '.join(args)}: {r.stderr}"
    later = [
        ("Deployment created after the start (watch) becomes an event", lambda: count_events(url, f"{workload_ns}/web2") > 0),
        ("Lease renewed (update)", lambda: lease().get("renewTime") not in (None, first_renew)),
    ]
    if late_namespace:
        later.insert(1, ("Deployment in a namespace created after the start becomes an event", lambda: count_events(url, "late/web3") > 0))
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


def hook_script(cc, hook: list[dict], port: int, token_file: str) -> str:
    """The `helm test` Pod's script with the Service's address swapped for Pacer's local port and the mounted token
    for a file holding a TokenRequest token of the hook's ServiceAccount."""
    pod = [o for o in hook if o["kind"] == "Pod"][0]
    return (pod["spec"]["containers"][0]["args"][0]
            .replace(f"http://{cc.RELEASE}.{cc.NS}.svc:8080", f"http://127.0.0.1:{port}")
            .replace("/var/run/secrets/kubernetes.io/serviceaccount/token", token_file))


def check_readers(cc, admin: str, port: int, restart, hook: list[dict], scraper: list[dict]) -> None:
    """On the sufficient run's kube-sim and Pacer: the `helm test` hook's script passes with its ServiceAccount's
    token, and a scrape of /metrics with the scraper ServiceAccount's token is 200 (that token reads nothing else).
    Then each verb of each rule of the hook's Role and of the scraper's ClusterRole is removed alone: the hook's
    script fails on a 403, the scrape is 403. Pacer caches review answers, so each removal gets a fresh `pacer run`
    on the same kube-sim (restart)."""
    hook_rbac = [o for o in hook if o["kind"] in RBAC_KINDS]
    if not cc.check("rbac proof: the hook's ServiceAccount, Role and RoleBinding and the scraper's ServiceAccount, "
                    "ClusterRole and ClusterRoleBinding rendered",
                    {o["kind"] for o in hook_rbac} == {"ServiceAccount", "Role", "RoleBinding"}
                    and {o["kind"] for o in scraper} == {"ServiceAccount", "ClusterRole", "ClusterRoleBinding"},
                    str([(o["kind"], o["metadata"]["name"]) for o in hook_rbac + scraper])):
        return
    r = cc.kubectl(admin, "apply", "-n", cc.NS, "-f", "-", stdin=yaml.safe_dump_all(hook_rbac + scraper))
    if not cc.check("rbac proof: hook and scraper RBAC applied", r.returncode == 0, r.stderr):
        return
    with tempfile.TemporaryDirectory() as tmp:
        token_file = os.path.join(tmp, "hook-token")
        Path(token_file).write_text(cc.kubectl(admin, "create", "token", f"{cc.RELEASE}-test", "-n", cc.NS).stdout.strip())
        scraper_sa = [o for o in scraper if o["kind"] == "ServiceAccount"][0]["metadata"]["name"]
        # The ServiceMonitor reads the token of a kubernetes.io/service-account-token Secret; a TokenRequest token
        # names the same ServiceAccount.
        scrape_token = cc.kubectl(admin, "create", "token", scraper_sa, "-n", cc.NS).stdout.strip()

        def run_hook(at: int) -> subprocess.CompletedProcess:
            return subprocess.run(["sh", "-c", hook_script(cc, hook, at, token_file)], capture_output=True, text=True, timeout=180)

        r = run_hook(port)
        cc.check("rbac proof: the `helm test` script passes with the hook ServiceAccount's token against kube-sim's RBAC",
                 r.returncode == 0 and "pacer answers at" in r.stdout, r.stdout + r.stderr)
        scrape = read(port, "/metrics", scrape_token)
        other = read(port, f"/api/v1/metrics/{cc.NS}/deployment-frequency", scrape_token)
        cc.check("rbac proof: a scrape of /metrics with the scraper ServiceAccount's token is 200; its API read is 403",
                 scrape[0] == 200 and "pacer_" in scrape[1] and other[0] == 403, f"{scrape[0]} {scrape[1][:200]}; api {other}")
        variants = [(o, n, item, verb) for o in hook_rbac + scraper if o["kind"] in ("Role", "ClusterRole")
                    for n, rule in enumerate(o["rules"]) for item in rule.get("resources", rule.get("nonResourceURLs", []))
                    for verb in rule["verbs"]]
        missing = []
        for obj, rule_index, item, verb in variants:
            r = cc.kubectl(admin, "apply", "-n", cc.NS, "-f", "-", stdin=yaml.safe_dump(without(obj, rule_index, item, verb)))
            if r.returncode != 0:
                missing.append(f"apply {obj['metadata']['name']} without {verb} {item}: {r.stderr.strip()}")
                continue
            at = restart()
            if obj in scraper:
                got = read(at, "/metrics", scrape_token)
                ok, detail = got[0] == 403, f"scrape answered {got[0]}: {got[1][:200]}"
            else:
                got = run_hook(at)
                ok, detail = got.returncode != 0 and "403" in got.stderr, f"hook script rc={got.returncode}: {(got.stdout + got.stderr)[-300:]}"
            print(f"rbac proof: {obj['kind']}/{obj['metadata']['name']} without {verb} {item}: {'fails as expected' if ok else 'still works'}")
            if not ok:
                missing.append(f"{obj['kind']}/{obj['metadata']['name']} rule {rule_index} {verb} {item}: {detail}")
            cc.kubectl(admin, "apply", "-n", cc.NS, "-f", "-", stdin=yaml.safe_dump(obj))
        cc.check(f"rbac proof: each of the {len(variants)} verbs of the hook's Role and the scraper's /metrics ClusterRole is needed "
                 "(removed alone: the hook script fails on 403, the scrape is 403)", not missing and len(variants) > 0, "; ".join(missing))


def run_watch_namespaces(cc, base: str, tls_dir: str, objects: list[dict]) -> None:
    """watchNamespaces mode: the rendered RBAC is enough (workloads in the first watched namespace, the pipeline in
    every one), and every verb of the per-namespace Roles and of the ClusterRole is needed. The Roles of all
    watched namespaces hold the same rules: each verb is removed from every one of them at once and Pacer must log a
    refusal in each namespace (the only grant of a namespaced request is that namespace's Role), which costs one run
    per verb instead of one per verb and namespace."""
    rbac = [o for o in objects if o["kind"] in RBAC_KINDS and "helm.sh/hook" not in o["metadata"].get("annotations", {})]
    deployment = cc.find(objects, "Deployment", cc.RELEASE)[0]
    pipeline = [o for o in objects if o["apiVersion"].startswith("pacer.dev/")]
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    watched = [a.split("=", 1)[1] for a in args if a.startswith("--watch-namespace=")]
    watched = [n for n in watched if n != cc.NS] + [cc.NS]  # workloads go in the first, a namespace of the user's
    t0 = time.monotonic()
    ok, detail = attempt(cc, base, tls_dir, deployment, rbac, pipeline, expect=None, watched=watched)
    cc.check(f"rbac proof (watchNamespaces {watched}): pacer run with the chart's token and RBAC: Lease, finalizers, Ready "
             "statuses in every namespace, Deployment/StatefulSet/DaemonSet events, nothing forbidden", ok, detail)
    roles = [i for i, o in enumerate(rbac) if o["kind"] == "Role" and o["metadata"]["name"] == f"{cc.RELEASE}-watch"]
    if not cc.check("rbac proof (watchNamespaces): one -watch Role per watched namespace",
                    sorted(rbac[i]["metadata"]["namespace"] for i in roles) == sorted(watched), str(roles)):
        return
    template = rbac[roles[0]]
    variants = [("roles", n, rule.get("apiGroups", [""])[0], res, verb) for n, rule in enumerate(template["rules"])
                for res in rule["resources"] for verb in rule["verbs"]]
    variants += [(i, n, rule.get("apiGroups", [""])[0], res, verb) for i, o in enumerate(rbac)
                 if o["kind"] == "ClusterRole" for n, rule in enumerate(o["rules"]) for res in rule.get("resources", []) for verb in rule["verbs"]]
    missing = []

    def one(variant, db: str) -> None:
        target, rule_index, group, resource, verb = variant
        reduced = copy.deepcopy(rbac)
        if target == "roles":
            for i in roles:
                reduced[i] = without(rbac[i], rule_index, resource, verb)
            expected = [f'cannot {verb} resource "{resource}" in API group "{group}" in the namespace "{n}"' for n in watched]
            where = "every -watch Role"
        else:
            reduced[target] = without(rbac[target], rule_index, resource, verb)
            expected = f'cannot {verb} resource "{resource}"'
            where = f"ClusterRole/{rbac[target]['metadata']['name']}"
        started = time.monotonic()
        ok, detail = attempt(cc, base, tls_dir, deployment, reduced, pipeline, expect=expected, watched=watched, db=db)
        print(f"rbac proof (watchNamespaces): {where} without {verb} {resource}: {'refused as expected' if ok else 'NOT refused'} "
              f"({time.monotonic() - started:.1f} s)", flush=True)
        if not ok:
            missing.append(f"{where} rule {rule_index} {verb} {resource}: {detail}")
    in_parallel(variants, one)
    cc.check(f"rbac proof (watchNamespaces): each of the {len(variants)} verbs of the -watch Roles and the ClusterRole is needed "
             "(removed, Pacer logs the refusal in every watched namespace)", not missing and len(variants) > 0, "; ".join(missing))
    print(f"rbac proof (watchNamespaces): {len(variants) + 1} runs in {time.monotonic() - t0:.0f} s")


# ------------------------------------------------------------------------------------------------ agent mode
def run_agent(objects: list[dict], cc) -> None:
    """The chart rendered as an agent (agent.forwardTo): its RBAC alone lets `pacer run --forward-to` watch every
    workload kind and hold the pacer-agent-leader Lease, its events reach a central `pacer serve` with the mounted
    token, named after clusterName; and each verb of its Roles/ClusterRoles is needed (removed alone, refused)."""
    base, error = cc.development_postgres()
    if not cc.check("agent rbac proof: development PostgreSQL", base.startswith("postgres://"), error):
        return
    rbac = [o for o in objects if o["kind"] in RBAC_KINDS and "helm.sh/hook" not in o["metadata"].get("annotations", {})]
    deployment = cc.find(objects, "Deployment", cc.RELEASE)[0]
    tls_dir = tempfile.mkdtemp(prefix="kube-sim-tls-")
    try:
        ok, detail = agent_attempt(cc, base, tls_dir, deployment, rbac, expect=None)
        cc.check("agent rbac proof: `pacer run --forward-to` with the agent chart's ServiceAccount token and RBAC: Lease "
                 "pacer-agent-leader held, a Deployment, StatefulSet and DaemonSet forwarded to a central `pacer serve` "
                 "(source /k8s/<clusterName>/…, the token from the mounted Secret), nothing forbidden", ok, detail)
        variants = [(i, o, n, res, verb) for i, o in enumerate(rbac) if o["kind"] in ("ClusterRole", "Role")
                    for n, rule in enumerate(o["rules"]) for res in rule.get("resources", []) for verb in rule["verbs"]]
        missing = []

        def one(variant, db: str) -> None:
            index, obj, rule_index, resource, verb = variant
            reduced = copy.deepcopy(rbac)
            reduced[index] = without(obj, rule_index, resource, verb)
            ok, detail = agent_attempt(cc, base, tls_dir, deployment, reduced, expect=f'cannot {verb} resource "{resource}"', db=db)
            print(f"agent rbac proof: without {verb} {resource}: {'refused as expected' if ok else 'NOT refused'}", flush=True)
            if not ok:
                missing.append(f"{obj['kind']}/{obj['metadata']['name']} rule {rule_index} {verb} {resource}: {detail}")
        in_parallel(variants, one)
        cc.check(f"agent rbac proof: each of the {len(variants)} verbs of the agent chart's Roles/ClusterRoles is needed",
                 not missing and len(variants) > 0, "; ".join(missing))
    finally:
        for db in [DB, *(f"{DB}_{k}" for k in range(JOBS))]:
            subprocess.run(["psql", base, "-qAtc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True, timeout=60)
        shutil.rmtree(tls_dir, ignore_errors=True)


def agent_attempt(cc, base: str, tls_dir: str, deployment: dict, rbac: list[dict], expect: str | None, db: str = DB) -> tuple[bool, str]:
    """One kube-sim (RBAC on), one central `pacer serve` on a fresh database, one agent as charted. With `expect`: True
    once the agent's log contains it. Without: True once the workloads' events reached the central Pacer and the
    Lease is held, with nothing forbidden."""
    with tempfile.TemporaryDirectory() as tmp:
        sim, sim_log, admin = start_sim(cc, tls_dir, tmp)
        central = agent = None
        try:
            server = sim_server(sim, admin)
            if not server.startswith("https://"):
                return False, f"kube-sim did not start: {server}"
            setup = [("apply", "-f", str(cc.ROOT / "hack" / "workload-crds")), ("create", "namespace", cc.NS),
                     ("create", "deployment", "web", "--image=nginx:1.25", "-n", "default")]
            for args in setup:
                r = cc.kubectl(admin, *args)
                if r.returncode != 0:
                    return False, f"kubectl {' '.join(args)}: {r.stderr.strip()}"
            for args, stdin in ((("apply", "-n", "default", "-f", "-"), yaml.safe_dump_all(WORKLOADS)), (("apply", "-f", "-"), yaml.safe_dump_all(rbac))):
                r = cc.kubectl(admin, *args, stdin=stdin)
                if r.returncode != 0:
                    return False, f"kubectl {' '.join(args)}: {r.stderr.strip()}"
            kubeconfig, _, error = service_account_kubeconfig(cc, admin, server, tls_dir, tmp)
            if error:
                return False, error
            for sql in (f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", f"CREATE DATABASE {db}"):
                r = subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True, timeout=60)
                if r.returncode != 0:
                    return False, r.stderr
            url = base.replace("/pacer?", f"/{db}?")
            token_file = os.path.join(tmp, "forward-token")
            Path(token_file).write_text("hub-secret\n")
            central_port = cc.free_port()
            central_log = open(os.path.join(tmp, "central.log"), "w")
            central = subprocess.Popen([str(cc.ROOT / ".build" / "debug" / "pacer"), "serve", "--database-url", url, "--http-host", "127.0.0.1",
                                        "--http-port", str(central_port), "--ingest-token-file", token_file],
                                       stdout=central_log, stderr=subprocess.STDOUT)
            central_log.close()
            c = deployment["spec"]["template"]["spec"]["containers"][0]
            forward = [a for a in c["args"] if a.startswith("--forward-to=")]
            if not forward or "--forward-token-file=/etc/pacer/forward/token" not in c["args"]:
                return False, f"the agent Deployment has no --forward-to / --forward-token-file: {c['args']}"
            args = [f"--forward-to=http://127.0.0.1:{central_port}/events" if a in forward else a.replace("/etc/pacer/forward/token", token_file)
                    for a in c["args"]] + ["--kubeconfig", kubeconfig]
            env = dict(os.environ)
            env.pop("KUBECONFIG", None)
            env.update({e["name"]: e["value"] for e in c["env"] if "value" in e})
            env.update({"PACER_HTTP_PORT": str(cc.free_port()), "PACER_HTTP_HOST": "127.0.0.1", "PACER_LOG_FORMAT": "text"})
            log_path = os.path.join(tmp, "agent.log")
            with open(log_path, "w") as log:
                agent = subprocess.Popen([str(cc.ROOT / ".build" / "debug" / "pacer"), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
            if expect is not None:
                return wait_for_log(agent, log_path, expect)
            cluster = env.get("PACER_CLUSTER_NAME", "default")

            def forwarded(subject: str) -> bool:
                r = subprocess.run(["psql", url, "-qAtc", f"SELECT count(*) FROM cloudevents_raw WHERE ce_subject = '{subject}' "
                                    f"AND ce_source LIKE '/k8s/{cluster}/%'"], capture_output=True, text=True, timeout=30)
                return r.returncode == 0 and int(r.stdout.strip() or 0) > 0

            def lease() -> bool:
                r = cc.kubectl(admin, "get", "lease", "pacer-agent-leader", "-n", cc.NS, "-o", "json")
                return r.returncode == 0 and bool(json.loads(r.stdout).get("spec", {}).get("holderIdentity"))
            steps = [("Lease pacer-agent-leader held", lease)] + [
                (f"{subject} forwarded with source /k8s/{cluster}/…", lambda s=subject: forwarded(s)) for subject in ("default/web", "default/db", "default/agent")]
            deadline = time.monotonic() + 90
            for name, condition in steps:
                while not condition():
                    if time.monotonic() > deadline or agent.poll() is not None:
                        return False, f"{name}: not within the time limit (exit={agent.poll()}); log tail: {Path(log_path).read_text()[-800:]}"
                    time.sleep(0.3)
            text = Path(log_path).read_text(errors="replace")
            forbidden = [line for line in text.splitlines() if "forbidden" in line.lower()]
            return not forbidden, "\n".join(forbidden[:5])
        finally:
            for proc in (agent, central):
                if proc is not None:
                    stop(proc)
            stop_sim(sim, sim_log)
