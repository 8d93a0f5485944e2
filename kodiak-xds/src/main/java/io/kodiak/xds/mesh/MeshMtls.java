package io.kodiak.xds.mesh;

import java.util.List;

/**
 * A mesh's mTLS state: the mode and every CA certificate proxies must trust (more than one while a
 * CA rotation is under way). Immutable.
 */
public record MeshMtls(String mesh, Mode mode, List<String> trustedRootsPem, Outbound outbound) {
  public MeshMtls {
    trustedRootsPem = List.copyOf(trustedRootsPem);
  }

  public MeshMtls(String mesh, Mode mode, List<String> trustedRootsPem) {
    this(mesh, mode, trustedRootsPem, Outbound.MUTUAL_TLS);
  }

  /**
   * Whether outbound clusters originate mutual TLS. While mTLS is being turned on, servers first
   * accept TLS and plaintext and clients keep plaintext; clients switch only once every server can
   * take TLS, so no request meets a server that cannot handle it.
   */
  public enum Outbound {
    PLAINTEXT,
    MUTUAL_TLS
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
