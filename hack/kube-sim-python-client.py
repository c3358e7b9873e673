#!/usr/bin/env python3
"""kube-sim against the official Python Kubernetes client (PyPI `kubernetes`), a second independent client.

Starts its own kube-sim (the binary given as the first argument, default .build/debug/kube-sim), then checks the
documented API semantics one by one with the client's own calls. Exit status 0 only when every check passed;
each failure prints what was expected and what came back. Run by `make test` and by KubeSimTests.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from processes import stop_process

NS = "default"
FAILURES = []


def check(condition, what):
    if condition:
        print(f"ok   {what}")
    else:
        print(f"FAIL {what}")
        FAILURES.append(what)


def wait_for(what, predicate, timeout=60.0):
    """Polls `predicate` until it returns a truthy value (returned) or `timeout` passes (a failure, None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    check(False, f"{what} (not within {timeout:.0f} s)")
    return None


def raw(response):
    """The JSON body of a call made with _preload_content=False."""
    return json.loads(response.data)


def compact(api_client):
    configuration = api_client.configuration
    request = urllib.request.Request(configuration.host + "/_sim/compact", method="POST", data=b"")
    token = configuration.api_key.get("authorization") or configuration.api_key.get("BearerToken")
    if token:
        request.add_header("Authorization", token if token.startswith("Bearer ") else "Bearer " + token)
    urllib.request.urlopen(request, timeout=10).read()


def start_sim(binary, directory):
    kubeconfig = os.path.join(directory, "kubeconfig.yaml")
    process = subprocess.Popen(
        [binary, "--port", "0", "--kubeconfig-out", kubeconfig, "--rollout-delay", "50"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        sys.exit(f"kube-sim did not start: {line!r}")
    return process, kubeconfig


def deployment(name, image="nginx:1.27"):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {
            "replicas": 2, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "web", "image": image}]}},
        },
    }


def test_generation(apps):
    """apps/v1 Deployment strategy: spec *and* annotation changes bump metadata.generation (labels do not); the
    controller then observes the new generation without a new revision (no template change)."""
    apps.create_namespaced_deployment(NS, deployment("gen"))

    def settled(generation, revision):
        d = apps.read_namespaced_deployment("gen", NS)
        annotations = d.metadata.annotations or {}
        return d.status and d.status.observed_generation == generation and annotations.get(
            "deployment.kubernetes.io/revision") == revision and d

    wait_for("Deployment gen rolled out as revision 1, observedGeneration 1", lambda: settled(1, "1"))
    patched = apps.patch_namespaced_deployment(
        "gen", NS, {"metadata": {"annotations": {"team": "payments"}}}, _content_type="application/merge-patch+json")
    check(patched.metadata.generation == 2, f"annotation-only change bumps generation 1 -> 2 (got {patched.metadata.generation})")
    done = wait_for("controller observes generation 2", lambda: settled(2, "2") or settled(2, "1"))
    if done:
        revision = done.metadata.annotations.get("deployment.kubernetes.io/revision")
        check(revision == "1", f"no new revision for an annotation-only change (revision {revision})")
    labelled = apps.patch_namespaced_deployment(
        "gen", NS, {"metadata": {"labels": {"tier": "web"}}}, _content_type="application/merge-patch+json")
    check(labelled.metadata.generation == 2, f"a label-only change keeps generation 2 (got {labelled.metadata.generation})")


def test_paging(core):
    """API concepts, "Retrieving large results sets in chunks": continue pages are one consistent snapshot as of the
    first page (same resourceVersion); an expired continue token is 410 Gone with reason Expired."""
    for i in range(1, 6):
        core.create_namespaced_config_map(NS, {"metadata": {"name": f"page-{i}", "labels": {"set": "paging"}}, "data": {"i": str(i)}})
    first = core.list_namespaced_config_map(NS, label_selector="set=paging", limit=2)
    names = [item.metadata.name for item in first.items]
    check(names == ["page-1", "page-2"], f"first page is page-1, page-2 (got {names})")
    check(bool(first.metadata._continue), "first page carries a continue token")
    # Between pages: one created (sorts into the rest), one deleted, one changed.
    core.create_namespaced_config_map(NS, {"metadata": {"name": "page-3a", "labels": {"set": "paging"}}})
    core.delete_namespaced_config_map("page-4", NS)
    core.patch_namespaced_config_map("page-5", NS, {"data": {"i": "changed"}}, _content_type="application/merge-patch+json")
    rest = []
    token = first.metadata._continue
    while token:
        page = core.list_namespaced_config_map(NS, label_selector="set=paging", limit=2, _continue=token)
        check(page.metadata.resource_version == first.metadata.resource_version,
              f"page resourceVersion {page.metadata.resource_version} is the first page's {first.metadata.resource_version}")
        rest += page.items
        token = page.metadata._continue
    names = [item.metadata.name for item in rest]
    check(names == ["page-3", "page-4", "page-5"], f"later pages are the snapshot: page-3, page-4, page-5 (got {names})")
    data = [item.data for item in rest if item.metadata.name == "page-5"]
    check(data == [{"i": "5"}], f"page-5 as of the first page (got {data})")
    fresh = [item.metadata.name for item in core.list_namespaced_config_map(NS, label_selector="set=paging").items]
    check(fresh == ["page-1", "page-2", "page-3", "page-3a", "page-5"], f"a new list sees the changes (got {fresh})")

    expiring = core.list_namespaced_config_map(NS, label_selector="set=paging", limit=1)
    core.create_namespaced_config_map(NS, {"metadata": {"name": "after-expiring"}})  # history moves past the token
    compact(core.api_client)  # kube-sim's fault endpoint: forget the history (as etcd compaction does)
    try:
        core.list_namespaced_config_map(NS, label_selector="set=paging", limit=1, _continue=expiring.metadata._continue)
        check(False, "an expired continue token is refused")
    except ApiException as error:
        body = json.loads(error.body)
        check(error.status == 410 and body.get("reason") == "Expired",
              f"expired continue token: 410 Expired (got {error.status} {body.get('reason')})")


