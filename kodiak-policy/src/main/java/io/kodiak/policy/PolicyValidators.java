package io.kodiak.policy;

import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.policy.meshaccesslog.MeshAccessLogValidator;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreakerValidator;
import io.kodiak.policy.meshfaultinjection.MeshFaultInjectionValidator;
import io.kodiak.policy.meshhealthcheck.MeshHealthCheckValidator;
import io.kodiak.policy.meshhttproute.MeshHTTPRouteValidator;
import io.kodiak.policy.meshloadbalancingstrategy.MeshLoadBalancingStrategyValidator;
import io.kodiak.policy.meshmetric.MeshMetricValidator;
import io.kodiak.policy.meshproxypatch.MeshProxyPatchValidator;
import io.kodiak.policy.meshratelimit.MeshRateLimitValidator;
import io.kodiak.policy.meshretry.MeshRetryValidator;
import io.kodiak.policy.meshtcproute.MeshTCPRouteValidator;
import io.kodiak.policy.meshtimeout.MeshTimeoutValidator;
import io.kodiak.policy.meshtls.MeshTLSValidator;
import io.kodiak.policy.meshtrace.MeshTraceValidator;
import io.kodiak.policy.meshtrafficpermission.MeshTrafficPermissionValidator;
import java.util.Map;

/** The validator of every policy type, by type. Immutable and thread-safe. */
public final class PolicyValidators {
  private static final Map<ResourceType, ResourceValidator> BY_TYPE = Map.ofEntries(
      Map.entry(ResourceCatalog.MESH_TRAFFIC_PERMISSION, new MeshTrafficPermissionValidator()),
      Map.entry(ResourceCatalog.MESH_TIMEOUT, new MeshTimeoutValidator()),
      Map.entry(ResourceCatalog.MESH_RETRY, new MeshRetryValidator()),
      Map.entry(ResourceCatalog.MESH_CIRCUIT_BREAKER, new MeshCircuitBreakerValidator()),
      Map.entry(ResourceCatalog.MESH_HEALTH_CHECK, new MeshHealthCheckValidator()),
      Map.entry(ResourceCatalog.MESH_HTTP_ROUTE, new MeshHTTPRouteValidator()),
      Map.entry(ResourceCatalog.MESH_TCP_ROUTE, new MeshTCPRouteValidator()),
      Map.entry(ResourceCatalog.MESH_LOAD_BALANCING_STRATEGY, new MeshLoadBalancingStrategyValidator()),
      Map.entry(ResourceCatalog.MESH_FAULT_INJECTION, new MeshFaultInjectionValidator()),
      Map.entry(ResourceCatalog.MESH_RATE_LIMIT, new MeshRateLimitValidator()),
      Map.entry(ResourceCatalog.MESH_ACCESS_LOG, new MeshAccessLogValidator()),
      Map.entry(ResourceCatalog.MESH_TRACE, new MeshTraceValidator()),
      Map.entry(ResourceCatalog.MESH_METRIC, new MeshMetricValidator()),
      Map.entry(ResourceCatalog.MESH_TLS, new MeshTLSValidator()),
      Map.entry(ResourceCatalog.MESH_PROXY_PATCH, new MeshProxyPatchValidator()));

  private PolicyValidators() {}

  /** Every policy validator, keyed by its type. */
  public static Map<ResourceType, ResourceValidator> all() {
    return BY_TYPE;
  }
}
