package io.kodiak.model.catalog;

import io.kodiak.model.catalog.PolicySections.Section;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one hand-written list of resource types Kodiak knows. It drives the store, the REST routes,
 * {@code /_resources} and, through that endpoint, the CLI. Immutable and thread-safe.
 */
public final class ResourceCatalog {
  public static final ResourceType MESH =
      legacy("Mesh", "meshes", "Mesh", "Meshes", "m", Scope.GLOBAL, ReadAccess.DEFAULT);
  public static final ResourceType DATAPLANE =
      legacy(
          "Dataplane",
          "dataplanes",
          "Dataplane",
          "Dataplanes",
          "dp",
          Scope.MESH,
          ReadAccess.DEFAULT);
  public static final ResourceType SECRET =
      legacy("Secret", "secrets", "Secret", "Secrets", "sec", Scope.MESH, ReadAccess.ADMIN_ONLY);

  private static final PolicySections TO_FROM_RULES =
      PolicySections.of(Section.TO, Section.FROM, Section.RULES);
  private static final PolicySections TO_ONLY = PolicySections.of(Section.TO);
  private static final PolicySections FROM_RULES = PolicySections.of(Section.FROM, Section.RULES);
  private static final PolicySections TOP_ONLY = PolicySections.of();

  public static final ResourceType MESH_TRAFFIC_PERMISSION =
      policy(
          "MeshTrafficPermission",
          "Mesh Traffic Permission",
          "Mesh Traffic Permissions",
          "meshtrafficpermissions",
          "mtp",
          FROM_RULES);
  public static final ResourceType MESH_TIMEOUT =
      policy("MeshTimeout", "Mesh Timeout", "Mesh Timeouts", "meshtimeouts", "mt", TO_FROM_RULES);
  public static final ResourceType MESH_RETRY =
      policy("MeshRetry", "Mesh Retry", "Mesh Retries", "meshretries", "mr", TO_ONLY);
  public static final ResourceType MESH_CIRCUIT_BREAKER =
      policy(
          "MeshCircuitBreaker",
          "Mesh Circuit Breaker",
          "Mesh Circuit Breakers",
          "meshcircuitbreakers",
          "mcb",
          TO_FROM_RULES);
  public static final ResourceType MESH_HEALTH_CHECK =
      policy(
          "MeshHealthCheck",
          "Mesh Health Check",
          "Mesh Health Checks",
          "meshhealthchecks",
          "mhc",
          TO_ONLY);
  public static final ResourceType MESH_HTTP_ROUTE =
      policy(
          "MeshHTTPRoute",
          "Mesh HTTP Route",
          "Mesh HTTP Routes",
          "meshhttproutes",
          "mhttpr",
          TO_ONLY);
  public static final ResourceType MESH_TCP_ROUTE =
      policy(
          "MeshTCPRoute", "Mesh TCP Route", "Mesh TCP Routes", "meshtcproutes", "mtcpr", TO_ONLY);
  public static final ResourceType MESH_LOAD_BALANCING_STRATEGY =
      policy(
          "MeshLoadBalancingStrategy",
          "Mesh Load Balancing Strategy",
          "Mesh Load Balancing Strategies",
          "meshloadbalancingstrategies",
          "mlbs",
          TO_ONLY);
  public static final ResourceType MESH_FAULT_INJECTION =
      policy(
          "MeshFaultInjection",
          "Mesh Fault Injection",
          "Mesh Fault Injections",
          "meshfaultinjections",
          "mfi",
          TO_FROM_RULES);
  public static final ResourceType MESH_RATE_LIMIT =
      policy(
          "MeshRateLimit",
          "Mesh Rate Limit",
          "Mesh Rate Limits",
          "meshratelimits",
          "mrl",
          TO_FROM_RULES);
  public static final ResourceType MESH_ACCESS_LOG =
      policy(
          "MeshAccessLog",
          "Mesh Access Log",
          "Mesh Access Logs",
          "meshaccesslogs",
          "mal",
          TO_FROM_RULES);
  public static final ResourceType MESH_TRACE =
      policy("MeshTrace", "Mesh Trace", "Mesh Traces", "meshtraces", "mtr", TOP_ONLY);
  public static final ResourceType MESH_METRIC =
      policy("MeshMetric", "Mesh Metric", "Mesh Metrics", "meshmetrics", "mm", TOP_ONLY);
  public static final ResourceType MESH_TLS =
      policy("MeshTLS", "Mesh TLS", "Mesh TLS", "meshtlses", "mtls", FROM_RULES);
  public static final ResourceType MESH_PROXY_PATCH =
      policy(
          "MeshProxyPatch",
          "Mesh Proxy Patch",
          "Mesh Proxy Patches",
          "meshproxypatches",
          "mpp",
          TOP_ONLY);

  private static final List<ResourceType> ALL =
      List.of(
          MESH,
          DATAPLANE,
          SECRET,
          MESH_TRAFFIC_PERMISSION,
          MESH_TIMEOUT,
          MESH_RETRY,
          MESH_CIRCUIT_BREAKER,
          MESH_HEALTH_CHECK,
          MESH_HTTP_ROUTE,
          MESH_TCP_ROUTE,
          MESH_LOAD_BALANCING_STRATEGY,
          MESH_FAULT_INJECTION,
          MESH_RATE_LIMIT,
          MESH_ACCESS_LOG,
          MESH_TRACE,
          MESH_METRIC,
          MESH_TLS,
          MESH_PROXY_PATCH);

  private static final Map<String, ResourceType> BY_NAME = index(true);
  private static final Map<String, ResourceType> BY_PATH = index(false);

  private ResourceCatalog() {}

  /** Every type, in a stable order (the order of {@code /_resources}). */
  public static List<ResourceType> all() {
    return ALL;
  }

  /** Looks a type up by its wire name ({@code MeshTimeout}). */
  public static Optional<ResourceType> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Looks a type up by its plural path segment ({@code meshtimeouts}). */
  public static Optional<ResourceType> byPath(String path) {
    return Optional.ofNullable(BY_PATH.get(path));
  }

  private static Map<String, ResourceType> index(boolean byName) {
    Map<String, ResourceType> map = new LinkedHashMap<>();
    for (ResourceType type : ALL) {
      map.put(byName ? type.name() : type.path(), type);
    }
    return Map.copyOf(map);
  }

  private static ResourceType legacy(
      String name,
      String path,
      String singular,
      String plural,
      String shortName,
      Scope scope,
      ReadAccess access) {
    return new ResourceType(
        name,
        path,
        singular,
        plural,
        shortName,
        scope,
        WireFormat.TOP_LEVEL,
        access,
        Optional.empty());
  }

  private static ResourceType policy(
      String name,
      String singular,
      String plural,
      String path,
      String shortName,
      PolicySections sections) {
    return new ResourceType(
        name,
        path,
        singular,
        plural,
        shortName,
        Scope.MESH,
        WireFormat.SPEC,
        ReadAccess.DEFAULT,
        Optional.of(sections));
  }
}
