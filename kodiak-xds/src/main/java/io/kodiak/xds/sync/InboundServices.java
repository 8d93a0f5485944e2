package io.kodiak.xds.sync;

import io.kodiak.model.core.Resource;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbound services of each Dataplane as last seen, so that a change of a Dataplane also reaches
 * the callers of the services it no longer offers, and a proxy (dis)connecting those of the
 * services it offers.
 *
 * <p>Thread-safe (a concurrent map, by "mesh/name"): change intake replaces and removes entries on
 * the store's change threads; snapshot building adds the Dataplanes it lists and has not seen, on
 * the worker and on inspect threads, without replacing an entry (a change's value wins).
 */
final class InboundServices {
  private final Map<String, Set<String>> byDataplane = new ConcurrentHashMap<>();

  /** The services last seen for a Dataplane; empty when none was seen since start. */
  Optional<Set<String>> of(String mesh, String name) {
    return Optional.ofNullable(byDataplane.get(key(mesh, name)));
  }

  void put(String mesh, String name, Set<String> services) {
    byDataplane.put(key(mesh, name), services);
  }

  void remove(String mesh, String name) {
    byDataplane.remove(key(mesh, name));
  }

  /** Remembers a listed Dataplane's services unless a change already recorded them. */
  void rememberIfAbsent(Resource dataplane) {
    byDataplane.putIfAbsent(key(dataplane.mesh(), dataplane.name()), of(dataplane));
  }

  /** The {@code kuma.io/service} of each of a Dataplane's inbounds. */
  static Set<String> of(Resource dataplane) {
    Set<String> services = new HashSet<>();
    dataplane
        .spec()
        .path("networking")
        .path("inbound")
        .forEach(in -> services.add(in.path("tags").path("kuma.io/service").asText()));
    return services;
  }

  private static String key(String mesh, String name) {
    return mesh + "/" + name;
  }
}
