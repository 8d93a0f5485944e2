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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * An immutable view of one mesh as the generators see it: its proxies, for each service its
 * endpoints (ready inbounds of online proxies, sorted) and protocol, its mTLS state and its
 * policies by type name. Built once per change of the mesh and shared by every proxy's generation,
 * which is why what every proxy would otherwise compute again from it (decoded policy specs, say)
 * is {@linkplain #derived derived} once and kept here. Thread-safe.
 */
public final class MeshSnapshot {
  private final String mesh;
  private final Map<String, ProxyModel> proxies;
  private final Map<String, List<Endpoint>> endpoints;
  private final Map<String, Protocol> protocols;
  private final Optional<MeshMtls> mtls;
  private final Map<String, List<Resource>> policies;
  private final boolean outboundPassthrough;
  private final Map<Derived<?>, Object> derivations = new ConcurrentHashMap<>();

  private MeshSnapshot(
      String mesh,
      Map<String, ProxyModel> proxies,
      Map<String, List<Endpoint>> endpoints,
      Map<String, Protocol> protocols,
      Optional<MeshMtls> mtls,
      Map<String, List<Resource>> policies,
      boolean outboundPassthrough) {
    this.mesh = mesh;
    this.proxies = Map.copyOf(proxies);
    this.endpoints = Map.copyOf(endpoints);
    this.protocols = Map.copyOf(protocols);
    this.mtls = mtls;
    this.policies = Map.copyOf(policies);
    this.outboundPassthrough = outboundPassthrough;
  }

  /**
   * Something computed from a snapshot alone, once per snapshot: a key for {@link #derived}. Keys
   * are compared by identity, so each is a constant.
   */
  public static final class Derived<T> {
    private final Function<MeshSnapshot, T> compute;

    public Derived(Function<MeshSnapshot, T> compute) {
      this.compute = compute;
    }
  }

  /** What {@code key} computes from this snapshot: computed on first ask, then shared. */
  @SuppressWarnings("unchecked") // each key's value is put only by its own compute function
  public <T> T derived(Derived<T> key) {
    Object value = derivations.get(key);
    if (value == null) {
      value = key.compute.apply(this); // outside the map's lock: a derivation may ask for another
      Object raced = derivations.putIfAbsent(key, value);
      value = raced == null ? value : raced;
    }
    return (T) value;
  }

  public String mesh() {
    return mesh;
  }

  public Map<String, ProxyModel> proxies() {
    return proxies;
  }

  public Map<String, List<Endpoint>> endpoints() {
    return endpoints;
  }

  public Map<String, Protocol> protocols() {
    return protocols;
  }

  public Optional<MeshMtls> mtls() {
    return mtls;
  }

  /** The mesh's policies by type name ({@code MeshTimeout}), each list in store order. */
  public Map<String, List<Resource>> policies() {
    return policies;
  }

  /**
   * The same view with the mesh's mTLS state and policies (by type name, e.g. {@code MeshTimeout}).
   */
  public MeshSnapshot withPolicies(
      Optional<MeshMtls> newMtls, Map<String, List<Resource>> newPolicies) {
    return new MeshSnapshot(
        mesh, proxies, endpoints, protocols, newMtls, newPolicies, outboundPassthrough);
  }

  /**
   * Whether a transparently proxied workload may reach what is outside the mesh (the Mesh's {@code
   * networking.outbound.passthrough}, true unless it says false).
   */
  public boolean outboundPassthrough() {
    return outboundPassthrough;
  }

  /** The same view with the Mesh's outbound passthrough setting. */
  public MeshSnapshot withOutboundPassthrough(boolean passthrough) {
    return new MeshSnapshot(mesh, proxies, endpoints, protocols, mtls, policies, passthrough);
  }

  /** The mesh's policies of one type (e.g. {@code MeshTimeout}), in store order. */
  public List<Resource> policies(String type) {
    return policies.getOrDefault(type, List.of());
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
          protocols.put(
              service, Protocol.TCP); // instances disagree: fall back to the common denominator
        }
        if (inbound.ready() && !offline.contains(proxy.name())) {
          endpoints
              .computeIfAbsent(service, s -> new ArrayList<>())
              .add(new Endpoint(inbound.address(), inbound.port(), proxy.name(), inbound.tags()));
        }
      }
    }
    endpoints.replaceAll((service, list) -> list.stream().sorted().toList());
    return new MeshSnapshot(mesh, byName, endpoints, protocols, Optional.empty(), Map.of(), true);
  }

  public List<Endpoint> endpointsOf(String service) {
    return endpoints.getOrDefault(service, List.of());
  }

  public Protocol protocolOf(String service) {
    return protocols.getOrDefault(service, Protocol.TCP);
  }
}
