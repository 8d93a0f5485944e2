package io.kodiak.xds.generate;

/**
 * One policy type's effect on a proxy's Envoy config. Plugins run after the base generators, one
 * after another in a fixed order, each editing the resources in place. Must be pure (the result
 * depends only on the resources and the mesh snapshot they carry) and thread-safe.
 */
public interface PolicyPlugin {
  void apply(ProxyResources resources);
}
