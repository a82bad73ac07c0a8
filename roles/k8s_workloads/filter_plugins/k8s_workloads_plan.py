"""Input checks of the k8s_workloads role (run in pre-flight, before any API call).

Each rule broken is reported as "<variable>: <rule>, got <value>", the way the
other roles' *_input_errors filters do.
"""

import re

# Service names become namespace, Service, Deployment and ServiceAccount names:
# a Service name is an RFC 1035 label (a DNS-1123 label that starts with a letter).
NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
NAME_MAX = 63
NAMESPACE_CALLER = re.compile(r"^namespace/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$")
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CPU = re.compile(r"^([0-9]+m|[0-9]+(\.[0-9]+)?)$")
MEMORY = re.compile(r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$")
PERCENT_OR_INT = re.compile(r"^([0-9]+%?)$")
HOST = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
VERSION = re.compile(r"^1\.[0-9]{2}$")
SCHEMES = ("internal", "internet-facing")
VAR = "k8s_workloads_services"


def _int(value):
    """The value as an int if it is one (bools are not), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    return None


def _int_or_percent(value):
    return _int(value) is not None and _int(value) >= 0 or (isinstance(value, str) and bool(PERCENT_OR_INT.match(value)))


def _resource_errors(where, resources):
    errors = []
    if not isinstance(resources, dict):
        return [f"{where}.resources: must be a dict with requests and limits, got {resources!r}"]
    for section in ("requests", "limits"):
        values = resources.get(section) or {}
        if not isinstance(values, dict):
            errors.append(f"{where}.resources.{section}: must be a dict of cpu and memory, got {values!r}")
            continue
        for key, value in values.items():
            pattern = {"cpu": CPU, "memory": MEMORY}.get(key)
            if pattern is None:
                errors.append(f"{where}.resources.{section}: only cpu and memory are supported, got {key!r}")
            elif not pattern.match(str(value)):
                errors.append(f"{where}.resources.{section}.{key}: must be a Kubernetes quantity, got {value!r}")
    return errors


def _hpa_errors(where, hpa, resources):
    errors = []
    if not isinstance(hpa, dict):
        return [f"{where}.hpa: must be a dict (min, max, cpu_utilization, memory_utilization), got {hpa!r}"]
    low, high = _int(hpa.get("min")), _int(hpa.get("max"))
    if low is None or low < 1:
        errors.append(f"{where}.hpa.min: must be an integer of at least 1, got {hpa.get('min')!r}")
    if high is None or high < 1:
        errors.append(f"{where}.hpa.max: must be an integer of at least 1, got {hpa.get('max')!r}")
    if low is not None and high is not None and high < low:
        errors.append(f"{where}.hpa.max: must not be less than hpa.min ({low}), got {high}")
    targets = 0
    for metric in ("cpu", "memory"):
        key = f"{metric}_utilization"
        if hpa.get(key) in (None, ""):
            continue
        targets += 1
        value = _int(hpa.get(key))
        if value is None or value < 1:
            errors.append(f"{where}.hpa.{key}: must be a positive integer (percent of the request), got {hpa.get(key)!r}")
        requests = (resources or {}).get("requests") or {} if isinstance(resources, dict) else {}
        if isinstance(requests, dict) and metric not in requests:
            errors.append(f"{where}.hpa.{key}: a utilisation target needs resources.requests.{metric}, got none")
    if targets == 0:
        errors.append(f"{where}.hpa: needs cpu_utilization and/or memory_utilization, got neither")
    return errors


def _ingress_errors(where, ingress):
    if not isinstance(ingress, dict):
        return [f"{where}.ingress: must be a dict (host, path, scheme, annotations), got {ingress!r}"]
    errors = []
    host = ingress.get("host")
    if host not in (None, "") and not HOST.match(str(host)):
        errors.append(f"{where}.ingress.host: must be a lowercase DNS name, got {host!r}")
    path = ingress.get("path", "/")
    if not str(path).startswith("/"):
        errors.append(f"{where}.ingress.path: must start with /, got {path!r}")
    scheme = ingress.get("scheme", "internal")
    if scheme not in SCHEMES:
        errors.append(f"{where}.ingress.scheme: must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    annotations = ingress.get("annotations", {})
    if not isinstance(annotations, dict):
        errors.append(f"{where}.ingress.annotations: must be a dict, got {annotations!r}")
    return errors


def _pdb_errors(where, pdb):
    if not isinstance(pdb, dict):
        return [f"{where}.pdb: must be a dict with min_available or max_unavailable, got {pdb!r}"]
    keys = [k for k in ("min_available", "max_unavailable") if pdb.get(k) not in (None, "")]
    if len(keys) != 1:
        return [f"{where}.pdb: needs exactly one of min_available and max_unavailable, got {pdb!r}"]
    if not _int_or_percent(pdb[keys[0]]):
        return [f"{where}.pdb.{keys[0]}: must be an integer or a percentage, got {pdb[keys[0]]!r}"]
    return []


def k8s_workloads_input_errors(services, rolling_update=None, kubernetes_version="1.33"):
    """Every broken rule of k8s_workloads_services (and the version and rolling update)."""
    errors = []
    if not VERSION.match(str(kubernetes_version)):
        errors.append(f"k8s_workloads_kubernetes_version: must be a Kubernetes minor version like 1.33, "
                      f"got {kubernetes_version!r}")
    rolling_update = rolling_update or {}
    for key in ("max_surge", "max_unavailable"):
        if key in rolling_update and not _int_or_percent(rolling_update[key]):
            errors.append(f"k8s_workloads_rolling_update.{key}: must be an integer or a percentage, "
                          f"got {rolling_update[key]!r}")
    if not isinstance(services, list):
        return errors + [f"{VAR}: must be a list of services, got {services!r}"]
    names = [s.get("name") for s in services if isinstance(s, dict)]
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            errors.append(f"{VAR}[{index}]: must be a dict, got {service!r}")
            continue
        name = service.get("name")
        where = f"{VAR}[{index}]" if not isinstance(name, str) else f"{VAR}: '{name}'"
        if not isinstance(name, str) or not NAME.match(name) or len(name) > NAME_MAX:
            errors.append(f"{where}: name must be a DNS-1123 label that starts with a letter "
                          f"(lowercase letters, digits, '-', at most {NAME_MAX}), got {name!r}")
        elif names.count(name) > 1:
            errors.append(f"{where}: name is declared {names.count(name)} times")
        if not IMAGE_TAG.match(str(service.get("tag", ""))):
            errors.append(f"{where}.tag: must be an image tag ([A-Za-z0-9_.-], at most 128), got {service.get('tag')!r}")
        port = _int(service.get("port"))
        if port is None or not 1 <= port <= 65535:
            errors.append(f"{where}.port: container port must be an integer from 1 to 65535, got {service.get('port')!r}")
        replicas = _int(service.get("replicas", 1))
        if replicas is None or replicas < 0:
            errors.append(f"{where}.replicas: must be an integer of at least 0, got {service.get('replicas')!r}")
        errors += _resource_errors(where, service.get("resources", {}))
        probes = service.get("probes") or {}
        for key in ("liveness_path", "readiness_path"):
            if key in probes and not str(probes[key]).startswith("/"):
                errors.append(f"{where}.probes.{key}: must be an HTTP path starting with /, got {probes[key]!r}")
        env = service.get("env") or {}
        if not isinstance(env, dict):
            errors.append(f"{where}.env: must be a dict of NAME: value, got {env!r}")
        else:
            for key in env:
                if not ENV_NAME.match(str(key)):
                    errors.append(f"{where}.env: {key!r} is not a valid environment variable name")
        arn = service.get("iam_role_arn", "")
        if arn and not ROLE_ARN.match(str(arn)):
            errors.append(f"{where}.iam_role_arn: must be an IAM role ARN, got {arn!r}")
        if service.get("hpa") is not None:
            errors += _hpa_errors(where, service["hpa"], service.get("resources", {}))
        if service.get("ingress") is not None:
            errors += _ingress_errors(where, service["ingress"])
        if service.get("pdb") is not None:
            errors += _pdb_errors(where, service["pdb"])
        callers = service.get("callers", [])
        if not isinstance(callers, list):
            errors.append(f"{where}.callers: must be a list of service names or namespace/<name>, got {callers!r}")
            continue
        for caller in callers:
            if caller == name:
                errors.append(f"{where}.callers: a service cannot list itself, got {caller!r}")
            elif caller not in names and not NAMESPACE_CALLER.match(str(caller)):
                errors.append(f"{where}.callers: {caller!r} is neither a declared service "
                              f"({', '.join(str(n) for n in names)}) nor namespace/<name>")
    return errors


def k8s_workloads_caller_peers(callers, source_cidrs=None):
    """NetworkPolicy 'from' peers: the callers (service names or namespace/<name>), then source CIDRs."""
    peers = []
    for caller in callers or []:
        match = NAMESPACE_CALLER.match(str(caller))
        if match:
            peers.append({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": match.group(1)}}})
        else:
            peers.append({
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": caller}},
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": caller}},
            })
    peers += [{"ipBlock": {"cidr": cidr}} for cidr in source_cidrs or []]
    return peers


class FilterModule:
    def filters(self):
        return {
            "k8s_workloads_input_errors": k8s_workloads_input_errors,
            "k8s_workloads_caller_peers": k8s_workloads_caller_peers,
        }
