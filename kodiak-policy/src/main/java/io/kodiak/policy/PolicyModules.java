package io.kodiak.policy;

import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.validation.ResourceValidator;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.meshaccesslog.MeshAccessLog;
import io.kodiak.policy.meshcircuitbreaker.MeshCircuitBreaker;
import io.kodiak.policy.meshfaultinjection.MeshFaultInjection;
import io.kodiak.policy.meshhealthcheck.MeshHealthCheck;
import io.kodiak.policy.meshhttproute.MeshHTTPRoute;
import io.kodiak.policy.meshloadbalancingstrategy.MeshLoadBalancingStrategy;
import io.kodiak.policy.meshmetric.MeshMetric;
import io.kodiak.policy.meshproxypatch.MeshProxyPatch;
import io.kodiak.policy.meshratelimit.MeshRateLimit;
import io.kodiak.policy.meshretry.MeshRetry;
import io.kodiak.policy.meshtcproute.MeshTCPRoute;
import io.kodiak.policy.meshtimeout.MeshTimeout;
import io.kodiak.policy.meshtls.MeshTLS;
import io.kodiak.policy.meshtrace.MeshTrace;
import io.kodiak.policy.meshtrafficpermission.MeshTrafficPermission;
import io.kodiak.xds.generate.PolicyPlugin;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every policy Kodiak implements: the one list a new policy is added to. Plugins run phase by phase
 * ({@link io.kodiak.policy.core.module.Phase}) and, within a phase, in this order: the rate limit
 * before fault injection (each filter goes right before the router, so the one added first meets
 * the request first: the rate limit refuses before faults are injected), and the HTTP routes before
 * the TCP routes (a TCP route leaves alone what an HTTP route shaped). Immutable and thread-safe.
 */
public final class PolicyModules {
  private static final List<PolicyModule<?>> ALL =
      List.of(
          MeshTrafficPermission.MODULE,
          MeshTLS.MODULE,
          MeshHTTPRoute.MODULE,
          MeshTCPRoute.MODULE,
          MeshRateLimit.MODULE,
          MeshFaultInjection.MODULE,
          MeshTimeout.MODULE,
          MeshRetry.MODULE,
          MeshCircuitBreaker.MODULE,
          MeshHealthCheck.MODULE,
          MeshLoadBalancingStrategy.MODULE,
          MeshTrace.MODULE,
          MeshAccessLog.MODULE,
          MeshMetric.MODULE,
          MeshProxyPatch.MODULE);

  private PolicyModules() {}

  /** Every module, in list order. */
  public static List<PolicyModule<?>> all() {
    return ALL;
  }

  /** The plugins in the order they apply: by phase, then list order (the sort is stable). */
  public static List<PolicyPlugin> plugins() {
    return ALL.stream()
        .sorted(Comparator.comparing(PolicyModule::phase))
        .map(PolicyModule::plugin)
        .toList();
  }

  /** Every policy validator, keyed by its type. */
  public static Map<ResourceType, ResourceValidator> validators() {
    Map<ResourceType, ResourceValidator> out = new LinkedHashMap<>();
    ALL.forEach(module -> out.put(module.type(), module.validator()));
    return out;
  }
}
