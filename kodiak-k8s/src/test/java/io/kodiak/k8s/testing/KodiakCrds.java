package io.kodiak.k8s.testing;

import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Installs Kodiak's CRDs on a test API server with kubectl, as an operator would. */
public final class KodiakCrds {
  private KodiakCrds() {}

  /** The control plane's namespace in these tests (its default). */
  public static final String SYSTEM_NAMESPACE = "kodiak-system";

  /**
   * A started API server ready for a control plane, as an install leaves a cluster: the CRDs served
   * and the system namespace there.
   */
  public static KubeApiServer startApiServer() {
    return startApiServer(KubeApiServer.LOOPBACK_SERVICE_CIDR);
  }

  /** Like {@link #startApiServer()}, Services getting cluster IPs from {@code serviceCidr}. */
  public static KubeApiServer startApiServer(String serviceCidr) {
    KubeApiServer api = KubeApiServer.start(serviceCidr);
    try {
      install(api);
      api.createNamespace(SYSTEM_NAMESPACE);
      return api;
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  /** Applies every definition and waits until the API server serves them all. */
  public static void install(KubeApiServer api) {
    try {
      Path file = Files.createTempFile("kodiak-crds", ".yaml");
      try {
        Files.writeString(file, CustomResourceDefinitions.yaml());
        api.kubectl("apply", "-f", file.toString());
        api.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all");
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
