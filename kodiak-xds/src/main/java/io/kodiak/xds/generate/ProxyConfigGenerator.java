package io.kodiak.xds.generate;

import io.kodiak.xds.generate.PolicyPlugin.Bound;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.mesh.MeshSnapshot.Derived;
import io.kodiak.xds.proxy.Outbound;
import io.kodiak.xds.proxy.ProxyIdentity;
import io.kodiak.xds.proxy.ProxyKind;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Generates one proxy's Envoy configuration: the base listeners and clusters for its inbounds and
 * outbounds, then each policy plugin in order (who may call an inbound is one of them), then the
 * redirect listeners of transparent proxying ({@link TransparentProxyGenerator}). A pure function
 * of (mesh snapshot, proxy): no I/O, clock or randomness, so equal inputs give byte-equal output
 * and equal versions.
 *
 * <p>What a proxy's outbounds get is usually the same for many proxies (every caller of a service
 * under the same policies gets the same cluster, route and listener for it), so when every plugin
 * says what its outbound edits depend on ({@link Bound#outboundKey}), each outbound is generated
 * once per mesh snapshot and shared ({@link OutboundParts}); only the inbound half is the proxy's
 * own. The result is the same as generating the proxy whole, which is what happens otherwise, and
 * when two outbounds would share a listener or route (then each edit must apply once per outbound).
 * Thread-safe.
 */
public final class ProxyConfigGenerator {
  private final List<PolicyPlugin> plugins;
  private final boolean shareOutbounds;
  private final Derived<OutboundParts> parts = OutboundParts.newKey();

  /** Only the base config: no policy applies, and with mTLS nobody may call an inbound. */
  public ProxyConfigGenerator() {
    this(List.of());
  }

  /**
   * @param plugins every policy's plugin, in the order they apply (the inbound phase first)
   */
  public ProxyConfigGenerator(List<PolicyPlugin> plugins) {
    this(plugins, true);
  }

  private ProxyConfigGenerator(List<PolicyPlugin> plugins, boolean shareOutbounds) {
    this.plugins = List.copyOf(plugins);
    this.shareOutbounds = shareOutbounds;
  }

  /** The same generator building every proxy whole; for tests that compare the two ways. */
  public ProxyConfigGenerator sharingNothing() {
    return new ProxyConfigGenerator(plugins, false);
  }

  public ProxyConfig generate(MeshSnapshot mesh, ProxyModel proxy) {
    return generate(mesh, proxy, ProxyKind.ENVOY);
  }

  public ProxyConfig generate(MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind) {
    return generate(mesh, proxy, kind, Optional.empty());
  }

  /**
   * @param identity the proxy's workload certificate; required when the mesh has mTLS on
   */
  public ProxyConfig generate(
      MeshSnapshot mesh, ProxyModel proxy, ProxyKind kind, Optional<ProxyIdentity> identity) {
    Optional<MeshMtls> mtls =
        mesh.mtls().filter(m -> identity.isPresent() && kind == ProxyKind.ENVOY);
    List<Bound> bound = new ArrayList<>();
    List<Object> keys = new ArrayList<>();
    boolean shareable = shareOutbounds && !proxy.outbounds().isEmpty();
    for (PolicyPlugin plugin : plugins) {
      Optional<Bound> b = plugin.bind(mesh, proxy);
      if (b.isPresent()) {
        bound.add(b.get());
        Optional<Object> key = b.get().outboundKey();
        shareable &= key.isPresent();
        keys.add(key.orElse(OutboundParts.UNBOUND)); // unused unless shareable
      } else {
        keys.add(OutboundParts.UNBOUND);
      }
    }
    ProxyResources out = base(mesh, proxy, kind, identity, mtls);
    if (shareable) {
      for (Bound b : bound) {
        b.apply(out); // the inbound half: no outbound is generated yet
      }
      if (mergeParts(out, OutboundParts.of(mesh, parts), keys, bound)) {
        TransparentProxyGenerator.generate(out);
        return out.build();
      }
      // two outbounds share a listener or route, or disagree on a cluster: build it whole, below
      out = base(mesh, proxy, kind, identity, mtls);
    }
    OutboundGenerator.generate(out, proxy.outbounds());
    for (Bound b : bound) {
      b.apply(out);
    }
    TransparentProxyGenerator.generate(out);
    return out.build();
  }

  /** The proxy's secrets and inbounds, before any plugin. */
  private static ProxyResources base(
      MeshSnapshot mesh,
      ProxyModel proxy,
      ProxyKind kind,
      Optional<ProxyIdentity> identity,
      Optional<MeshMtls> mtls) {
    ProxyResources out = new ProxyResources(mesh, proxy, kind, mtls);
    if (mtls.isPresent()) {
      out.secret(Mtls.identitySecret(identity.get()));
      out.secret(Mtls.caSecret(mtls.get()));
    }
    if (kind == ProxyKind.ENVOY) {
      InboundGenerator.generate(out);
    }
    return out;
  }

  /** Adds each outbound's shared part; false when {@link ProxyResources#merge} refuses one. */
  private static boolean mergeParts(
      ProxyResources out, OutboundParts parts, List<Object> keys, List<Bound> bound) {
    List<Object> pluginKeys = List.copyOf(keys); // once: each Key would copy it again
    for (Outbound outbound : out.proxy().outbounds()) {
      var key =
          new OutboundParts.Key(out.kind(), out.mtls().isPresent(), outbound.service(), pluginKeys);
      OutboundParts.Part part =
          parts.part(key, outbound, at -> part(out.mesh(), out.kind(), out.mtls(), at, bound));
      if (!out.merge(part)) {
        return false;
      }
    }
    return true;
  }

  /** One outbound as every plugin leaves it, for every proxy with the same key. */
  private static OutboundParts.Part part(
      MeshSnapshot mesh,
      ProxyKind kind,
      Optional<MeshMtls> mtls,
      Outbound outbound,
      List<Bound> bound) {
    ProxyResources part = ProxyResources.sharedPart(mesh, kind, mtls);
    OutboundGenerator.generate(part, List.of(outbound));
    for (Bound b : bound) {
      b.apply(part);
    }
    return part.freeze(outbound);
  }
}
