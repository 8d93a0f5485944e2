package io.kodiak.xds.proxy;

/** A proxy's workload certificate (SPIFFE) and key, in PEM. Never logged. */
public record ProxyIdentity(String certificatePem, String keyPem) {
  @Override
  public String toString() {
    return "ProxyIdentity[certificate only]";
  }
}
