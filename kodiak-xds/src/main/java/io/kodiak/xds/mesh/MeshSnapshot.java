package io.kodiak.xds.mesh;

import io.kodiak.model.core.Resource;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.Protocol;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An immutable view of one mesh as the generators see it: its proxies, for each service its
 * endpoints (ready inbounds of online proxies, sorted) and protocol, its mTLS state and its
 * policies by type name. Built once per change of the mesh and shared by every proxy's generation.
 */
public record MeshSnapshot(String mesh, Map<String, ProxyModel> proxies, Map<String, List<Endpoint>> endpoints,
    Map<String, Protocol> protocols, Optional<MeshMtls> mtls, Map<String, List<Resource>> policies) {
  public MeshSnapshot {
    proxies = Map.copyOf(proxies);
    endpoints = Map.copyOf(endpoints);
    protocols = Map.copyOf(protocols);
    policies = Map.copyOf(policies);
  }

  /** The same view with the mesh's mTLS state and policies (by type name, e.g. {@code MeshTimeout}). */
  public MeshSnapshot withPolicies(Optional<MeshMtls> newMtls, Map<String, List<Resource>> newPolicies) {
    return new MeshSnapshot(mesh, proxies, endpoints, protocols, newMtls, newPolicies);
  }

  /** The mesh's policies of one type (e.g. {@code MeshTimeout}), in store order. */
  public List<Resource> policies(String type) {
    return policies.getOrDefault(type, List.of());
  }

  public List<Resource> permissions() {
    return policies("MeshTrafficPermission");
  }

  public List<Resource> tlsPolicies() {
    return policies("MeshTLS");
  }

  /**
   * Builds the view from the mesh's proxies.
   *
   * @param offline names of proxies whose endpoints must not be used (their agent is gone)
   */
  public static MeshSnapshot of(String mesh, Collection<ProxyModel> proxies, Set<String> offline) {
    Map<String, ProxyModel> byName = new TreeMap<>();
    Map<String, List<Endpoint>> endpoints = new TreeMap<>();
    Map<String, Protocol> protocols = new TreeMap<>();
    for (ProxyModel proxy : proxies) {
      byName.put(proxy.name(), proxy);
      for (Inbound inbound : proxy.inbounds()) {
        String service = inbound.service();
        Protocol previous = protocols.putIfAbsent(service, inbound.protocol());
        if (previous != null && previous != inbound.protocol()) {
          protocols.put(service, Protocol.TCP); // instances disagree: fall back to the common denominator
        }
        if (inbound.ready() && !offline.contains(proxy.name())) {
          endpoints.computeIfAbsent(service, s -> new ArrayList<>())
              .add(new Endpoint(inbound.address(), inbound.port(), proxy.name(), inbound.tags()));
        }
      }
    }
    endpoints.replaceAll((service, list) -> list.stream().sorted().toList());
    return new MeshSnapshot(mesh, byName, endpoints, protocols, Optional.empty(), Map.of());
  }

  public List<Endpoint> endpointsOf(String service) {
    return endpoints.getOrDefault(service, List.of());
  }

  public Protocol protocolOf(String service) {
    return protocols.getOrDefault(service, Protocol.TCP);
  }
}
