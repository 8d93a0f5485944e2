package io.kodiak.xds.mesh;

import java.util.List;

/**
 * A mesh's mTLS state: the mode and every CA certificate proxies must trust (more than one while
 * a CA rotation is under way). Immutable.
 */
public record MeshMtls(String mesh, Mode mode, List<String> trustedRootsPem) {
  public MeshMtls {
    trustedRootsPem = List.copyOf(trustedRootsPem);
  }

  /** Kuma's mTLS modes. */
  public enum Mode {
    /** Inbounds accept only mutual TLS. */
    STRICT,
    /** Inbounds accept mutual TLS and plaintext (for migrations). */
    PERMISSIVE
  }

  public String spiffeId(String service) {
    return "spiffe://" + mesh + "/" + service;
  }
}
