package io.kodiak.xds.sync;

import io.kodiak.xds.mesh.Endpoint;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Outbound;
import io.kodiak.xds.proxy.Protocol;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one proxy's config is generated from: its Dataplane's model, its kind, the mesh's
 * policies (by an epoch that moves on every policy or Mesh write), mTLS state, its certificate, and
 * the endpoints and protocols of the services it reaches. The generator reads nothing else, so
 * equal inputs give an equal config and the sync skips generating it (the unchanged path).
 *
 * <p>The services are those of its declared outbounds and those its last config reached: that set
 * only changes through a change of the model or the policies, which are compared first.
 */
public final class ProxyInputs {
  private final ProxyModel model;
  private final ProxyKind kind;
  private final long policyEpoch;
  private final Optional<MeshMtls> mtls;
  private final Optional<ProxyIdentity> identity;
  private final Map<String, List<Endpoint>> endpoints;
  private final Map<String, Protocol> protocols;

  private ProxyInputs(
      ProxyModel model,
      ProxyKind kind,
      long policyEpoch,
      Optional<MeshMtls> mtls,
      Optional<ProxyIdentity> identity,
      Map<String, List<Endpoint>> endpoints,
      Map<String, Protocol> protocols) {
    this.model = model;
    this.kind = kind;
    this.policyEpoch = policyEpoch;
    this.mtls = mtls;
    this.identity = identity;
    this.endpoints = endpoints;
    this.protocols = protocols;
  }

  /**
   * @param reached the services the proxy's config reaches (its last config's, or the one just
   *     made)
   */
  public static ProxyInputs of(
      MeshSnapshot mesh,
      ProxyModel proxy,
      ProxyKind kind,
      long policyEpoch,
      Optional<ProxyIdentity> identity,
      Set<String> reached) {
    Map<String, List<Endpoint>> endpoints = new HashMap<>();
    Map<String, Protocol> protocols = new HashMap<>();
    for (Outbound outbound : proxy.outbounds()) {
      endpoints.put(outbound.service(), mesh.endpointsOf(outbound.service()));
      protocols.put(outbound.service(), mesh.protocolOf(outbound.service()));
    }
    for (String service : reached) {
      endpoints.put(service, mesh.endpointsOf(service));
      protocols.put(service, mesh.protocolOf(service));
    }
    return new ProxyInputs(proxy, kind, policyEpoch, mesh.mtls(), identity, endpoints, protocols);
  }

  /** True when a config generated from {@code other} is the config these inputs would give. */
  public boolean sameAs(ProxyInputs other) {
    // the model is compared by identity: the sync reuses one model per Dataplane version
    return other != null
        && model == other.model
        && kind == other.kind
        && policyEpoch == other.policyEpoch
        && mtls.equals(other.mtls)
        && identity.equals(other.identity)
        && protocols.equals(other.protocols)
        && endpoints.equals(other.endpoints);
  }
}
