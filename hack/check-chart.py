#!/usr/bin/env python3
"""Checks the Helm chart charts/pacer and the Dockerfile without a real cluster.

1. Drift: charts/pacer/crds == crds/*.yaml and charts/pacer/files/default-pipeline == examples/*.yaml, byte for byte
   (fix with hack/sync-crds.sh).
2. Dockerfile (hack/check-dockerfile.py): hadolint, COPY sources in git, stages, final-stage config, ENTRYPOINT == the chart's command.
3. Helm's own engine (helm-python-sdk, Helm v4 Go SDK): strict lint and render with default values and variants;
   asserts on replicas, security context, probes, RBAC placement, Secrets, pipeline, dashboard,
   the PDB (only with replicaCount > 1), the PrometheusRule and the `helm test` hook Pod (whose script is run against
   the charted operator in 6, with and without TLS); every value of values.yaml is in the README's table. The alerts, dashboard queries and OpenAPI document: hack/check-observability.py.
4. kubernetes-validate (Kubernetes 1.32, strict) on every rendered object of a built-in kind.
5. values.schema.json rejects wrong values with a message naming the key.
6. kube-sim (unless --no-kube-sim): the real kubectl applies the CRDs, then every rendered object; kinds kube-sim
   serves must be accepted, the others must be rejected only because kube-sim does not serve the kind. Then
   `pacer run` as charted, and (unless --no-rbac-proof) hack/chart_rbac_proof.py: the chart's RBAC enforced by
   kube-sim is enough for every part of Pacer, and every verb of it is needed.

Exits non-zero on any failure; the last line is `N passed, M failed`.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from processes import stop_process

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "pacer"
KUBE_VERSION = "1.32.0"
NS = "pacer-system"
RELEASE = "pacer"

passed = 0
failed = 0


def check(name: str, ok: bool, detail: str = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))
    return ok


# ---------------------------------------------------------------------------------------------- 1. drift
def check_drift() -> None:
    for src_glob, dest in (("crds", CHART / "crds"), ("examples", CHART / "files" / "default-pipeline")):
        sources = {p.name: p.read_bytes() for p in sorted((ROOT / src_glob).glob("*.yaml"))}
        copies = {p.name: p.read_bytes() for p in sorted(dest.glob("*.yaml"))}
        missing = sorted(set(sources) - set(copies))
        extra = sorted(set(copies) - set(sources))
        differ = sorted(n for n in set(sources) & set(copies) if sources[n] != copies[n])
        check(f"{dest.relative_to(ROOT)} == {src_glob}/*.yaml ({len(sources)} files)",
              bool(sources) and not (missing or extra or differ),
              f"missing {missing}, extra {extra}, differ {differ}: run hack/sync-crds.sh")


# ---------------------------------------------------------------------------------------------- 3. render
def render(h, chart, values: dict | None) -> tuple[list[dict], str]:
    manifests = chart.render(values, name=RELEASE, namespace=NS, is_install=True)
    objects: list[dict] = []
    notes = ""
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                objects.append(doc)
    return objects, notes


def find(objects: list[dict], kind: str, name: str | None = None) -> list[dict]:
    return [o for o in objects if o.get("kind") == kind and (name is None or o["metadata"]["name"] == name)]


def operator_objects(objects: list[dict]) -> list[dict]:
    """The installed objects without the `helm test` hook's (its Pod, ServiceAccount, Role and RoleBinding)."""
    return [o for o in objects if o["metadata"].get("annotations", {}).get("helm.sh/hook") != "test"]


def rules_of(obj: dict) -> set[tuple[str, str, str]]:
    out = set()
    for r in obj.get("rules", []):
        for g in r.get("apiGroups", []):
            for res in r.get("resources", []):
                for v in r.get("verbs", []):
                    out.add((g, res, v))
    return out


def secret_value(objects: list[dict], name: str, key: str) -> str | None:
    for s in find(objects, "Secret", name):
        data = s.get("data", {})
        if key in data:
            return base64.b64decode(data[key]).decode()
    return None


