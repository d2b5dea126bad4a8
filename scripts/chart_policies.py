"""The chart's own policies on rendered objects: the container contract, secrets, hooks, ingress,
workloads and media (scripts/check_chart.py runs them; tests/test_helm_chart.py uses them too).

Split from check_chart.py, which keeps linting, rendering, the schemas and the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}
# The container's writable paths (mount points in the pods, not files this script touches).
TMP_DIR = "/tmp"  # noqa: S108
PROMETHEUS_DIR = "/tmp/prometheus"  # noqa: S108


def describe(obj: dict[str, Any]) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


# --- policies ---------------------------------------------------------------------------------


def find(objects: Iterable[dict[str, Any]], kind: str, component: str | None = None) -> list[dict[str, Any]]:
    """Objects of one kind, optionally of one component (app.kubernetes.io/component)."""
    return [
        obj
        for obj in objects
        if obj.get("kind") == kind
        and (
            component is None
            or obj.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/component") == component
        )
    ]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a workload object."""
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def pod_template_annotations(obj: dict[str, Any]) -> dict[str, str]:
    spec = obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]
    return spec["template"].get("metadata", {}).get("annotations") or {}


def containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = pod_spec(obj)
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def hook_annotations(obj: dict[str, Any]) -> tuple[set[str], int | None, set[str]]:
    """(hook events, weight, delete policies) of an object; empty when it is no hook."""
    annotations = obj.get("metadata", {}).get("annotations") or {}
    events = {e.strip() for e in annotations.get("helm.sh/hook", "").split(",") if e.strip()}
    weight = annotations.get("helm.sh/hook-weight")
    policies = {p.strip() for p in annotations.get("helm.sh/hook-delete-policy", "").split(",") if p.strip()}
    return events, (int(weight) if weight is not None else None), policies


