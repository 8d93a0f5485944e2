package io.kodiak.xds.sync;

import io.kodiak.xds.proxy.ProxyModel;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * What changed in one mesh since the last flush: which proxies to regenerate.
 *
 * <p>Not thread-safe on its own: {@link DirtyMeshes} changes it only while holding its lock, and
 * once a flush has taken it only the worker thread reads it (the lock orders the two).
 */
final class MeshChange {
  private final long since = System.nanoTime(); // when the first change of this batch arrived
  private boolean all;
  private final Set<String> services = new HashSet<>();
  private final Set<String> proxies = new HashSet<>();

  /** Every proxy of the mesh may be affected. */
  void everything() {
    all = true;
  }

  /** The named proxy (a Dataplane's name) changed itself. */
  void proxy(String name) {
    proxies.add(name);
  }

  void proxies(Collection<String> names) {
    proxies.addAll(names);
  }

  /** The instances of these services changed. */
  void services(Collection<String> changed) {
    services.addAll(changed);
  }

  /** When the first change of this batch arrived ({@link System#nanoTime()}). */
  long since() {
    return since;
  }

  /**
   * A proxy is affected if it changed itself or reaches a service whose instances changed: one it
   * declares, or one its routes send to (recorded from its last config).
   */
  boolean affects(ProxyModel proxy, Set<String> reached) {
    return all
        || proxies.contains(proxy.name())
        || proxy.outbounds().stream().anyMatch(o -> services.contains(o.service()))
        || reached.stream().anyMatch(services::contains);
  }

  boolean affectsEverything() {
    return all;
  }

  Set<String> changedProxies() {
    return Collections.unmodifiableSet(proxies);
  }

  Set<String> changedServices() {
    return Collections.unmodifiableSet(services);
  }
}
