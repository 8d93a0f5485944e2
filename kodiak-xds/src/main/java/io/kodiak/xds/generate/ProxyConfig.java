package io.kodiak.xds.generate;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Everything one proxy gets over xDS, each list sorted by name, with a content hash per type so an
 * unchanged type keeps its version and is not resent, and one per resource (what delta xDS compares
 * per resource); and the mesh services its clusters reach, so a change of their instances finds
 * this proxy. Immutable.
 */
public record ProxyConfig(
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Secret> secrets,
    Versions versions,
    ResourceVersions resourceVersions,
    Set<String> services) {

  public ProxyConfig {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    secrets = List.copyOf(secrets);
    services = Set.copyOf(services);
    if (resourceVersions.listeners().size() != listeners.size()
        || resourceVersions.routes().size() != routes.size()
        || resourceVersions.clusters().size() != clusters.size()
        || resourceVersions.endpoints().size() != endpoints.size()
        || resourceVersions.secrets().size() != secrets.size()) {
      throw new IllegalArgumentException("one version per resource, in the order of its list");
    }
  }

  /** Builds a config and computes its versions from the content. */
  public static ProxyConfig of(
      List<Listener> listeners,
      List<RouteConfiguration> routes,
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Secret> secrets) {
    return of(listeners, routes, clusters, endpoints, secrets, Set.of(), ProxyConfig::resourceHash);
  }

  /**
   * @param hashOf each resource's {@link #resourceHash}: the generator knows most of them already
   *     (a shared outbound's resources were hashed once, each cluster's when its endpoints were
   *     stamped), so no resource is serialized twice
   */
  static ProxyConfig of(
      List<Listener> listeners,
      List<RouteConfiguration> routes,
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Secret> secrets,
      Set<String> services,
      Function<Message, String> hashOf) {
    ResourceVersions each =
        new ResourceVersions(
            hashes(listeners, hashOf),
            hashes(routes, hashOf),
            hashes(clusters, hashOf),
            hashes(endpoints, hashOf),
            hashes(secrets, hashOf));
    return new ProxyConfig(
        listeners,
        routes,
        clusters,
        endpoints,
        secrets,
        new Versions(
            version(each.listeners()),
            version(each.routes()),
            version(each.clusters()),
            version(each.endpoints()),
            version(each.secrets())),
        each,
        services);
  }

  /**
   * Each resource's content hash, in the order of its list: its version for delta xDS (the same
   * instance shared by many proxies was hashed once).
   */
  public record ResourceVersions(
      List<String> listeners,
      List<String> routes,
      List<String> clusters,
      List<String> endpoints,
      List<String> secrets) {
    public ResourceVersions {
      listeners = List.copyOf(listeners);
      routes = List.copyOf(routes);
      clusters = List.copyOf(clusters);
      endpoints = List.copyOf(endpoints);
      secrets = List.copyOf(secrets);
    }
  }

  private static List<String> hashes(
      List<? extends Message> resources, Function<Message, String> hashOf) {
    List<String> out = new ArrayList<>(resources.size());
    for (Message resource : resources) {
      out.add(hashOf.apply(resource));
    }
    return out;
  }

  /**
   * One resource's content hash (its deterministic serialization); a type's version is the hash of
   * these, in name order.
   */
  static String resourceHash(Message resource) {
    // sized once, written straight into the array (an output stream encoder copies it twice)
    byte[] bytes = new byte[resource.getSerializedSize() + 1];
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      resource.writeTo(out);
      out.writeRawByte((byte) 0); // as when types were hashed whole: endpoint stamps stay the same
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return digest(bytes);
  }

  private static String version(List<String> hashes) {
    StringBuilder all = new StringBuilder(hashes.size() * 17);
    for (String hash : hashes) {
      all.append(hash).append(',');
    }
    return hashText(all.toString());
  }

  /** Content hashes per xDS type; {@link #all} changes when anything does. */
  public record Versions(
      String listeners, String routes, String clusters, String endpoints, String secrets) {
    public String all() {
      return hashText(listeners + routes + clusters + endpoints + secrets);
    }
  }

  private static String hashText(String text) {
    return digest(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String digest(byte[] data) {
    return HexFormat.of().formatHex(SHA_256.get().digest(data), 0, 8);
  }

  /** One per thread: looking the algorithm up costs more than hashing a small resource. */
  private static final ThreadLocal<MessageDigest> SHA_256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });
}
