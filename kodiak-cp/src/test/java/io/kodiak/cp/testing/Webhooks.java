package io.kodiak.cp.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.kodiak.k8s.injection.SidecarInjection;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * Registers a control plane's admission webhooks with a test API server, as the install manifests
 * do in a cluster, but by URL (the control plane runs on this host, not behind a Service).
 */
public final class Webhooks {
  private Webhooks() {}

  /** The validating webhook for every kuma.io create and update. */
  public static void validator(KubeApiServer api, RunningControlPlane cp, Path dir) {
    apply(
        api,
        dir.resolve("validator.yaml"),
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata:
          name: kodiak-validator
        webhooks:
          - name: validator.kodiak.io
            admissionReviewVersions: [v1]
            sideEffects: None
            failurePolicy: Fail
            clientConfig:
              url: https://127.0.0.1:%d/validate-kuma-io-v1alpha1
              caBundle: %s
            rules:
              - apiGroups: [kuma.io]
                apiVersions: [v1alpha1]
                operations: [CREATE, UPDATE]
                resources: ["*"]
        """
            .formatted(cp.controlPlane().apiHttpsPort(), caBundle(cp)));
  }

  /**
   * The sidecar injector for Pods created in namespaces carrying the injection label; returns once
   * a Pod created in {@code meshedNamespace} gets its sidecar (the API server loads webhook
   * configurations asynchronously).
   */
  public static void injector(
      KubeApiServer api, RunningControlPlane cp, Path dir, String meshedNamespace) {
    apply(
        api,
        dir.resolve("injector.yaml"),
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: MutatingWebhookConfiguration
        metadata:
          name: kodiak-injector
        webhooks:
          - name: injector.kodiak.io
            admissionReviewVersions: [v1]
            sideEffects: None
            failurePolicy: Fail
            namespaceSelector:
              matchExpressions:
                - {key: kuma.io/sidecar-injection, operator: Exists}
            clientConfig:
              url: https://127.0.0.1:%d/inject-sidecar
              caBundle: %s
            rules:
              - apiGroups: [""]
                apiVersions: [v1]
                operations: [CREATE]
                resources: [pods]
        """
            .formatted(cp.controlPlane().apiHttpsPort(), caBundle(cp)));
    Kubelet kubelet = new Kubelet(api);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              String name = "probe-" + System.nanoTime();
              Pod pod = kubelet.createPod(meshedNamespace, name, Map.of(), Map.of(), Map.of());
              kubelet.deletePod(meshedNamespace, name);
              return pod.getSpec().getContainers().stream()
                  .anyMatch(c -> c.getName().equals(SidecarInjection.CONTAINER));
            });
  }

  private static String caBundle(RunningControlPlane cp) {
    try {
      return Base64.getEncoder().encodeToString(Files.readAllBytes(cp.caCertFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void apply(KubeApiServer api, Path file, String yaml) {
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    api.kubectl("apply", "-f", file.toString());
  }
}