def test_watch_selector(core):
    """A watch with a label selector: an update that makes the object stop matching is DELETED carrying its last
    matching state; one that makes it match again is ADDED."""
    created = core.create_namespaced_config_map(NS, {"metadata": {"name": "watched", "labels": {"app": "w"}}, "data": {"v": "1"}})
    events = []
    ready = threading.Event()

    def run():
        w = watch.Watch()
        ready.set()
        for event in w.stream(core.list_namespaced_config_map, NS, label_selector="app=w",
                              resource_version=created.metadata.resource_version, timeout_seconds=30):
            events.append(event)
            if len(events) >= 2:
                w.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait()
    core.patch_namespaced_config_map("watched", NS, {"metadata": {"labels": {"app": "other"}}, "data": {"v": "2"}},
                                     _content_type="application/merge-patch+json")
    core.patch_namespaced_config_map("watched", NS, {"metadata": {"labels": {"app": "w"}}, "data": {"v": "3"}},
                                     _content_type="application/merge-patch+json")
    thread.join(60)
    kinds = [event["type"] for event in events]
    check(kinds == ["DELETED", "ADDED"], f"leaving then entering the selector: DELETED, ADDED (got {kinds})")
    if kinds == ["DELETED", "ADDED"]:
        gone, back = events[0]["object"], events[1]["object"]
        check(gone.metadata.labels == {"app": "w"} and gone.data == {"v": "1"},
              f"DELETED carries the last matching state (labels {gone.metadata.labels}, data {gone.data})")
        check(back.data == {"v": "3"}, f"ADDED carries the new state (data {back.data})")


def test_server_side_apply(core):
    """Server-side apply: managedFields per manager, 409 Conflict naming the other manager's fields unless
    force=true, and fields a manager stops applying (that it alone owned) are removed."""
    apply = "application/apply-patch+yaml"
    first = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1", "b": "2"}}
    cm = core.patch_namespaced_config_map("ssa", NS, first, field_manager="alpha", _content_type=apply)
    managers = {(entry.manager, entry.operation) for entry in cm.metadata.managed_fields or []}
    check(managers == {("alpha", "Apply")}, f"managedFields records alpha/Apply (got {managers})")
    alpha = [entry.fields_v1 for entry in cm.metadata.managed_fields or [] if entry.manager == "alpha"]
    check(alpha == [{"f:data": {"f:a": {}, "f:b": {}}}], f"alpha owns data.a and data.b (got {alpha})")

    second = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "other", "c": "3"}}
    try:
        core.patch_namespaced_config_map("ssa", NS, second, field_manager="beta", _content_type=apply)
        check(False, "beta applying a different data.a is refused")
    except ApiException as error:
        body = json.loads(error.body)
        causes = [(cause.get("reason"), cause.get("field")) for cause in body.get("details", {}).get("causes", [])]
        check(error.status == 409 and body.get("reason") == "Conflict", f"conflict: 409 Conflict (got {error.status} {body.get('reason')})")
        check(causes == [("FieldManagerConflict", ".data.a")], f"the conflict names .data.a (got {causes})")
        check('conflict with "alpha"' in body.get("message", ""), f"the message names manager alpha: {body.get('message')}")

    forced = core.patch_namespaced_config_map("ssa", NS, second, field_manager="beta", force=True, _content_type=apply)
    check(forced.data == {"a": "other", "b": "2", "c": "3"}, f"forced apply takes data.a (got {forced.data})")
    owners = {entry.manager: entry.fields_v1 for entry in forced.metadata.managed_fields or []}
    check(owners == {"alpha": {"f:data": {"f:b": {}}}, "beta": {"f:data": {"f:a": {}, "f:c": {}}}},
          f"ownership after force: alpha b, beta a and c (got {owners})")

    fewer = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1"}}
    after = core.patch_namespaced_config_map("ssa", NS, fewer, field_manager="alpha", force=True, _content_type=apply)
    check(after.data == {"a": "1", "c": "3"}, f"alpha stops applying b (it alone owned): b removed, c kept (got {after.data})")


