package io.kodiak.xds.mesh;

/** A reachable instance of a service: an inbound of a proxy that is ready and online. */
public record Endpoint(String address, int port, String proxyName) implements Comparable<Endpoint> {
  @Override
  public int compareTo(Endpoint other) {
    int byAddress = address.compareTo(other.address);
    return byAddress != 0 ? byAddress : Integer.compare(port, other.port);
  }
}
