package io.kodiak.xds.mesh;

import java.util.Map;

/**
 * A reachable instance of a service: an inbound of a proxy that is ready and online, with the
 * inbound's tags (route subsets select instances by them).
 */
public record Endpoint(String address, int port, String proxyName, Map<String, String> tags)
    implements Comparable<Endpoint> {
  public Endpoint {
    tags = Map.copyOf(tags);
  }

  /** Whether this instance carries every one of the given tags. */
  public boolean hasTags(Map<String, String> wanted) {
    return wanted.entrySet().stream().allMatch(t -> t.getValue().equals(tags.get(t.getKey())));
  }

  @Override
  public int compareTo(Endpoint other) {
    int byAddress = address.compareTo(other.address);
    return byAddress != 0 ? byAddress : Integer.compare(port, other.port);
  }
}