def test_delete(core, apps):
    """DELETE answers a Status (Success, details name/group/kind=resource/uid) for most built-ins; the registries with
    ReturnDeletedObject (namespaces, serviceaccounts) answer the deleted object."""
    cm = core.create_namespaced_config_map(NS, {"metadata": {"name": "to-delete"}})
    status = raw(core.delete_namespaced_config_map("to-delete", NS, _preload_content=False))
    check(status.get("kind") == "Status" and status.get("status") == "Success", f"configmap delete: Status Success (got {status.get('kind')})")
    check(status.get("details") == {"name": "to-delete", "kind": "configmaps", "uid": cm.metadata.uid},
          f"details name/kind/uid (got {status.get('details')})")
    apps.create_namespaced_deployment(NS, deployment("to-delete"))
    typed = apps.delete_namespaced_deployment("to-delete", NS)  # this client version declares the answer as a plain object
    typed = typed if isinstance(typed, dict) else client.ApiClient().sanitize_for_serialization(typed)
    details = typed.get("details") or {}
    check(typed.get("status") == "Success" and details.get("group") == "apps" and details.get("kind") == "deployments",
          f"deployment delete: Status Success, group apps, kind deployments (got {typed.get('status')} {details})")
    core.create_namespaced_service_account(NS, {"metadata": {"name": "sa-delete"}})
    account = raw(core.delete_namespaced_service_account("sa-delete", NS, _preload_content=False))
    check(account.get("kind") == "ServiceAccount", f"serviceaccount delete returns the object (got {account.get('kind')})")


def test_events_v1(events_api, apis):
    """events.k8s.io/v1 Events: discoverable, create/list/watch, required fields validated."""
    groups = [group.name for group in apis.get_api_versions().groups]
    check("events.k8s.io" in groups, "events.k8s.io is in /apis")
    resources = [r.name for r in events_api.get_api_resources().resources]
    check("events" in resources, f"events.k8s.io/v1 lists events (got {resources})")
    now = datetime.datetime.now(datetime.timezone.utc)
    body = client.EventsV1Event(
        metadata=client.V1ObjectMeta(name="deploy-started"), event_time=now, reporting_controller="pacer.dev/test",
        reporting_instance="test-1", action="Deploy", reason="Started", type="Normal", note="rollout started",
        regarding=client.V1ObjectReference(kind="Deployment", name="web", namespace=NS, api_version="apps/v1"))
    listed = events_api.list_namespaced_event(NS)
    events = []

    def run():
        w = watch.Watch()
        for event in w.stream(events_api.list_namespaced_event, NS, resource_version=listed.metadata.resource_version, timeout_seconds=30):
            events.append(event)
            w.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    created = events_api.create_namespaced_event(NS, body)
    check(created.reporting_controller == "pacer.dev/test" and created.regarding.name == "web", "create returns the Event")
    thread.join(60)
    check([(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", "deploy-started")],
          f"a watch sees ADDED deploy-started (got {[(e['type'], e['object'].metadata.name) for e in events]})")
    names = [e.metadata.name for e in events_api.list_namespaced_event(NS, field_selector="reason=Started").items]
    check(names == ["deploy-started"], f"list with field selector reason=Started (got {names})")
    try:
        # The client validates eventTime itself; model_construct skips that so the server's validation answers.
        bad = client.EventsV1Event.model_construct(metadata=client.V1ObjectMeta(name="bad"), reason="X")
        events_api.create_namespaced_event(NS, bad)
        check(False, "an Event without eventTime/reportingController/... is refused")
    except ApiException as error:
        body = json.loads(error.body)
        fields = sorted(cause.get("field") for cause in body.get("details", {}).get("causes", []))
        check(error.status == 422 and fields == ["action", "eventTime", "reportingController", "reportingInstance"],
              f"invalid Event: 422 naming the missing fields (got {error.status} {fields})")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/kube-sim"
    with tempfile.TemporaryDirectory() as directory:
        process, kubeconfig = start_sim(binary, directory)
        try:
            api_client = config.new_client_from_config(config_file=kubeconfig)
            core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
            tests = [
                ("generation", lambda: test_generation(apps)),
                ("paging", lambda: test_paging(core)),
                ("watch-selector", lambda: test_watch_selector(core)),
                ("server-side-apply", lambda: test_server_side_apply(core)),
                ("delete", lambda: test_delete(core, apps)),
                ("events.k8s.io", lambda: test_events_v1(client.EventsV1Api(api_client), client.ApisApi(api_client))),
            ]
            only = os.environ.get("KUBE_SIM_PYTHON_ONLY")
            for name, test in tests:
                if only and name not in only.split(","):
                    continue
                print(f"--- {name}")
                try:
                    test()
                except Exception as error:  # an unexpected error fails this behaviour, the others still run
                    check(False, f"{name}: unexpected {type(error).__name__}: {error}")
        finally:
            stop_process(process, timeout=30)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
