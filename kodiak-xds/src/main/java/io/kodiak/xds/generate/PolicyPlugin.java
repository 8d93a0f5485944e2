package io.kodiak.xds.generate;

import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One policy type's effect on a proxy's Envoy config. Plugins run after the base generators, one
 * after another in a fixed order, each editing the resources in place. Must be pure (the result
 * depends only on the resources, the mesh snapshot they carry and the proxy it was bound to) and
 * thread-safe.
 */
public interface PolicyPlugin {
  /**
   * This plugin's part in one proxy's generation (its policies matched to the proxy once), or empty
   * when no policy of its type selects the proxy.
   */
  Optional<Bound> bind(MeshSnapshot mesh, ProxyModel proxy);

  /** A plugin bound to one proxy. Used by one generation at a time. */
  interface Bound {
    void apply(ProxyResources resources);

    /**
     * What this plugin's edits of an outbound depend on besides the outbound itself (for a policy:
     * which policies of its type select the proxy): two proxies with equal keys (for every plugin)
     * get equal outbound resources, so the generator builds them once per mesh snapshot and shares
     * them ({@link OutboundParts}). Empty when the edits depend on anything else of the proxy (its
     * name, address, services or inbounds), or add resources that belong to the proxy as a whole:
     * then nothing of the proxy is shared.
     */
    Optional<Object> outboundKey();
  }

  /**
   * A plugin that may read anything of the proxy (so its proxies share nothing); for tests and
   * simple plugins.
   */
  static PolicyPlugin readingProxy(Consumer<ProxyResources> apply) {
    Bound bound =
        new Bound() {
          @Override
          public void apply(ProxyResources resources) {
            apply.accept(resources);
          }

          @Override
          public Optional<Object> outboundKey() {
            return Optional.empty();
          }
        };
    return (mesh, proxy) -> Optional.of(bound);
  }
}
