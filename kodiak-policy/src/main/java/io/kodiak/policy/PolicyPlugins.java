package io.kodiak.policy;

import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerPlugin;
import io.kodiak.policy.meshfaultinjection.MeshFaultInjectionPlugin;
import io.kodiak.policy.meshhealthcheck.MeshHealthCheckPlugin;
import io.kodiak.policy.meshhttproute.MeshHTTPRoutePlugin;
import io.kodiak.policy.meshloadbalancingstrategy.MeshLoadBalancingStrategyPlugin;
import io.kodiak.policy.meshproxypatch.MeshProxyPatchPlugin;
import io.kodiak.policy.meshratelimit.MeshRateLimitPlugin;
import io.kodiak.policy.meshretry.MeshRetryPlugin;
import io.kodiak.policy.meshtcproute.MeshTCPRoutePlugin;
import io.kodiak.policy.meshtimeout.MeshTimeoutPlugin;
import io.kodiak.xds.generate.PolicyPlugin;
import java.util.List;

/**
 * The policy plugins in the fixed order they apply (MeshTrafficPermission and MeshTLS shape the
 * base inbound listeners before these run). Routes come first because they decide which routes
 * and clusters exist; the filters next (each goes right before the router, so the one added
 * first meets the request first: the rate limit refuses before faults are injected); then what tunes routes and clusters; MeshProxyPatch last
 * so it sees, and may change, everything.
 */
public final class PolicyPlugins {
  private PolicyPlugins() {}

  public static List<PolicyPlugin> inOrder() {
    return List.of(
        new MeshHTTPRoutePlugin(),
        new MeshTCPRoutePlugin(),
        new MeshRateLimitPlugin(),
        new MeshFaultInjectionPlugin(),
        new MeshTimeoutPlugin(),
        new MeshRetryPlugin(),
        new MeshCircuitBreakerPlugin(),
        new MeshHealthCheckPlugin(),
        new MeshLoadBalancingStrategyPlugin(),
        new io.kodiak.policy.meshtrace.MeshTracePlugin(),
        new io.kodiak.policy.meshaccesslog.MeshAccessLogPlugin(),
        new io.kodiak.policy.meshmetric.MeshMetricPlugin(),
        new MeshProxyPatchPlugin());
  }
}
