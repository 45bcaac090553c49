#!/usr/bin/env bash
# Checks the files of this folder:
#   - grafana-dashboard.json is valid JSON, its panels do not overlap, and every panel query is valid PromQL;
#   - prometheus-rules.yaml and servicemonitor.yaml are valid YAML;
#   - the rules pass `promtool check rules` and the unit tests in tests/ (`promtool test rules`);
#   - every runbook_url points to a heading of docs/slos.md.
# Needs python3 with PyYAML, and promtool (shipped with Prometheus; on Debian/Ubuntu in the `prometheus` package).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v promtool >/dev/null || { echo "promtool not found" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null || { echo "python3 module yaml (PyYAML) not found" >&2; exit 1; }

python3 -m json.tool "$here/grafana-dashboard.json" >/dev/null
echo "grafana-dashboard.json: valid JSON"

python3 - "$here" "$repo" "$work" <<'PY'
import json, re, sys, yaml

here, repo, work = sys.argv[1:4]

class UniqueKeyLoader(yaml.SafeLoader):
    pass

def no_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(dup)}", node.start_mark)
    return loader.construct_mapping(node, deep)

UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, no_duplicates)

def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=UniqueKeyLoader)

rule = load(f"{here}/prometheus-rules.yaml")
assert rule["apiVersion"] == "monitoring.coreos.com/v1" and rule["kind"] == "PrometheusRule", "not a PrometheusRule"
sm = load(f"{here}/servicemonitor.yaml")
assert sm["apiVersion"] == "monitoring.coreos.com/v1" and sm["kind"] == "ServiceMonitor", "not a ServiceMonitor"
load(f"{here}/tests/prometheus-rules.test.yaml")
print("prometheus-rules.yaml, servicemonitor.yaml, tests/prometheus-rules.test.yaml: valid YAML, no duplicate keys")

with open(f"{work}/rules.yaml", "w") as f:
    yaml.safe_dump(rule["spec"], f, sort_keys=False)

# Every alert has a severity and its annotations; every runbook_url anchor is a heading of docs/slos.md
# (GitHub anchors: lower case, punctuation dropped, spaces to hyphens).
with open(f"{repo}/docs/slos.md") as f:
    anchors = set()
    for line in f:
        m = re.match(r"#+\s+(.*)", line)
        if m:
            anchors.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
missing = []
for group in rule["spec"]["groups"]:
    for r in group["rules"]:
        if "alert" not in r:
            continue
        assert r.get("labels", {}).get("severity") in ("critical", "warning", "info"), f"{r['alert']}: severity"
        ann = r.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            assert ann.get(key), f"{r['alert']}: no {key}"
        anchor = ann["runbook_url"].split("#", 1)[1]
        if anchor not in anchors:
            missing.append(f"{r['alert']} -> #{anchor}")
if missing:
    sys.exit("runbook anchors missing from docs/slos.md: " + ", ".join(missing))
print("alerts: severity, summary, description and runbook_url set; runbook anchors found in docs/slos.md")

# Dashboard: layout, and its queries as recording rules so that promtool parses them.
d = json.load(open(f"{here}/grafana-dashboard.json"))
assert d["uid"] == "micro-chatbot-service" and d["schemaVersion"] >= 36
names = {v["name"] for v in d["templating"]["list"]}
assert {"datasource", "namespace", "pod"} <= names, names
cells, ids, queries = {}, set(), []
for p in d["panels"]:
    assert p["id"] not in ids, f"duplicate panel id {p['id']}"
    ids.add(p["id"])
    g = p["gridPos"]
    assert g["x"] + g["w"] <= 24, p["title"]
    for y in range(g["y"], g["y"] + g["h"]):
        for x in range(g["x"], g["x"] + g["w"]):
            assert (x, y) not in cells, f"panels overlap: {p['title']} / {cells[(x, y)]}"
            cells[(x, y)] = p["title"]
    for t in p.get("targets", []):
        expr = (t["expr"].replace("$namespace", "default").replace("$pod", ".*")
                .replace("$__rate_interval", "1m"))
        queries.append({"record": f"dashboard:query_{len(queries) + 1}", "expr": expr})
with open(f"{work}/dashboard-queries.yaml", "w") as f:
    yaml.safe_dump({"groups": [{"name": "dashboard", "rules": queries}]}, f, sort_keys=False)
print(f"grafana-dashboard.json: {len(d['panels'])} panels, no overlap, {len(queries)} queries")
PY

cp "$here/tests/prometheus-rules.test.yaml" "$work/"
promtool check rules "$work/rules.yaml" "$work/dashboard-queries.yaml"
promtool test rules "$work/prometheus-rules.test.yaml"