def container_errors(obj: dict[str, Any]) -> list[str]:
    """The container contract: non-root, read-only root, no privileges, limits, a pinned image."""
    errors = []
    spec = pod_spec(obj)
    pod_security = spec.get("securityContext") or {}
    if spec.get("automountServiceAccountToken") is not False:
        errors.append(f"{describe(obj)}: automountServiceAccountToken must be false")
    if (pod_security.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
        errors.append(f"{describe(obj)}: pod seccompProfile must be RuntimeDefault")
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        if pod_security.get(key) != 10001:
            errors.append(f"{describe(obj)}: pod securityContext.{key} must be 10001 (the image's user)")
    for container in containers(obj):
        errors += _one_container_errors(
            f"{describe(obj)} container {container['name']}", container, pod_security
        )
    return errors


def _one_container_errors(where: str, container: dict[str, Any], pod_security: dict[str, Any]) -> list[str]:
    """A container's own security context, its requests and limits, and its image's tag."""
    errors = []
    security = container.get("securityContext") or {}
    if security.get("readOnlyRootFilesystem") is not True:
        errors.append(f"{where}: readOnlyRootFilesystem must be true")
    if security.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is not True:
        errors.append(f"{where}: runAsNonRoot must be true")
    if security.get("allowPrivilegeEscalation") is not False:
        errors.append(f"{where}: allowPrivilegeEscalation must be false")
    if "ALL" not in ((security.get("capabilities") or {}).get("drop") or []):
        errors.append(f"{where}: capabilities must drop ALL")
    limits = (container.get("resources") or {}).get("limits") or {}
    requests = (container.get("resources") or {}).get("requests") or {}
    for resource in ("cpu", "memory"):
        if resource not in limits:
            errors.append(f"{where}: no {resource} limit")
        if resource not in requests:
            errors.append(f"{where}: no {resource} request")
    image = container.get("image", "")
    name_part = image.split("@")[0].rsplit("/", 1)[-1]
    if ":" not in name_part and "@" not in image:
        errors.append(f"{where}: image {image!r} has no tag")
    elif name_part.endswith(":latest"):
        errors.append(f"{where}: image {image!r} uses the latest tag")
    return errors


def is_hook(obj: dict[str, Any]) -> bool:
    return bool(hook_annotations(obj)[0])


def secret_errors(objects: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """A chart-made Secret exactly when no existingSecret is named, and every pod reads the right one.

    The Deployments read the ordinary Secret; the migration Job (a hook, run before the release's
    objects exist) reads its hook copy, or the existing Secret.
    """
    errors = []
    existing = values.get("secrets", {}).get("existingSecret")
    secrets = [s for s in find(objects, "Secret") if not is_hook(s)]
    hook_secrets = [s for s in find(objects, "Secret") if is_hook(s)]
    if existing and (secrets or hook_secrets):
        errors.append(
            f"existingSecret {existing!r} is set, yet the chart renders "
            f"{[describe(s) for s in secrets + hook_secrets]}"
        )
    if not existing and len(secrets) != 1:
        errors.append(f"without existingSecret the chart must render one ordinary Secret, not {len(secrets)}")
    migrations = values.get("migrations", {}).get("enabled", True)
    if not existing and migrations and len(hook_secrets) != 1:
        errors.append(f"the migration Job needs one hook copy of the Secret, found {len(hook_secrets)}")
    expected = existing or (secrets[0]["metadata"]["name"] if secrets else None)
    expected_by_job = existing or (hook_secrets[0]["metadata"]["name"] if hook_secrets else None)
    for obj in objects:
        if obj["kind"] not in WORKLOAD_KINDS:
            continue
        wanted = expected_by_job if find([obj], "Job", "migrate") else expected
        for container in containers(obj):
            names = {
                (env.get("valueFrom") or {}).get("secretKeyRef", {}).get("name")
                for env in container.get("env") or []
                if (env.get("valueFrom") or {}).get("secretKeyRef")
            }
            refs = {e["secretRef"]["name"] for e in container.get("envFrom") or [] if "secretRef" in e}
            if wanted not in names | refs:
                errors.append(
                    f"{describe(obj)} container {container['name']}: does not read Secret {wanted!r}"
                )
            if (names | refs) - {wanted}:
                errors.append(f"{describe(obj)}: reads other Secrets {sorted((names | refs) - {wanted})}")
    return errors


def settings_errors(objects: list[dict[str, Any]]) -> list[str]:
    """What the Deployments read is no hook, and each TLS Secret name belongs to one host.

    Hook objects are replaced before the migration Job runs, i.e. before the upgrade is known to
    succeed: an old pod restarting during a failed upgrade would start with the new settings.
    """
    errors = []
    rendered = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    for deployment in find(objects, "Deployment"):
        for container in containers(deployment):
            used = {
                ("ConfigMap", r["configMapRef"]["name"])
                for r in container.get("envFrom") or []
                if "configMapRef" in r
            }
            used |= {
                ("Secret", env["valueFrom"]["secretKeyRef"]["name"])
                for env in container.get("env") or []
                if (env.get("valueFrom") or {}).get("secretKeyRef")
            }
            for kind, name in sorted(used):
                obj = rendered.get((kind, name))
                if obj is not None and is_hook(obj):
                    errors.append(
                        f"{describe(deployment)} reads {kind}/{name}, a hook (replaced before the upgrade succeeded)"
                    )
    return errors


def hook_errors(objects: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """The migration Job is a pre-install/pre-upgrade hook; what it needs is created before it."""
    errors = []
    jobs = find(objects, "Job", "migrate")
    if not values.get("migrations", {}).get("enabled", True):
        return errors
    if len(jobs) != 1:
        return [f"expected one migration Job, found {len(jobs)}"]
    job = jobs[0]
    events, weight, policies = hook_annotations(job)
    if events != {"pre-install", "pre-upgrade"}:
        errors.append(f"migration Job hook must be pre-install,pre-upgrade, not {sorted(events)}")
    if weight != 0:
        errors.append(f"migration Job hook-weight must be 0, not {weight}")
    if policies != {"before-hook-creation", "hook-succeeded"}:
        errors.append(
            f"migration Job delete policy must be before-hook-creation,hook-succeeded, not {sorted(policies)}"
        )
    spec = job["spec"]
    if "backoffLimit" not in spec or "activeDeadlineSeconds" not in spec:
        errors.append("migration Job needs backoffLimit and activeDeadlineSeconds")
    if [c.get("args") for c in pod_spec(job)["containers"]] != [["migrate"]]:
        errors.append("migration Job must run the image with the single argument 'migrate'")
    errors += _job_dependency_errors(job, objects, weight)
    for claim in find(objects, "PersistentVolumeClaim"):
        if hook_annotations(claim)[0]:
            errors.append(f"{describe(claim)} must not be a hook (hooks are recreated and never uninstalled)")
    return errors


def _job_dependency_errors(
    job: dict[str, Any], objects: list[dict[str, Any]], weight: int | None
) -> list[str]:
    """Everything the Job's pod refers to must be a hook created before it."""
    errors = []
    needed = {
        ("ConfigMap", ref["configMapRef"]["name"])
        for c in containers(job)
        for ref in c.get("envFrom") or []
        if "configMapRef" in ref
    }
    needed |= {
        ("Secret", env["valueFrom"]["secretKeyRef"]["name"])
        for c in containers(job)
        for env in c.get("env") or []
        if (env.get("valueFrom") or {}).get("secretKeyRef")
    }
    needed.add(("ServiceAccount", pod_spec(job).get("serviceAccountName", "default")))
    rendered = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    for kind, name in sorted(needed):
        obj = rendered.get((kind, name))
        if obj is None:
            continue  # made by the operator (existingSecret, an existing ServiceAccount)
        needed_events, needed_weight, needed_policies = hook_annotations(obj)
        if not {"pre-install", "pre-upgrade"} <= needed_events:
            errors.append(
                f"{kind}/{name} is used by the migration Job but is no pre-install,pre-upgrade hook"
            )
        elif needed_weight is None or needed_weight >= (weight or 0):
            errors.append(f"{kind}/{name} hook-weight {needed_weight} must come before the Job's {weight}")
        elif not {"before-hook-creation", "hook-succeeded"} <= needed_policies:
            errors.append(f"{kind}/{name} needs hook-delete-policy before-hook-creation,hook-succeeded")
    return errors


def ingress_errors(objects: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """Every listed host has a rule and, with TLS, its own TLS entry; cert-manager when asked."""
    ingress_values = values.get("ingress", {})
    if not ingress_values.get("enabled", True):
        return []
    errors = []
    ingresses = find(objects, "Ingress")
    rules = {rule.get("host") for ing in ingresses for rule in ing["spec"].get("rules") or []}
    tls_entries = [entry for ing in ingresses for entry in ing["spec"].get("tls") or []]
    for item in ingress_values.get("hosts") or []:
        host = item["host"]
        if host not in rules:
            errors.append(f"ingress has no rule for {host}")
        if item.get("tls", True):
            entries = [entry for entry in tls_entries if host in entry.get("hosts", [])]
            if len(entries) != 1 or entries[0].get("hosts") != [host] or not entries[0].get("secretName"):
                errors.append(f"{host} needs its own TLS entry (one host, one Secret), found {entries}")
    if ingress_values.get("catchAll") and None not in rules:
        errors.append("ingress.catchAll is on but there is no rule without host")
    secret_names = [entry.get("secretName") for entry in tls_entries]
    if len(secret_names) != len(set(secret_names)):
        errors.append(f"TLS Secrets are shared between entries: {secret_names}")
    issuer = ingress_values.get("certManager", {}).get("clusterIssuer")
    for ing in ingresses:
        annotations = ing["metadata"].get("annotations") or {}
        issued = any(ing["spec"].get("tls") or []) and not ing["metadata"]["name"].endswith("-wildcard")
        if issuer and issued and annotations.get("cert-manager.io/cluster-issuer") != issuer:
            errors.append(f"{describe(ing)} lacks cert-manager.io/cluster-issuer: {issuer}")
        if ing["spec"].get("ingressClassName") != (ingress_values.get("className") or None):
            errors.append(f"{describe(ing)} ingressClassName is not {ingress_values.get('className')!r}")
    return errors


def workload_errors(objects: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """web, worker and beat: their shape, probes, autoscaling and disruption budgets."""
    errors = []
    deployments = {c: find(objects, "Deployment", c) for c in ("web", "worker", "beat")}
    for component, found in deployments.items():
        if len(found) != 1:
            errors.append(f"expected one {component} Deployment, found {len(found)}")
    if errors:
        return errors
    web, worker, beat = deployments["web"][0], deployments["worker"][0], deployments["beat"][0]
    for deployment, role in ((web, "web"), (worker, "worker"), (beat, "beat")):
        if [c.get("args") for c in pod_spec(deployment)["containers"]] != [[role]]:
            errors.append(f"{describe(deployment)} must run the image with the single argument {role!r}")
        annotations = pod_template_annotations(deployment)
        for key in ("checksum/config", "checksum/secret"):
            if key not in annotations:
                errors.append(f"{describe(deployment)} pod template lacks {key}")
        if "terminationGracePeriodSeconds" not in pod_spec(deployment):
            errors.append(f"{describe(deployment)} has no terminationGracePeriodSeconds")
    if beat["spec"].get("replicas") != 1:
        errors.append(f"beat must run exactly one replica, not {beat['spec'].get('replicas')}")
    if beat["spec"].get("strategy", {}).get("type") != "Recreate":
        errors.append("beat must be replaced with strategy Recreate")
    errors += _web_errors(objects, web)
    for component, deployment in (("web", web), ("worker", worker)):
        errors += _scaling_errors(objects, values.get(component, {}), component, deployment)
    return errors


def _web_errors(objects: list[dict[str, Any]], web: dict[str, Any]) -> list[str]:
    """web: its probes, pods spread over nodes, and port 80 of its Service on the container's 8000."""
    errors = []
    web_container = pod_spec(web)["containers"][0]
    if (web_container.get("livenessProbe") or {}).get("httpGet", {}).get("path") != "/healthz":
        errors.append("web liveness probe must be httpGet /healthz")
    if (web_container.get("readinessProbe") or {}).get("httpGet", {}).get("path") != "/readyz":
        errors.append("web readiness probe must be httpGet /readyz")
    web_pod = pod_spec(web)
    anti_affinity = (web_pod.get("affinity") or {}).get("podAntiAffinity")
    if not web_pod.get("topologySpreadConstraints") and not anti_affinity:
        errors.append("web pods are not spread (topologySpreadConstraints or podAntiAffinity)")
    services = find(objects, "Service", "web")
    ports = [p for s in services for p in s["spec"]["ports"]]
    if [(p.get("name"), p.get("port"), p.get("targetPort")) for p in ports] != [("http", 80, "http")]:
        errors.append(f"web Service must map port 80 (http) to the container's http port, not {ports}")
    container_ports = {p["name"]: p["containerPort"] for p in web_container.get("ports") or []}
    if container_ports.get("http") != 8000:
        errors.append("web container must expose port 8000 as http")
    return errors


def _scaling_errors(
    objects: list[dict[str, Any]], settings: dict[str, Any], component: str, deployment: dict[str, Any]
) -> list[str]:
    """An HPA that owns the replicas, and a disruption budget selecting the component's pods."""
    errors = []
    hpas = find(objects, "HorizontalPodAutoscaler", component)
    if settings.get("autoscaling", {}).get("enabled", True):
        if len(hpas) != 1 or hpas[0]["spec"]["scaleTargetRef"]["name"] != deployment["metadata"]["name"]:
            errors.append(f"{component} needs an HPA on its Deployment")
        if "replicas" in deployment["spec"]:
            errors.append(f"{component} Deployment sets replicas although its HPA owns them")
    pdbs = find(objects, "PodDisruptionBudget", component)
    if settings.get("podDisruptionBudget", {}).get("enabled", True) and len(pdbs) != 1:
        errors.append(f"{component} needs a PodDisruptionBudget")
    for pdb in pdbs:
        if pdb["spec"]["selector"]["matchLabels"] != deployment["spec"]["selector"]["matchLabels"]:
            errors.append(f"{describe(pdb)} does not select the {component} pods")
    return errors


def media_errors(objects: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """web and worker share /app/media: one ReadWriteMany claim, an existing claim, or (warned) emptyDir."""
    errors = []
    persistence = values.get("media", {}).get("persistence", {})
    claims = find(objects, "PersistentVolumeClaim")
    existing = persistence.get("existingClaim")
    if persistence.get("enabled", True) and not existing:
        if len(claims) != 1 or "ReadWriteMany" not in claims[0]["spec"]["accessModes"]:
            errors.append("media needs one ReadWriteMany PersistentVolumeClaim")
    elif claims:
        errors.append(
            f"no claim expected (existingClaim or persistence off), found {[describe(c) for c in claims]}"
        )
    claim_name = existing or (claims[0]["metadata"]["name"] if claims else None)
    for component in ("web", "worker"):
        for deployment in find(objects, "Deployment", component):
            volumes = {v["name"]: v for v in pod_spec(deployment).get("volumes") or []}
            mounts = {
                m["mountPath"]: m["name"] for c in containers(deployment) for m in c.get("volumeMounts") or []
            }
            media = volumes.get(mounts.get("/app/media", ""))
            if media is None:
                errors.append(f"{describe(deployment)} does not mount /app/media")
            elif claim_name and media.get("persistentVolumeClaim", {}).get("claimName") != claim_name:
                errors.append(f"{describe(deployment)} /app/media is not the claim {claim_name}")
    for obj in objects:
        if obj["kind"] in WORKLOAD_KINDS:
            errors += _scratch_errors(obj)
    return errors


def _scratch_errors(obj: dict[str, Any]) -> list[str]:
    """Every container's /tmp is an emptyDir and /tmp/prometheus one in memory (the root is read-only)."""
    errors = []
    volumes = {v["name"]: v for v in pod_spec(obj).get("volumes") or []}
    for container in containers(obj):
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
        if "emptyDir" not in volumes.get(mounts.get(TMP_DIR, ""), {}):
            errors.append(f"{describe(obj)} container {container['name']}: /tmp must be an emptyDir")
        prometheus = volumes.get(mounts.get(PROMETHEUS_DIR, ""), {})
        if (prometheus.get("emptyDir") or {}).get("medium") != "Memory":
            errors.append(
                f"{describe(obj)} container {container['name']}: /tmp/prometheus must be an in-memory emptyDir"
            )
    return errors
