#!/usr/bin/env python3
"""Structural checks of deploy/envoy/envoy.yaml (Envoy itself is not packaged in Debian 12).

Checks that listeners, filters, routes and clusters reference each other; that every cluster
health-checks /v1/ready; that limits and timeouts agree with the daemon's defaults (read from
`stemedb-api --check-config`); that drain settings are present; that retry policies use only
values Envoy knows and never retry a write once it was sent.

Usage: envoy_config_test.py ENVOY_YAML STEMEDB_API_BINARY
"""
import re
import subprocess
import sys

import yaml

HCM = "envoy.filters.network.http_connection_manager"
TYPES = {
    HCM: "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    "envoy.filters.http.buffer": "type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer",
    "envoy.filters.http.router": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
    "envoy.transport_sockets.tls":
        "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions":
        "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
}
# router.proto RetryPolicy: the retry_on values Envoy accepts for HTTP.
RETRY_ON = {"5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "envoy-ratelimited",
            "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
            "http3-post-connect-failure"}
# Retrying these after the request reached the daemon could repeat a write.
UNSAFE_FOR_WRITES = RETRY_ON - {"connect-failure", "reset-before-request", "refused-stream"}

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def seconds(duration):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(duration))
    check(match is not None, f"duration {duration!r} is not in seconds (e.g. 50s)")
    return float(match.group(1)) if match else 0.0


def daemon_defaults(api_binary):
    out = subprocess.run([api_binary, "--check-config"], check=True, capture_output=True, text=True).stdout
    values = dict(re.findall(r'^(\w+) = "?([^"\s]*)"?', out, re.MULTILINE))
    return {
        "max_body_bytes": int(values["max_body_bytes"]),
        "idle_timeout_s": int(values["idle_timeout_s"]),
        "port": int(values["bind"].rsplit(":", 1)[1]),
        "max_inflight": int(values["max_inflight"]),
    }


def check_typed(named, where):
    name = named.get("name")
    check(name in TYPES, f"{where}: unknown extension {name!r}")
    if name in TYPES:
        check(named.get("typed_config", {}).get("@type") == TYPES[name],
              f"{where}: {name} has @type {named.get('typed_config', {}).get('@type')!r}, want {TYPES[name]}")
    return named.get("typed_config", {})


def check_route(route, clusters, where):
    action = route.get("route")
    check(action is not None or "direct_response" in route, f"{where}: neither route nor direct_response")
    if action is None:
        return None
    cluster = action.get("cluster")
    check(cluster in clusters, f"{where}: cluster {cluster!r} is not defined")
    policy = action.get("retry_policy")
    if policy:
        retry_on = set(policy["retry_on"].split(","))
        check(retry_on <= RETRY_ON, f"{where}: unknown retry_on {sorted(retry_on - RETRY_ON)}")
        if "retriable-status-codes" in retry_on:
            check(bool(policy.get("retriable_status_codes")), f"{where}: retriable-status-codes without codes")
        methods = [h.get("string_match", {}).get("exact") for h in route["match"].get("headers", [])
                   if h.get("name") == ":method"]
        if methods != ["GET"]:
            check(not (retry_on & UNSAFE_FOR_WRITES),
                  f"{where}: retries {sorted(retry_on & UNSAFE_FOR_WRITES)} on a route that takes writes")
    return cluster


def check_listener(listener, clusters, daemon):
    where = f"listener {listener['name']}"
    check("drain_type" in listener, f"{where}: no drain_type")
    routed = set()
    for chain in listener["filter_chains"]:
        if "transport_socket" in chain:
            tls = check_typed(chain["transport_socket"], where)
            for cert in tls["common_tls_context"]["tls_certificates"]:
                check(cert["certificate_chain"]["filename"].startswith("/"), f"{where}: relative certificate path")
        managers = [f for f in chain["filters"] if f["name"] == HCM]
        check(len(managers) == 1, f"{where}: expected one http_connection_manager")
        for manager in managers:
            hcm = check_typed(manager, where)
            check("drain_timeout" in hcm, f"{where}: no drain_timeout")
            check(hcm.get("preserve_external_request_id") is True, f"{where}: client X-Request-Id not preserved")
            filters = hcm["http_filters"]
            for f in filters:
                check_typed(f, where)
            check(filters[-1]["name"] == "envoy.filters.http.router", f"{where}: the router is not the last filter")
            buffers = [f for f in filters if f["name"] == "envoy.filters.http.buffer"]
            check(len(buffers) == 1 and buffers[0]["typed_config"]["max_request_bytes"] == daemon["max_body_bytes"],
                  f"{where}: buffer max_request_bytes must equal server.max_body_bytes {daemon['max_body_bytes']}")
            for vhost in hcm["route_config"]["virtual_hosts"]:
                for i, route in enumerate(vhost["routes"]):
                    cluster = check_route(route, clusters, f"{where} vhost {vhost['name']} route {i}")
                    if cluster:
                        routed.add(cluster)
            catch_all = [r for r in vhost["routes"] if r["match"].get("prefix") == "/" and "headers" not in r["match"]]
            check(bool(catch_all), f"{where}: no catch-all route for writes")
    return routed


def check_cluster(cluster, daemon):
    where = f"cluster {cluster['name']}"
    check(cluster["load_assignment"]["cluster_name"] == cluster["name"], f"{where}: load_assignment names another cluster")
    endpoints = [e["endpoint"]["address"]["socket_address"] for group in cluster["load_assignment"]["endpoints"]
                 for e in group["lb_endpoints"]]
    check(bool(endpoints), f"{where}: no endpoints")
    for address in endpoints:
        check(address["port_value"] == daemon["port"], f"{where}: endpoint port {address['port_value']} is not the daemon's")
    checks = cluster.get("health_checks", [])
    check(bool(checks), f"{where}: no active health check")
    for hc in checks:
        check(hc.get("http_health_check", {}).get("path") == "/v1/ready", f"{where}: health check is not on /v1/ready")
        check(seconds(hc["timeout"]) < seconds(hc["interval"]), f"{where}: health check timeout not below its interval")
    options = check_typed({"name": "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                           "typed_config": cluster["typed_extension_protocol_options"][
                               "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]}, where)
    idle = seconds(options["common_http_protocol_options"]["idle_timeout"])
    check(0 < idle < daemon["idle_timeout_s"],
          f"{where}: upstream idle_timeout {idle}s must be below the daemon's idle_timeout_s {daemon['idle_timeout_s']}s")
    for threshold in cluster.get("circuit_breakers", {}).get("thresholds", []):
        check(threshold.get("max_requests", 0) <= daemon["max_inflight"],
              f"{where}: max_requests above the daemon's rate_limit.max_inflight")


def main():
    config = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    daemon = daemon_defaults(sys.argv[2])
    resources = config["static_resources"]
    clusters = {c["name"]: c for c in resources["clusters"]}
    check(len(clusters) == len(resources["clusters"]), "duplicate cluster names")
    routed = set()
    for listener in resources["listeners"]:
        routed |= check_listener(listener, clusters, daemon)
    for cluster in clusters.values():
        check_cluster(cluster, daemon)
    check(routed == set(clusters), f"clusters no route uses: {sorted(set(clusters) - routed)}")
    for f in failures:
        print("FAIL", f)
    if not failures:
        print(f"ok   {len(resources['listeners'])} listener(s), {len(clusters)} cluster(s), references and limits agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
