#!/usr/bin/env python3
"""Extracts the resource schemas Kodiak validates against from the Kuma OpenAPI contract.

The output (kodiak-model/src/main/resources/io/kodiak/model/schema/resource-schemas.json) is
committed; rerun this when the contract changes:
    python3 tools/extract-schemas.py ../shared/reference/kuma-2.14.3-openapi.yaml
Descriptions and examples are dropped: the validator needs only the structure.
"""
import json, sys, yaml

TYPES = ["Mesh", "Dataplane", "Secret", "MeshTrafficPermission", "MeshTimeout", "MeshRetry",
         "MeshCircuitBreaker", "MeshHealthCheck", "MeshHTTPRoute", "MeshTCPRoute",
         "MeshLoadBalancingStrategy", "MeshFaultInjection", "MeshRateLimit", "MeshAccessLog",
         "MeshTrace", "MeshMetric", "MeshTLS", "MeshProxyPatch"]
DROP = {"description", "example", "x-examples", "title", "x-go-name"}

def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.add(v.split("/")[-1])
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)

doc = yaml.safe_load(open(sys.argv[1]))
schemas = doc["components"]["schemas"]
wanted = {t + "Item" for t in TYPES}
todo, done = list(wanted), {}
while todo:
    name = todo.pop()
    if name in done:
        continue
    done[name] = strip(schemas[name])
    found = set()
    refs(done[name], found)
    todo.extend(found - done.keys())
# Kuma reads protobuf JSON, which accepts a field's original proto name as well as its JSON
# name; the contract lists only the latter. Add the original names people write in Kuma's docs.
done["BuiltinCertificateAuthorityConfig"]["properties"]["caCert"]["properties"]["RSAbits"] = \
    done["BuiltinCertificateAuthorityConfig"]["properties"]["caCert"]["properties"]["rsaBits"]
out = "kodiak-model/src/main/resources/io/kodiak/model/schema/resource-schemas.json"
json.dump({"source": "Kuma 2.14.3 OpenAPI (Apache-2.0)", "schemas": dict(sorted(done.items()))},
          open(out, "w"), separators=(",", ":"), sort_keys=False)
print(out, len(done), "schemas")
