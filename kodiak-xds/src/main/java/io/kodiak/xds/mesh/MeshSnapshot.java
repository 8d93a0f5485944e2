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
 * An immutable view of one mesh as the generators see it: its proxies, and for each service its
 * endpoints (ready inbounds of online proxies, sorted) and protocol. Built once per change of the
 * mesh and shared by every proxy's generation.
 */
public record MeshSnapshot(String mesh, Map<String, ProxyModel> proxies, Map<String, List<Endpoint>> endpoints,
    Map<String, Protocol> protocols, Optional<MeshMtls> mtls, List<Resource> permissions, List<Resource> tlsPolicies) {
  public MeshSnapshot {
    proxies = Map.copyOf(proxies);
    endpoints = Map.copyOf(endpoints);
    protocols = Map.copyOf(protocols);
    permissions = List.copyOf(permissions);
    tlsPolicies = List.copyOf(tlsPolicies);
  }

  /** The same view with mTLS state and the mesh's MeshTrafficPermissions and MeshTLS policies. */
  public MeshSnapshot withSecurity(Optional<MeshMtls> newMtls, List<Resource> newPermissions, List<Resource> newTls) {
    return new MeshSnapshot(mesh, proxies, endpoints, protocols, newMtls, newPermissions, newTls);
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
              .add(new Endpoint(inbound.address(), inbound.port(), proxy.name()));
        }
      }
    }
    endpoints.replaceAll((service, list) -> list.stream().sorted().toList());
    return new MeshSnapshot(mesh, byName, endpoints, protocols, Optional.empty(), List.of(), List.of());
  }

  public List<Endpoint> endpointsOf(String service) {
    return endpoints.getOrDefault(service, List.of());
  }

  public Protocol protocolOf(String service) {
    return protocols.getOrDefault(service, Protocol.TCP);
  }
}
