"""Chart policies of issue 15: NetworkPolicies per role, liveness that sees work, images by digest.

Imported by scripts/check_chart.py (policy_errors) and tests/test_helm_chart.py.
"""

from __future__ import annotations

from typing import Any

ROLES = ("web", "worker", "beat", "migrate")
# The exec probe of worker and beat (observability/liveness.py reads the file their loops touch).
LIVENESS_COMMAND = ["python", "-m", "observability.liveness"]
# What each role may open, by the egress rule's first port (values.yaml, networkPolicy.egress).
EGRESS_PORTS = {
    "web": {53, 5432, 6379},
    "worker": {53, 5432, 6379, "smtp"},
    "beat": {53, 6379},
    "migrate": {53, 5432, 6379},
}


def _component(obj: dict[str, Any]) -> str | None:
    return obj.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/component")


def _pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    return obj["spec"]["template"].get("metadata", {}).get("labels") or {}


def network_policy_errors(objects: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """One policy per role selecting exactly its pods, both directions, only the allowed peers and ports."""
    settings = values.get("networkPolicy", {})
    policies = [o for o in objects if o.get("kind") == "NetworkPolicy"]
    if not settings.get("enabled", True):
        return (
            [f"networkPolicy.enabled is false, yet {len(policies)} NetworkPolicies render"]
            if policies
            else []
        )
    errors = []
    workloads = {
        _component(o): o for o in objects if o.get("kind") in {"Deployment", "Job"} and _component(o) in ROLES
    }
    for role, workload in workloads.items():
        found = [p for p in policies if _component(p) == role]
        if len(found) != 1:
            errors.append(f"{role}: expected one NetworkPolicy, found {len(found)}")
            continue
        policy = found[0]["spec"]
        selector = policy.get("podSelector", {}).get("matchLabels") or {}
        labels = _pod_labels(workload)
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            errors.append(f"{role}: NetworkPolicy does not select the {role} pods")
        if set(policy.get("policyTypes") or []) != {"Ingress", "Egress"}:
            errors.append(f"{role}: NetworkPolicy must restrict Ingress and Egress")
        errors += _ingress_errors(role, policy)
        errors += _egress_errors(role, policy, values)
    migrate = [p for p in policies if _component(p) == "migrate"]
    for policy in migrate:
        annotations = policy["metadata"].get("annotations") or {}
        if "pre-install" not in annotations.get("helm.sh/hook", ""):
            errors.append(
                "the migration Job's NetworkPolicy must be a pre-install,pre-upgrade hook like the Job"
            )
    return errors


def _ingress_errors(role: str, policy: dict[str, Any]) -> list[str]:
    """Only web's http and the worker's metrics port come in, and only from named peers."""
    errors = []
    ingress_ports = {p.get("port") for rule in policy.get("ingress") or [] for p in rule.get("ports") or []}
    allowed_in = {"web": {"http"}, "worker": {"metrics"}}.get(role, set())
    if ingress_ports - allowed_in:
        errors.append(f"{role}: NetworkPolicy admits ports {sorted(map(str, ingress_ports - allowed_in))}")
    if any(not rule.get("from") for rule in policy.get("ingress") or []):
        errors.append(f"{role}: an ingress rule without 'from' admits every pod and address")
    return errors


def _egress_errors(role: str, policy: dict[str, Any], values: dict[str, Any]) -> list[str]:
    """Exactly the ports the role needs go out (EGRESS_PORTS, SMTP for the worker), plus the
    extra egress web and worker may be given."""
    errors = []
    smtp_port = int(values.get("email", {}).get("port", 587))
    opened = {
        ("smtp" if p.get("port") == smtp_port and role == "worker" else p.get("port"))
        for rule in policy.get("egress") or []
        for p in rule.get("ports") or []
    }
    extra = {
        p.get("port")
        for rule in values.get("networkPolicy", {}).get("extraEgress") or []
        for p in rule.get("ports") or []
    }
    if any(not rule.get("ports") for rule in policy.get("egress") or []):
        errors.append(f"{role}: an egress rule without ports opens every port")
    unexpected = opened - EGRESS_PORTS[role] - (extra if role in {"web", "worker"} else set())
    if unexpected:
        errors.append(f"{role}: egress opens {sorted(map(str, unexpected))} beyond what it needs")
    if EGRESS_PORTS[role] - opened:
        errors.append(f"{role}: egress lacks {sorted(map(str, EGRESS_PORTS[role] - opened))}")
    return errors


def _probe_runs_liveness(probe: dict[str, Any] | None) -> bool:
    command = ((probe or {}).get("exec") or {}).get("command") or []
    return command[: len(LIVENESS_COMMAND)] == LIVENESS_COMMAND and "--max-age" in command


def probe_errors(objects: list[dict[str, Any]]) -> list[str]:
    """worker and beat: liveness, readiness and startup probes that read their liveness file."""
    errors = []
    for obj in objects:
        if obj.get("kind") != "Deployment" or _component(obj) not in {"worker", "beat"}:
            continue
        container = obj["spec"]["template"]["spec"]["containers"][0]
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            if not _probe_runs_liveness(container.get(kind)):
                errors.append(f"{_component(obj)} {kind} must run {' '.join(LIVENESS_COMMAND)} --max-age N")
    return errors


def digest_errors(objects: list[dict[str, Any]]) -> list[str]:
    """Every container's image pinned by digest (required of the production values)."""
    errors = []
    for obj in objects:
        spec = obj.get("spec", {}).get("template", {}).get("spec")
        if not spec:
            continue
        for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
            if "@sha256:" not in container.get("image", ""):
                errors.append(
                    f"{obj['kind']}/{obj['metadata']['name']}: image {container.get('image')!r} has no digest"
                )
    return errors