def check_defaults(objects: list[dict], notes: str) -> list[str] | None:
    deps = find(objects, "Deployment", RELEASE)
    if not check("default: one operator Deployment", len(deps) == 1, str([o["metadata"]["name"] for o in find(objects, "Deployment")])):
        return None
    dep = deps[0]
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    c = pod["containers"][0]
    check("default: replicas 2", spec["replicas"] == 2, str(spec["replicas"]))
    check("default: `pacer run` with leader election in the release namespace",
          c["args"][:2] == ["run", "--leader-election"] and f"--lease-namespace={NS}" in c["args"], str(c["args"]))
    check("default: no --watch-namespace (all namespaces)", not any(a.startswith("--watch-namespace") for a in c["args"]))
    check("default: --ingest-token-file from the mounted Secret",
          "--ingest-token-file=/etc/pacer/ingest/token" in c["args"]
          and any(m["mountPath"] == "/etc/pacer/ingest" for m in c["volumeMounts"])
          and any(v.get("secret", {}).get("secretName") == f"{RELEASE}-ingest" for v in pod["volumes"]))
    env = {e["name"]: e for e in c["env"]}
    check("default: PACER_DATABASE_URL from Secret pacer-database key url",
          env.get("PACER_DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef") == {"name": f"{RELEASE}-database", "key": "url"})
    psc, csc = pod["securityContext"], c["securityContext"]
    check("default: pod securityContext runAsNonRoot + seccomp RuntimeDefault",
          psc.get("runAsNonRoot") is True and psc.get("seccompProfile") == {"type": "RuntimeDefault"}, str(psc))
    check("default: container readOnlyRootFilesystem, no privilege escalation, drop ALL",
          csc.get("readOnlyRootFilesystem") is True and csc.get("allowPrivilegeEscalation") is False
          and csc.get("capabilities") == {"drop": ["ALL"]} and csc.get("runAsNonRoot") is True, str(csc))
    check("default: liveness /healthz and readiness /readyz on port http",
          c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
          and c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"})
    check("default: container port 8080 named http", c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}])
    check("default: resources requests and limits set", bool(c["resources"].get("requests")) and bool(c["resources"].get("limits")))
    svc = find(objects, "Service", RELEASE)
    check("default: Service port 8080 named http",
          len(svc) == 1 and svc[0]["spec"]["ports"][0]["name"] == "http" and svc[0]["spec"]["ports"][0]["port"] == 8080)
    pdb = find(objects, "PodDisruptionBudget")
    check("default: PodDisruptionBudget minAvailable 1 selects the operator",
          len(pdb) == 1 and pdb[0]["spec"]["minAvailable"] == 1
          and pdb[0]["spec"]["selector"]["matchLabels"] == spec["selector"]["matchLabels"])
    installed = operator_objects(objects)
    check("default: ServiceAccount used by the pod",
          [s["metadata"]["name"] for s in find(installed, "ServiceAccount")] == [pod["serviceAccountName"]])
    # The rules themselves are proven necessary and sufficient by hack/chart_rbac_proof.py (pacer run against
    # kube-sim with RBAC, each verb removed in turn); here only their placement.
    cr = find(installed, "ClusterRole")
    check("default: one ClusterRole", len(cr) == 1, str(len(cr)))
    roles = find(installed, "Role")
    check("default: only Role is the Lease Role, namespaced to the release namespace",
          len(roles) == 1 and roles[0]["metadata"]["namespace"] == NS
          and {(g, r) for g, r, _ in rules_of(roles[0])} == {("coordination.k8s.io", "leases")}, str(roles))
    bindings = find(installed, "RoleBinding") + find(installed, "ClusterRoleBinding")
    check("default: bindings point at the ServiceAccount",
          len(bindings) == 2 and all(b["subjects"] == [{"kind": "ServiceAccount", "name": pod["serviceAccountName"], "namespace": NS}] for b in bindings))
    no_cluster_leases = all(("coordination.k8s.io", "leases") not in {(g, r) for g, r, _ in rules_of(x)} for x in cr)
    check("default: no cluster-wide Lease rights", no_cluster_leases)
    token = secret_value(objects, f"{RELEASE}-ingest", "token")
    check("default: generated ingest token Secret (40 characters)", token is not None and len(token) == 40, str(token))
    password = secret_value(objects, f"{RELEASE}-database", "password")
    url = secret_value(objects, f"{RELEASE}-database", "url")
    check("default: generated database password and URL to the bundled PostgreSQL",
          password is not None and len(password) == 32
          and url == f"postgres://pacer:{password}@{RELEASE}-postgresql.{NS}.svc:5432/pacer", str(url))
    sts = find(objects, "StatefulSet")
    ok = len(sts) == 1
    if ok:
        s = sts[0]["spec"]
        image = s["template"]["spec"]["containers"][0]["image"]
        ok = (s["replicas"] == 1 and re.fullmatch(r"postgres:15[.\w-]+", image) is not None
              and s["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "8Gi")
    check("default: one PostgreSQL StatefulSet, pinned postgres:15.x image, PVC template", ok,
          str(sts[0]["spec"]["template"]["spec"]["containers"][0]["image"]) if sts else "none")
    pipeline = [o for o in objects if o.get("apiVersion", "").startswith("pacer.dev/")]
    kinds = {}
    for o in pipeline:
        kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    check("default: default pipeline = EventRoutes + CDEventTransforms + 6 MetricDefinitions",
          kinds.get("MetricDefinition") == 6 and kinds.get("EventRoute", 0) > 0 and kinds.get("CDEventTransform", 0) > 0,
          str(kinds))
    examples = []
    for p in sorted((ROOT / "examples").glob("*.yaml")):
        examples += [d for d in yaml.safe_load_all(p.read_text()) if d]
    check("default: pipeline objects equal examples/*.yaml", pipeline == examples, f"{len(pipeline)} vs {len(examples)}")
    cms = [o for o in find(objects, "ConfigMap") if o["metadata"].get("labels", {}).get("grafana_dashboard") == "1"]
    ok = len(cms) == 1
    if ok:
        dash = json.loads(cms[0]["data"]["pacer-dora.json"])
        exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
        ok = all(m in exprs for m in ("pacer_dora_deployment_frequency", "pacer_dora_lead_time_hours",
                                      "pacer_dora_change_failure_rate", "pacer_dora_time_to_restore_hours"))
        ok = ok and all("app" in t["legendFormat"] for p in dash["panels"] for t in p["targets"] if "pacer_dora_" in t["expr"])
    # hack/check-observability.py runs every panel's query against a real Prometheus scraping Pacer.
    check("default: Grafana dashboard ConfigMap (grafana_dashboard=1) with the four DORA gauges per app", ok)
    check("default: no ServiceMonitor, no PrometheusRule, no NetworkPolicy",
          not find(objects, "ServiceMonitor") and not find(objects, "PrometheusRule") and not find(objects, "NetworkPolicy"))
    tests = [o for o in find(objects, "Pod") if o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    ok = len(tests) == 1
    if ok:
        tpod = tests[0]["spec"]
        tc = tpod["containers"][0]
        script = tc["args"][0]
        ok = (tpod["restartPolicy"] == "Never" and tpod["securityContext"].get("runAsNonRoot") is True
              and tc["securityContext"].get("readOnlyRootFilesystem") is True and tc["command"] == ["sh", "-c"]
              and f"http://{RELEASE}.{NS}.svc:8080" in script
              and all(path in script for path in ("/readyz", "/api/v1/metrics", "/api/v1/openapi.json"))
              and tests[0]["metadata"]["labels"]["app.kubernetes.io/component"] == "test")
    check("default: one `helm test` hook Pod (non-root, read-only) checking /readyz, the API and the OpenAPI document", ok,
          str(tests))
    c = find(objects, "Deployment", RELEASE)[0]["spec"]["template"]["spec"]["containers"][0]
    rules = [r for o in find(objects, "ClusterRole") if o["metadata"]["name"] == RELEASE for r in o["rules"]]
    hook_rbac = {o["kind"] for o in objects if o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"}
    check("default: reads need a Kubernetes token (--read-authorization=kubernetes; create tokenreviews and "
          "subjectaccessreviews granted; the hook Pod reads with its own ServiceAccount's token)",
          "--read-authorization=kubernetes" in c["args"] and "--metrics-open" not in c["args"]
          and {"resources": ["tokenreviews"], "apiGroups": ["authentication.k8s.io"], "verbs": ["create"]} in rules
          and {"resources": ["subjectaccessreviews"], "apiGroups": ["authorization.k8s.io"], "verbs": ["create"]} in rules
          and hook_rbac == {"Pod", "ServiceAccount", "Role", "RoleBinding"}
          and tests and tests[0]["spec"].get("serviceAccountName") == f"{RELEASE}-test"
          and "Authorization: Bearer $token" in tests[0]["spec"]["containers"][0]["args"][0], str(c["args"]))
    check("default: NOTES tell how to read the token, POST an event, port-forward, get metricdefinitions",
          "base64 -d" in notes and f"secret {RELEASE}-ingest" in notes and "Authorization: Bearer $TOKEN" in notes
          and "port-forward" in notes and "get metricdefinitions" in notes, notes)
    return c.get("command")


def check_variants(h, chart) -> list[tuple[str, list[dict]]]:
    rendered = []
    ext = {"postgresql": {"enabled": False}, "externalDatabase": {"url": "postgres://u:p@db.example:5432/pacer"}}
    objs, _ = render(h, chart, ext)
    rendered.append(("external-url", objs))
    env = {e["name"]: e for e in find(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["env"]}
    check("external URL: no StatefulSet, URL Secret used",
          not find(objs, "StatefulSet") and secret_value(objs, f"{RELEASE}-database", "url") == ext["externalDatabase"]["url"]
          and env["PACER_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": f"{RELEASE}-database", "key": "url"})

    objs, _ = render(h, chart, {"postgresql": {"enabled": False},
                                "externalDatabase": {"existingSecret": "my-db", "existingSecretKey": "dsn"},
                                "ingest": {"existingSecret": "my-tokens", "existingSecretKey": "tokens"}})
    rendered.append(("external-secret", objs))
    pod = find(objs, "Deployment")[0]["spec"]["template"]["spec"]
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    check("existing Secrets: no generated Secret, deployment reads my-db/dsn and mounts my-tokens/tokens",
          not find(objs, "Secret")
          and env["PACER_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {"name": "my-db", "key": "dsn"}
          and any(v.get("secret") == {"secretName": "my-tokens", "items": [{"key": "tokens", "path": "token"}]} for v in pod["volumes"]))

    objs, _ = render(h, chart, {"webhooks": {"existingSecret": "my-webhooks"}})
    rendered.append(("webhooks", objs))
    pod = find(objs, "Deployment")[0]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    check("webhooks: --webhook-secrets-dir and the whole Secret my-webhooks mounted there (rotation without restart)",
          "--webhook-secrets-dir=/etc/pacer/webhooks" in container["args"]
          and {"name": "webhook-secrets", "mountPath": "/etc/pacer/webhooks", "readOnly": True} in container["volumeMounts"]
          and {"name": "webhook-secrets", "secret": {"secretName": "my-webhooks"}} in pod["volumes"], str(container["args"]))
    default_args = find(render(h, chart, {})[0], "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    check("webhooks off by default: no --webhook-secrets-dir", not any("webhook" in a for a in default_args), str(default_args))

    check("restarts not counted by default: no --count-restarts", "--count-restarts" not in default_args, str(default_args))
    restart_args = find(render(h, chart, {"deploymentSource": {"countRestarts": True}})[0], "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    check("deploymentSource.countRestarts: --count-restarts", "--count-restarts" in restart_args, str(restart_args))

    objs, _ = render(h, chart, {"watchNamespaces": ["team-a", "team-b"]})
    rendered.append(("watchNamespaces", objs))
    args = find(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    check("watchNamespaces: --watch-namespace per namespace plus the release namespace",
          [a for a in args if a.startswith("--watch-namespace")] == [f"--watch-namespace={n}" for n in ("team-a", "team-b", NS)], str(args))
    # Same rules as the default (cluster-wide) ClusterRole, whose every verb hack/chart_rbac_proof.py proves needed.
    cluster_wide = rules_of(find(render(h, chart, None)[0], "ClusterRole")[0])
    # Cluster-scoped resources stay in the ClusterRole: namespaces, and the read authorization's reviews.
    namespace_rules = {r for r in cluster_wide if r[1] in ("namespaces", "tokenreviews", "subjectaccessreviews")}
    cr = find(objs, "ClusterRole")
    check("watchNamespaces: ClusterRole keeps only the default ClusterRole's cluster-scoped rules (namespaces, reviews)",
          len(cr) == 1 and bool(namespace_rules) and rules_of(cr[0]) == namespace_rules)
    watch_roles = {r["metadata"]["namespace"]: rules_of(r) for r in find(operator_objects(objs), "Role") if r["metadata"]["name"].endswith("-watch")}
    check("watchNamespaces: one Role per namespace with the default ClusterRole's other rules",
          set(watch_roles) == {"team-a", "team-b", NS} and all(v == cluster_wide - namespace_rules for v in watch_roles.values()),
          str(watch_roles.keys()))
    check("watchNamespaces: each Role has its RoleBinding",
          {b["metadata"]["namespace"] for b in find(objs, "RoleBinding") if b["metadata"]["name"].endswith("-watch")} == {"team-a", "team-b", NS})

    default_workloads = {r for g, r, _ in rules_of(find(render(h, chart, None)[0], "ClusterRole")[0]) if g == "apps"}
    check("default: every workload kind is watched (list/watch deployments and their replicasets, statefulsets, daemonsets; no --no-watch-*)",
          default_workloads == {"deployments", "replicasets", "statefulsets", "daemonsets"} and not any(a.startswith("--no-watch-") for a in default_args),
          str(default_workloads))
    gitops_groups = {"argoproj.io": "applications", "kustomize.toolkit.fluxcd.io": "kustomizations", "helm.toolkit.fluxcd.io": "helmreleases"}
    default_gitops = {(g, r) for g, r, _ in rules_of(find(render(h, chart, None)[0], "ClusterRole")[0]) if gitops_groups.get(g) == r}
    check("default: every GitOps kind is watched once served (list/watch applications, kustomizations, helmreleases)",
          default_gitops == set(gitops_groups.items()), str(default_gitops))
    objs, _ = render(h, chart, {"workloads": {"argocdApplications": False, "fluxHelmReleases": False}})
    rendered.append(("gitops-workloads", objs))
    args = find(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    gitops = {(g, r) for g, r, _ in rules_of(find(objs, "ClusterRole")[0]) if gitops_groups.get(g) == r}
    check("workloads: a GitOps kind switched off gets --no-watch-<kind> and no RBAC grant",
          "--no-watch-argocd-applications" in args and "--no-watch-flux-helmreleases" in args
          and "--no-watch-flux-kustomizations" not in args and gitops == {("kustomize.toolkit.fluxcd.io", "kustomizations")}, f"{args} {gitops}")
    custom_kinds = {("argoproj.io", "rollouts"), ("serving.knative.dev", "services")}
    default_custom = {(g, r) for g, r, _ in rules_of(find(render(h, chart, None)[0], "ClusterRole")[0]) if (g, r) in custom_kinds}
    check("default: Argo Rollouts and Knative Services are watched once served (list/watch rollouts, services)",
          default_custom == custom_kinds, str(default_custom))
    objs, _ = render(h, chart, {"workloads": {"knativeServices": False}})
    rendered.append(("custom-workloads", objs))
    args = find(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    custom = {(g, r) for g, r, _ in rules_of(find(objs, "ClusterRole")[0]) if (g, r) in custom_kinds}
    check("workloads: Knative Services switched off get --no-watch-knative-services and no RBAC grant; Argo Rollouts keep theirs",
          "--no-watch-knative-services" in args and "--no-watch-argo-rollouts" not in args
          and custom == {("argoproj.io", "rollouts")}, f"{args} {custom}")
    objs, _ = render(h, chart, {"workloads": {"statefulsets": False, "daemonsets": False}})
    rendered.append(("workloads", objs))
    args = find(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    apps = {r for g, r, _ in rules_of(find(objs, "ClusterRole")[0]) if g == "apps"}
    check("workloads: a kind switched off gets --no-watch-<kind> and no RBAC grant",
          "--no-watch-statefulsets" in args and "--no-watch-daemonsets" in args and "--no-watch-deployments" not in args
          and apps == {"deployments", "replicasets"}, f"{args} {apps}")

    objs, _ = render(h, chart, {"serviceMonitor": {"enabled": True}, "networkPolicy": {"enabled": True},
                                "prometheusRule": {"enabled": True}})
    rendered.append(("monitoring+netpol", objs))
    sm = find(objs, "ServiceMonitor")
    check("serviceMonitor: monitoring.coreos.com/v1 on port http /metrics",
          len(sm) == 1 and sm[0]["apiVersion"] == "monitoring.coreos.com/v1" and sm[0]["spec"]["endpoints"][0]["port"] == "http")
    rules = find(objs, "PrometheusRule")
    check("prometheusRule: monitoring.coreos.com/v1 with 5 alerts over job/namespace of the ServiceMonitor's Service",
          len(rules) == 1 and rules[0]["apiVersion"] == "monitoring.coreos.com/v1"
          and len(rules[0]["spec"]["groups"][0]["rules"]) == 5
          and all(f'job="{RELEASE}",namespace="{NS}"' in r["expr"] for r in rules[0]["spec"]["groups"][0]["rules"]))
    auth = sm[0]["spec"]["endpoints"][0].get("authorization", {}) if sm else {}
    scraper = [b for b in find(objs, "ClusterRoleBinding") if b["metadata"]["name"] == f"{RELEASE}-metrics-reader"]
    token_secret = [o for o in find(objs, "Secret") if o["metadata"]["name"] == f"{RELEASE}-scraper-token"]
    check("serviceMonitor: scrapes with the scraper ServiceAccount's token, allowed only get /metrics",
          auth.get("type") == "Bearer" and auth.get("credentials") == {"name": f"{RELEASE}-scraper-token", "key": "token"}
          and len(token_secret) == 1 and token_secret[0]["type"] == "kubernetes.io/service-account-token"
          and len(scraper) == 1 and scraper[0]["subjects"][0]["name"] == f"{RELEASE}-scraper"
          and [o["rules"] for o in find(objs, "ClusterRole") if o["metadata"]["name"] == f"{RELEASE}-metrics-reader"]
          == [[{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]], json.dumps(sm))
    objs_open, _ = render(h, chart, {"serviceMonitor": {"enabled": True}, "readAuthorization": {"mode": "kubernetes", "metricsOpen": True}})
    rendered.append(("metrics open", objs_open))
    c_open = find(objs_open, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    check("readAuthorization.metricsOpen: --metrics-open, no scraper token, the ServiceMonitor sends none",
          "--metrics-open" in c_open["args"] and not [o for o in objs_open if o["metadata"]["name"] == f"{RELEASE}-scraper-token"]
          and "authorization" not in find(objs_open, "ServiceMonitor")[0]["spec"]["endpoints"][0])
    objs_none, _ = render(h, chart, {"readAuthorization": {"mode": "none"}})
    rendered.append(("reads open", objs_none))
    c_none = find(objs_none, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]
    none_rules = [r for o in find(objs_none, "ClusterRole") for r in o["rules"]]
    check("readAuthorization.mode none: --read-authorization=none, no review permissions, the hook reads without a token",
          "--read-authorization=none" in c_none["args"] and not any("tokenreviews" in r.get("resources", []) for r in none_rules)
          and "Authorization" not in json.dumps([p for p in find(objs_none, "Pod")]))
    nps = find(objs, "NetworkPolicy")
    check("networkPolicy: operator http port + PostgreSQL only from the operator", len(nps) == 2, str(len(nps)))

    objs, _ = render(h, chart, {"tls": {"enabled": True, "secretName": "pacer-serving-cert"}, "serviceMonitor": {"enabled": True}})
    rendered.append(("tls", objs))
    pod = find(objs, "Deployment")[0]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    check("tls: the serving pair from the Secret volume (no subPath, so renewals reach the pod)",
          "--tls-cert-file=/etc/pacer/tls/tls.crt" in container["args"] and "--tls-key-file=/etc/pacer/tls/tls.key" in container["args"]
          and {"name": "tls", "secret": {"secretName": "pacer-serving-cert"}} in pod["volumes"]
          and any(m["name"] == "tls" and m["mountPath"] == "/etc/pacer/tls" and "subPath" not in m for m in container["volumeMounts"]),
          str(container["args"]))
    check("tls: probes, ServiceMonitor and helm test use https",
          container["livenessProbe"]["httpGet"].get("scheme") == "HTTPS" and container["readinessProbe"]["httpGet"].get("scheme") == "HTTPS"
          and find(objs, "ServiceMonitor")[0]["spec"]["endpoints"][0].get("scheme") == "https"
          and all("https://" in json.dumps(p) for p in find(objs, "Pod")))
    hook = [p for p in find(objs, "Pod") if p["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    hook_spec = hook[0]["spec"] if hook else {}
    check("tls: the helm test Pod mounts ca.crt of the serving Secret (as cert-manager writes it) and curls with --cacert",
          {"name": "tls-ca", "secret": {"secretName": "pacer-serving-cert", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}
          in hook_spec.get("volumes", [])
          and {"name": "tls-ca", "mountPath": "/etc/pacer-test/ca", "readOnly": True} in hook_spec["containers"][0].get("volumeMounts", [])
          and "--cacert /etc/pacer-test/ca/ca.crt" in hook_spec["containers"][0]["args"][0], json.dumps(hook_spec)[:600])
    objs_ca, _ = render(h, chart, {"tls": {"enabled": True, "secretName": "pacer-serving-cert", "caSecretName": "my-ca",
                                           "caSecretKey": "root.pem"}})
    rendered.append(("tls separate CA", objs_ca))
    hook_ca = [p for p in find(objs_ca, "Pod") if p["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    check("tls.caSecretName/caSecretKey: the helm test Pod takes the CA from that Secret and key",
          bool(hook_ca) and {"name": "tls-ca", "secret": {"secretName": "my-ca", "items": [{"key": "root.pem", "path": "ca.crt"}]}}
          in hook_ca[0]["spec"].get("volumes", []))
    default_hook = [p for p in find(render(h, chart, None)[0], "Pod") if p["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    check("tls off: the helm test Pod mounts no CA and passes no --cacert",
          bool(default_hook) and "volumes" not in default_hook[0]["spec"] and "--cacert" not in default_hook[0]["spec"]["containers"][0]["args"][0])
    try:
        render(h, chart, {"tls": {"enabled": True}})
        check("tls without secretName is refused", False)
    except Exception as error:  # noqa: BLE001 - helm's error type
        check("tls without secretName is refused with the reason", "tls.secretName is required" in str(error), str(error)[:300])

    objs, notes = render(h, chart, {"defaultPipeline": {"enabled": False}, "grafanaDashboard": {"enabled": False},
                                    "leaderElection": {"enabled": False}, "replicaCount": 1,
                                    "ingest": {"auth": {"enabled": False}}})
    rendered.append(("minimal", objs))
    args = find(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["args"]
    check("defaultPipeline off: no pacer.dev objects, no dashboard",
          not [o for o in objs if o["apiVersion"].startswith("pacer.dev/")] and not find(objs, "ConfigMap"))
    check("leader election off: --no-leader-election and no Lease Role",
          "--no-leader-election" in args and not find(operator_objects(objs), "Role"), str(args))
    check("replicaCount 1: no PodDisruptionBudget (it would block every drain)", not find(objs, "PodDisruptionBudget"))
    check("ingest auth off: no token flag, no ingest Secret, NOTES warn",
          not any("ingest-token" in a for a in args) and secret_value(objs, f"{RELEASE}-ingest", "token") is None
          and "Ingest authentication is OFF" in notes)

    objs, notes = render(h, chart, {"agent": {"forwardTo": "https://pacer.hub.example/events", "tokenSecret": {"name": "hub-token"}},
                                    "clusterName": "eu-1", "readAuthorization": {"mode": "kubernetes"},
                                    "webhooks": {"existingSecret": "my-webhooks"}, "prometheusRule": {"enabled": True},
                                    "grafanaDashboard": {"enabled": True}})
    rendered.append(("agent", objs))
    pod = find(objs, "Deployment")[0]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    args, env = container["args"], {e["name"]: e.get("value") for e in container["env"]}
    check("agent: --forward-to and --forward-token-file from agent.*, the Secret's key mounted as a file",
          "--forward-to=https://pacer.hub.example/events" in args and "--forward-token-file=/etc/pacer/forward/token" in args
          and {"name": "forward-token", "secret": {"secretName": "hub-token", "items": [{"key": "token", "path": "token"}]}} in pod["volumes"]
          and {"name": "forward-token", "mountPath": "/etc/pacer/forward", "readOnly": True} in container["volumeMounts"], str(args))
    check("agent: no database (no PACER_DATABASE_URL, no PostgreSQL StatefulSet, no database or ingest Secret)",
          "PACER_DATABASE_URL" not in env and not find(objs, "StatefulSet") and not find(objs, "Secret"), str(sorted(env)))
    check("agent: no ingest token, webhooks, read authorization or namespace isolation flags (the agent serves no data)",
          not any(a.startswith(("--ingest-token-file", "--webhook-secrets-dir", "--read-authorization", "--namespace-isolation")) for a in args),
          str(args))
    check("agent: cluster name eu-1", env.get("PACER_CLUSTER_NAME") == "eu-1", str(env))
    check("agent: no default pipeline, PrometheusRule, dashboard or helm test",
          not [o for o in objs if o["apiVersion"].startswith("pacer.dev/")] and not find(objs, "PrometheusRule")
          and not find(objs, "ConfigMap") and not find(objs, "Pod"))
    agent_rules = rules_of(find(objs, "ClusterRole")[0])
    check("agent: RBAC is the workload source's (no pacer.dev, no reviews) and the pacer-agent-leader Lease",
          not any(g in ("pacer.dev", "authentication.k8s.io", "authorization.k8s.io") for g, _, _ in agent_rules)
          and ("apps", "deployments", "watch") in agent_rules and ("", "namespaces", "list") in agent_rules
          and any(r.get("resourceNames") == ["pacer-agent-leader"] for role in find(objs, "Role") for r in role["rules"]),
          str(sorted(agent_rules)))
    check("agent: NOTES say so", "installed as an AGENT" in notes and "https://pacer.hub.example/events" in notes)
    objs, _ = render(h, chart, {"clusterName": ""})
    env = {e["name"] for e in find(objs, "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["env"]}
    check("clusterName empty: no PACER_CLUSTER_NAME (pacer's own default)", "PACER_CLUSTER_NAME" not in env, str(env))
    return rendered


# ---------------------------------------------------------------------------------------------- 3b. values table
def value_keys(values: dict, prefix: str = "") -> list[str]:
    """Dotted paths of values.yaml's leaves (an empty map or a list is a leaf)."""
    out = []
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else key
        out += value_keys(value, path) if isinstance(value, dict) and value else [path]
    return out


def readme_keys(readme: str) -> set[str]:
    """The keys in the first column of the README's values table. `a.b`, `.c` in one cell means a.b and a.c."""
    keys = set()
    for line in readme.splitlines():
        if not line.startswith("| `"):
            continue
        full = ""
        for token in re.findall(r"`([^`]+)`", line.split("|")[1]):
            if token.startswith(".") and full:
                keys.add(full.rsplit(".", 1)[0] + token)
            else:
                full = token
                keys.add(token)
    return keys


def check_values_table() -> None:
    """Every value of values.yaml is in the chart README's table (a key, or an ancestor documented as one object such
    as `resources`), and every key the table names exists in values.yaml."""
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    leaves = value_keys(values)
    documented = readme_keys((CHART / "README.md").read_text())
    missing = [k for k in leaves if not any(k == d or k.startswith(d + ".") for d in documented)]
    check(f"README values table documents every one of the {len(leaves)} values of values.yaml", leaves and not missing,
          f"not in the table: {missing}")
    known = set(leaves) | {k.rsplit(".", i)[0] for k in leaves for i in range(1, k.count(".") + 1)}
    stale = sorted(d for d in documented if d not in known)
    check(f"README values table names only keys of values.yaml ({len(documented)} named)", not stale, f"not in values.yaml: {stale}")


# ---------------------------------------------------------------------------------------------- 4. kubernetes-validate
def check_kubernetes_validate(variants: list[tuple[str, list[dict]]]) -> None:
    import kubernetes_validate
    crds = [d for p in sorted((CHART / "crds").glob("*.yaml")) for d in yaml.safe_load_all(p.read_text()) if d]
    for label, objs in [("crds", crds)] + variants:
        errors, count = [], 0
        for o in objs:
            if o["apiVersion"].startswith("pacer.dev/") or o["apiVersion"].startswith("monitoring.coreos.com/"):
                continue  # CRD-typed: kubernetes-validate has no schema for them
            count += 1
            try:
                kubernetes_validate.validate(o, KUBE_VERSION, strict=True)
            except Exception as e:  # ValidationError / SchemaNotFoundError
                errors.append(f"{o['kind']}/{o['metadata'].get('name')}: {str(e)[:300]}")
        check(f"kubernetes-validate {KUBE_VERSION} strict: {label} ({count} objects)", count > 0 and not errors, "; ".join(errors))


# ---------------------------------------------------------------------------------------------- 5. schema
def check_schema(h, chart) -> None:
    bad = [
        ({"replicaCount": "two"}, "replicaCount"),
        ({"replicaCount": 0}, "replicaCount"),
        ({"log": {"level": "verbose"}}, "level"),
        ({"service": {"type": "Ingress"}}, "type"),
        ({"watchNamespaces": ["Bad_NS"]}, "watchNamespaces"),
        ({"postgresql": {"enabled": False}}, "externalDatabase"),
        ({"postgresql": {"image": {"tag": "latest"}}}, "tag"),
    ]
    for values, key in bad:
        try:
            chart.render(values, name=RELEASE, namespace=NS, is_install=True)
            check(f"schema rejects {values}", False, "rendered without error")
        except h.HelmError as e:
            check(f"schema rejects {json.dumps(values)} naming {key}", key in str(e) and "schema" in str(e).lower(), str(e)[:300])
    try:
        chart.validate_schema(chart.merge_values({"replicaCount": 3}))
        check("schema accepts replicaCount 3", True)
    except h.HelmError as e:
        check("schema accepts replicaCount 3", False, str(e))


# ---------------------------------------------------------------------------------------------- 5b. CLI contract
def check_cli_contract(variants: list[tuple[str, list[dict]]]) -> None:
    """Every flag and PACER_* variable the chart passes is one `pacer run --help` documents."""
    binary = ROOT / ".build" / "debug" / "pacer"
    if not binary.exists():
        print("building pacer (swift build --product pacer)")
        subprocess.run(["swift", "build", "--product", "pacer"], cwd=ROOT, check=False, timeout=1800)
    if not check("pacer binary present for the CLI contract", binary.exists(), str(binary)):
        return
    help_text = subprocess.run([str(binary), "run", "--help"], capture_output=True, text=True, timeout=30).stdout
    known = set(re.findall(r"--[a-z][a-z-]*", help_text)) | {"--leader-election", "--no-leader-election"}
    envs = set(re.findall(r"PACER_[A-Z_]+", help_text))
    unknown_flags, unknown_envs = set(), set()
    for _, objs in variants:
        for dep in find(objs, "Deployment"):
            c = dep["spec"]["template"]["spec"]["containers"][0]
            if c["args"][0] != "run":
                unknown_flags.add("subcommand " + c["args"][0])
            unknown_flags |= {a.split("=")[0] for a in c["args"][1:] if a.split("=")[0] not in known}
            unknown_envs |= {e["name"] for e in c["env"] if e["name"] not in envs}
    check(f"chart args are `pacer run` flags ({len(known)} documented)", not unknown_flags, str(unknown_flags))
    check("chart env variables are ones `pacer run` reads", not unknown_envs, str(unknown_envs))


# ---------------------------------------------------------------------------------------------- 6. kube-sim
SERVED = {("v1", "ConfigMap"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("apps/v1", "DaemonSet"),
          ("coordination.k8s.io/v1", "Lease"), ("v1", "Namespace"),
          ("v1", "ServiceAccount")} | {("rbac.authorization.k8s.io/v1", k) for k in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")}


def kubectl(kubeconfig: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "--request-timeout=20s", *args],
                          input=stdin, capture_output=True, text=True, timeout=60)


def check_kube_sim(objects: list[dict], tls_objects: list[dict]) -> None:
    binary = ROOT / ".build" / "debug" / "kube-sim"
    if not binary.exists():
        print("building kube-sim (swift build --product kube-sim)")
        subprocess.run(["swift", "build", "--product", "kube-sim"], cwd=ROOT, check=False, timeout=1200)
    if not check("kube-sim binary present", binary.exists(), str(binary)) or not check("kubectl on PATH", shutil.which("kubectl") is not None):
        return
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = os.path.join(tmp, "kubeconfig")
        log = open(os.path.join(tmp, "kube-sim.log"), "w")
        proc = subprocess.Popen([str(binary), "--port", "0", "--kubeconfig-out", kubeconfig, "--log-level", "warning"],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(kubeconfig) and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.1)
            if not check("kube-sim started and wrote a kubeconfig", os.path.exists(kubeconfig)):
                return
            time.sleep(0.2)
            r = kubectl(kubeconfig, "apply", "-f", str(CHART / "crds"))
            check("kube-sim: kubectl apply chart crds/", r.returncode == 0 and r.stdout.count("created") == 3, r.stdout + r.stderr)
            r = kubectl(kubeconfig, "wait", "--for=condition=Established", "--timeout=20s", "crd", "--all")
            check("kube-sim: CRDs Established", r.returncode == 0, r.stderr)
            r = kubectl(kubeconfig, "create", "namespace", NS)
            check(f"kube-sim: namespace {NS} created", r.returncode == 0, r.stderr)
            served = [o for o in objects if (o["apiVersion"], o["kind"]) in SERVED or o["apiVersion"].startswith("pacer.dev/")]
            other = [o for o in objects if o not in served]
            r = kubectl(kubeconfig, "apply", "-n", NS, "-f", "-", stdin=yaml.safe_dump_all(served))
            check(f"kube-sim: {len(served)} objects of served kinds applied (Deployment, ConfigMap, ServiceAccount, RBAC, pacer.dev)",
                  r.returncode == 0 and len(r.stdout.strip().splitlines()) == len(served), r.stdout + r.stderr)
            rejected_by_kind = 0
            wrong = []
            for o in other:
                # --validate=false: kubectl's client-side schema check would fail first (kube-sim has no OpenAPI for the kind);
                # without it the server's discovery decides, which is the point.
                r = kubectl(kubeconfig, "apply", "--validate=false", "-n", NS, "-f", "-", stdin=yaml.safe_dump(o))
                msg = r.stderr
                if r.returncode != 0 and ("no matches for kind" in msg or "resource mapping not found" in msg) and o["kind"] in msg:
                    rejected_by_kind += 1
                else:
                    wrong.append(f"{o['kind']}/{o['metadata']['name']}: rc={r.returncode} {msg.strip()[:200]}")
            kinds = sorted({o["kind"] for o in other})
            check(f"kube-sim: {len(other)} objects of unserved kinds {kinds} rejected only for their kind",
                  rejected_by_kind == len(other), "; ".join(wrong))
            r = kubectl(kubeconfig, "get", "-n", NS, "deployment", RELEASE, "-o", "json")
            dep = json.loads(r.stdout) if r.returncode == 0 else {}
            c = dep.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])[0]
            check("kube-sim: operator Deployment stored with 2 replicas and its security context",
                  dep.get("spec", {}).get("replicas") == 2 and c.get("securityContext", {}).get("readOnlyRootFilesystem") is True,
                  r.stderr)
            r = kubectl(kubeconfig, "get", "-n", NS, "metricdefinitions", "-o", "name")
            check("kube-sim: kubectl get metricdefinitions lists 6", len(r.stdout.split()) == 6, r.stdout + r.stderr)
            want = {k: len([o for o in served if o["kind"] == k]) for k in ("EventRoute", "CDEventTransform")}
            got = {k: len(kubectl(kubeconfig, "get", "-n", NS, k.lower() + "s", "-o", "name").stdout.split()) for k in want}
            check(f"kube-sim: EventRoutes and CDEventTransforms stored {got}", got == want, str(want))
            run_operator_as_charted(objects, kubeconfig, tmp)
            # The same kube-sim, Pacer rendered with tls.enabled: its own --tls-cert-file/--tls-key-file serve HTTPS
            # and the `helm test` script verifies them with the mounted CA.
            try:
                pair = make_tls_pair(os.path.join(tmp, "tls"))
            except RuntimeError as error:
                check("operator run (TLS): CA and serving certificate made with openssl", False, str(error))
            else:
                run_operator_as_charted(tls_objects, kubeconfig, tmp, tls=pair)
        finally:
            stop_process(proc, log)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, cafile: str | None = None) -> tuple[int, str]:
    import ssl
    import urllib.error
    import urllib.request
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def development_postgres() -> tuple[str, str]:
    """The URL of PACER_TEST_DATABASE_URL's server if set, else of hack/postgres.sh's (started); and an error text."""
    if os.environ.get("PACER_TEST_DATABASE_URL"):
        return os.environ["PACER_TEST_DATABASE_URL"], ""
    start = subprocess.run([str(ROOT / "hack" / "postgres.sh"), "start"], capture_output=True, text=True, timeout=120)
    base = start.stdout.strip().splitlines()[-1] if start.returncode == 0 and start.stdout.strip() else ""
    return base, start.stderr


def make_tls_pair(directory: str) -> dict:
    """With openssl: a CA, and a serving certificate it signs for the chart's Service name and 127.0.0.1 (what
    cert-manager would keep in the Secret as tls.crt, tls.key and ca.crt). Paths by those keys."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    paths = {k: str(d / k) for k in ("ca.crt", "ca.key", "tls.crt", "tls.key", "tls.csr")}
    ext = d / "san.ext"
    ext.write_text(f"subjectAltName=DNS:{RELEASE}.{NS}.svc,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    steps = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pacer-check-ca",
         "-keyout", paths["ca.key"], "-out", paths["ca.crt"]],
        ["req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={RELEASE}.{NS}.svc", "-keyout", paths["tls.key"], "-out", paths["tls.csr"]],
        ["x509", "-req", "-in", paths["tls.csr"], "-CA", paths["ca.crt"], "-CAkey", paths["ca.key"], "-CAcreateserial",
         "-days", "2", "-extfile", str(ext), "-out", paths["tls.crt"]],
    ]
    for step in steps:
        r = subprocess.run(["openssl", *step], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"openssl {' '.join(step[:2])}: {r.stderr.strip()}")
    return paths


def run_operator_as_charted(objects: list[dict], kubeconfig: str, tmp: str, tls: dict | None = None) -> None:
    """Runs .build/debug/pacer with the chart Deployment's args and env (token file, database URL and port swapped
    for local ones) against kube-sim and the development PostgreSQL: it must get ready, refuse ingest without the
    generated token, accept it with the token, and reconcile the default pipeline's MetricDefinitions to Ready.
    Then the `helm test` Pod's script runs against it. With `tls` (make_tls_pair's paths; objects rendered with
    tls.enabled): the Deployment's --tls-cert-file/--tls-key-file point at that pair, every request is HTTPS verified
    with its CA, and the hook script reaches Pacer under the Service's name with the CA where the Pod mounts it."""
    label = "operator run (TLS)" if tls else "operator run"
    scheme = "https" if tls else "http"
    cafile = tls["ca.crt"] if tls else None
    binary = ROOT / ".build" / "debug" / "pacer"
    base, error = development_postgres()
    if not check(f"{label}: development PostgreSQL (hack/postgres.sh start)", base.startswith("postgres://"), error):
        return
    db = f"pacer_chart_check_{os.getpid()}{'_tls' if tls else ''}"  # per process: two checks may share one PostgreSQL
    for sql in (f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", f"CREATE DATABASE {db}"):
        r = subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True, timeout=60)
        if not check(f"{label}: {sql}", r.returncode == 0, r.stderr):
            return
    url = base.replace("/pacer?", f"/{db}?")
    dep = find(objects, "Deployment", RELEASE)[0]
    c = dep["spec"]["template"]["spec"]["containers"][0]
    token = secret_value(objects, f"{RELEASE}-ingest", "token") or ""
    token_file = os.path.join(tmp, "token")
    Path(token_file).write_text(token + "\n")
    local = {"/etc/pacer/ingest/token": token_file}
    if tls:
        local.update({"/etc/pacer/tls/tls.crt": tls["tls.crt"], "/etc/pacer/tls/tls.key": tls["tls.key"]})
    args = [a for a in c["args"]]
    for charted, here in local.items():
        args = [a.replace(charted, here) for a in args]
    args += ["--kubeconfig", kubeconfig]
    if tls and not check(f"{label}: the Deployment passes --tls-cert-file and --tls-key-file (swapped for the openssl pair)",
                         f"--tls-cert-file={tls['tls.crt']}" in args and f"--tls-key-file={tls['tls.key']}" in args, str(c["args"])):
        return
    port = free_port()
    env = dict(os.environ)
    env.update({e["name"]: e["value"] for e in c["env"] if "value" in e})
    env.update({"PACER_DATABASE_URL": url, "PACER_HTTP_PORT": str(port), "PACER_HTTP_HOST": "127.0.0.1", "PACER_LOG_FORMAT": "text"})
    log_path = os.path.join(tmp, "pacer-tls.log" if tls else "pacer.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(binary), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            ready, deadline = (0, ""), time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                ready = http("GET", f"{scheme}://127.0.0.1:{port}/readyz", cafile=cafile)
                if ready[0] == 200:
                    break
                time.sleep(0.3)
            if not check(f"{label}: `pacer {' '.join(args[:3])} ...` as charted answers {scheme} /readyz 200", ready[0] == 200,
                         f"{ready} exit={proc.poll()} log: {Path(log_path).read_text()[-800:]}"):
                return
            if tls:
                plain = http("GET", f"http://127.0.0.1:{port}/readyz")
                check(f"{label}: plain http on the TLS port gets no answer", plain[0] != 200, str(plain))
            event = json.dumps({"specversion": "1.0", "id": "chart-check-1", "source": "/chart/check",
                                "type": "dev.cdevents.service.deployed.0.2.0", "time": "2026-01-01T00:00:00Z",
                                "datacontenttype": "application/json", "data": {}}).encode()
            headers = {"Content-Type": "application/cloudevents+json"}
            status, body = http("POST", f"{scheme}://127.0.0.1:{port}/events", event, headers, cafile=cafile)
            check(f"{label}: POST /events without the token is 401", status == 401, f"{status} {body[:200]}")
            status, body = http("POST", f"{scheme}://127.0.0.1:{port}/events", event, {**headers, "Authorization": f"Bearer {token}"}, cafile=cafile)
            check(f"{label}: POST /events with the generated token is 202", status == 202, f"{status} {body[:200]}")
            ready_count, deadline = 0, time.monotonic() + 60
            while time.monotonic() < deadline:
                r = kubectl(kubeconfig, "get", "-n", NS, "metricdefinitions", "-o", "json")
                items = json.loads(r.stdout).get("items", []) if r.returncode == 0 else []
                ready_count = sum(1 for i in items if any(cond.get("type") == "Ready" and cond.get("status") == "True"
                                                          for cond in i.get("status", {}).get("conditions", [])))
                if ready_count == 6:
                    break
                time.sleep(0.5)
            check(f"{label}: the 6 default MetricDefinitions become Ready", ready_count == 6,
                  f"{ready_count} ready; log: {Path(log_path).read_text()[-800:]}")
            r = kubectl(kubeconfig, "get", "-n", NS, "leases", "-o", "name")
            check(f"{label}: leader-election Lease held in {NS} (the Role's namespace)", r.stdout.strip() != "", r.stdout + r.stderr)
            hook = [o for o in find(objects, "Pod") if o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
            script = hook[0]["spec"]["containers"][0]["args"][0]
            script_env = dict(os.environ)
            if tls:
                # The script keeps the Service's name (the certificate's SAN is checked); curl resolves it to the
                # local port through a .curlrc (CURL_HOME), and the CA sits where the Pod mounts the tls-ca volume.
                mounts = {m["name"]: m["mountPath"] for m in hook[0]["spec"]["containers"][0].get("volumeMounts", [])}
                ca_path = mounts.get("tls-ca", "(no tls-ca mount)") + "/ca.crt"
                script = script.replace(f"https://{RELEASE}.{NS}.svc:8080", f"https://{RELEASE}.{NS}.svc:{port}").replace(ca_path, tls["ca.crt"])
                curl_home = os.path.join(tmp, "curl-home")
                os.makedirs(curl_home, exist_ok=True)
                Path(curl_home, ".curlrc").write_text(f'resolve = "{RELEASE}.{NS}.svc:{port}:127.0.0.1"\n')
                script_env["CURL_HOME"] = curl_home
                check(f"{label}: the hook script calls https with --cacert {ca_path} (the mounted CA) on every curl",
                      script.count("curl ") == script.count(f"curl --cacert {tls['ca.crt']} ") > 0, script)
            else:
                script = script.replace(f"http://{RELEASE}.{NS}.svc:8080", f"http://127.0.0.1:{port}")
            # The hook's ServiceAccount, Role and RoleBinding as Helm creates them before the Pod; the Pod's mounted
            # token is the TokenRequest kubectl create token makes for that ServiceAccount.
            hook_rbac = [o for o in objects if o["kind"] in ("ServiceAccount", "Role", "RoleBinding")
                         and o["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
            r = kubectl(kubeconfig, "apply", "-n", NS, "-f", "-", stdin=yaml.safe_dump_all(hook_rbac))
            check(f"{label}: the `helm test` hook's ServiceAccount, Role and RoleBinding apply", r.returncode == 0, r.stderr)
            r = kubectl(kubeconfig, "create", "token", f"{RELEASE}-test", "-n", NS)
            hook_token = os.path.join(tmp, "hook-token")
            Path(hook_token).write_text(r.stdout.strip())
            script = script.replace("/var/run/secrets/kubernetes.io/serviceaccount/token", hook_token)
            r = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=180, env=script_env)
            check(f"{label}: the `helm test` Pod's script (Service address swapped for the local port) passes",
                  r.returncode == 0 and "pacer answers at" in r.stdout, r.stdout + r.stderr)
        finally:
            stop_process(proc, timeout=15)
            subprocess.run(["psql", base, "-qAtc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True, timeout=60)


def load_module(name: str, file: str):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / "hack" / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_dockerfile_checks():
    """hack/check-dockerfile.py, imported (its name has a dash) so its checks count here too."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("check_dockerfile", ROOT / "hack" / "check-dockerfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    import helm_python as h
    h.disable_logging() if hasattr(h, "disable_logging") else None
    check_drift()
    check_values_table()
    report = h.lint(str(CHART), strict=True, kube_version=f"v{KUBE_VERSION}", namespace=NS)
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report.get("errors", [])
    check("helm lint --strict (Helm v4 SDK), default values", not problems, str(problems))
    report = h.lint(str(CHART), {"postgresql": {"enabled": False}, "externalDatabase": {"url": "postgres://u:p@h/db"},
                                 "watchNamespaces": ["a"], "serviceMonitor": {"enabled": True}, "networkPolicy": {"enabled": True},
                                 "prometheusRule": {"enabled": True}},
                    strict=True, kube_version=f"v{KUBE_VERSION}", namespace=NS)
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report.get("errors", [])
    check("helm lint --strict, every option on", not problems, str(problems))
    chart = h.Chart.load(str(CHART))
    check("chart crds/ loaded by Helm (3 CRDs)", len(chart.crds) == 3, str(len(chart.crds)))
    objects, notes = render(h, chart, None)
    print(f"rendered default values: {len(objects)} objects")
    command = check_defaults(objects, notes)
    variants = check_variants(h, chart)
    dockerfile_checks = load_dockerfile_checks()
    dockerfile_checks.check_dockerfile(command, check)
    check_kubernetes_validate([("default", objects)] + variants)
    check_schema(h, chart)
    check_cli_contract([("default", objects)] + variants)
    if "--no-kube-sim" not in sys.argv:
        tls_objects, _ = render(h, chart, {"tls": {"enabled": True, "secretName": f"{RELEASE}-serving-cert"}})
        check_kube_sim(objects, tls_objects)
        if "--no-rbac-proof" not in sys.argv:
            watch_objects, _ = render(h, chart, {"watchNamespaces": ["team-a", "team-b"]})
            monitored_objects, _ = render(h, chart, {"serviceMonitor": {"enabled": True}})
            proof = load_module("chart_rbac_proof", "chart_rbac_proof.py")
            proof.run(objects, sys.modules[__name__], watch_objects, monitored_objects)
            agent_objects, _ = render(h, chart, {"agent": {"forwardTo": "https://pacer.hub.example/events", "tokenSecret": {"name": "hub-token"}},
                                                 "clusterName": "eu-1"})
            proof.run_agent(agent_objects, sys.modules[__name__])
    return report_and_exit()


def report_and_exit() -> int:
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # an unexpected crash still counts as a failure with the usual last line
        check("check-chart.py ran to the end", False, f"{type(error).__name__}: {error}")
        sys.exit(report_and_exit())
