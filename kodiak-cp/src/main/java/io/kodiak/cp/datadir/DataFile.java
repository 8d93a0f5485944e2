package io.kodiak.cp.datadir;

/** A file the control plane keeps in its data directory, what it holds and what losing it costs. */
enum DataFile {
  STORE(
      "store.db",
      "every resource: meshes, policies, Dataplanes, and the Secrets holding each mesh's CA and"
          + " dataplane-token signing key",
      "lose every resource and re-create mesh \"default\""),
  CP_CA(
      "cp-ca.pem",
      "the control plane's CA certificate, which agents trust (--ca-cert-file)",
      "create a new control-plane CA, which no running agent trusts"),
  CP_CA_KEY(
      "cp-ca-key.pem",
      "the key of the control plane's CA",
      "create a new control-plane CA, which no running agent trusts"),
  CP_TLS(
      "cp-tls.pem",
      "the certificate of the dp-server and the HTTPS API",
      "issue a new certificate (from the CA, if cp-ca.pem and cp-ca-key.pem are intact)"),
  CP_TLS_KEY(
      "cp-tls-key.pem",
      "the key of that certificate",
      "issue a new certificate (from the CA, if cp-ca.pem and cp-ca-key.pem are intact)");

  private final String fileName;
  private final String holds;
  private final String lossMeans;

  DataFile(String fileName, String holds, String lossMeans) {
    this.fileName = fileName;
    this.holds = holds;
    this.lossMeans = lossMeans;
  }

  String fileName() {
    return fileName;
  }

  String holds() {
    return holds;
  }

  /** What starting without this file would do, completing "starting without it would ...". */
  String lossMeans() {
    return lossMeans;
  }

  boolean isTls() {
    return this != STORE;
  }
}
