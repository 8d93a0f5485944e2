package io.kodiak.xds.server;

import java.util.Map;

/**
 * The proxy on the other end of a stream, as its Envoy describes itself.
 *
 * @param id the node id ({@code <mesh>.<name>})
 * @param metadata the string fields of the node metadata (the agent puts the Dataplane here)
 * @param envoyVersion Envoy's version, such as {@code 1.40.0}, or empty
 */
public record NodeInfo(String id, Map<String, String> metadata, String envoyVersion) {
  public NodeInfo {
    metadata = Map.copyOf(metadata);
  }

  /** The mesh part of the node id. */
  public String mesh() {
    int dot = id.indexOf('.');
    return dot < 0 ? "" : id.substring(0, dot);
  }

  /** The proxy-name part of the node id. */
  public String name() {
    int dot = id.indexOf('.');
    return dot < 0 ? id : id.substring(dot + 1);
  }
}
