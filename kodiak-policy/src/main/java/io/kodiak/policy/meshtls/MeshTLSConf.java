package io.kodiak.policy.meshtls;

import java.util.List;

/**
 * A MeshTLS {@code default} block; every component is null when not set. {@code mode} is Permissive
 * or Strict, the versions TLSAuto, TLS10 ... TLS13 (the schema checks the values).
 */
record MeshTLSConf(String mode, TlsVersion tlsVersion, List<String> tlsCiphers) {
  MeshTLSConf {
    tlsCiphers = tlsCiphers == null ? null : List.copyOf(tlsCiphers);
  }

  record TlsVersion(String min, String max) {
    static final TlsVersion NONE = new TlsVersion(null, null);
  }

  TlsVersion tlsVersionOrNone() {
    return tlsVersion == null ? TlsVersion.NONE : tlsVersion;
  }
}
