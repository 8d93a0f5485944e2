package io.kodiak.ctl.install;

import static io.kodiak.ctl.install.ControlPlaneManifests.NAME;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.util.List;

/**
 * The admission webhooks, both served by the control plane on its TLS API port through the Service,
 * and both failing closed (see docs/decisions/0019-install-manifests.md):
 *
 * <ul>
 *   <li>validating: every create and update of a {@code kuma.io/v1alpha1} object is checked with
 *       Kodiak's own validation, except the control plane's own writes (it validated them already,
 *       and at start it writes before it serves the webhook: the API server would wait on it);
 *   <li>mutating: a Pod created in a namespace carrying the {@code kuma.io/sidecar-injection} label
 *       is shown to the injector, which gives it its sidecar by Kuma's rules (the namespace's
 *       {@code enabled}, or the Pod's own label).
 * </ul>
 */
final class Webhooks {
  static final String VALIDATING = "kodiak-validating-webhook-configuration";
  static final String MUTATING = "kodiak-mutating-webhook-configuration";
  static final String VALIDATE_PATH = "/validate-kuma-io-v1alpha1";
  static final String INJECT_PATH = "/inject-sidecar";

  /** Kuma's namespace label: {@code enabled} asks for sidecars, {@code disabled} refuses them. */
  static final String INJECTION_LABEL = "kuma.io/sidecar-injection";

  private static final String ADMISSION = "admissionregistration.k8s.io/v1";

  private Webhooks() {}

  static List<ObjectNode> configurations(String namespace, ServingCertificate tls) {
    return List.of(validating(namespace, tls), mutating(namespace, tls));
  }

  private static ObjectNode validating(String namespace, ServingCertificate tls) {
    ObjectNode configuration =
        KubeObjects.clusterScoped(ADMISSION, "ValidatingWebhookConfiguration", VALIDATING);
    ObjectNode webhook =
        webhook(configuration, "validator.kodiak.io", namespace, VALIDATE_PATH, tls);
    rule(webhook, CustomResourceDefinitions.API_VERSION, "*", "*", "CREATE", "UPDATE");
    webhook
        .putArray("matchConditions")
        .addObject()
        .put("name", "not-the-control-plane")
        .put(
            "expression",
            "request.userInfo.username != 'system:serviceaccount:" + namespace + ":" + NAME + "'");
    return configuration;
  }

  private static ObjectNode mutating(String namespace, ServingCertificate tls) {
    ObjectNode configuration =
        KubeObjects.clusterScoped(ADMISSION, "MutatingWebhookConfiguration", MUTATING);
    ObjectNode webhook =
        webhook(configuration, "sidecar-injector.kodiak.io", namespace, INJECT_PATH, tls);
    rule(webhook, "v1", "pods", "Namespaced", "CREATE");
    ObjectNode expression =
        webhook.putObject("namespaceSelector").putArray("matchExpressions").addObject();
    // every labelled namespace: a Pod may opt in where its namespace says disabled (Kuma 2.11+)
    expression.put("key", INJECTION_LABEL).put("operator", "Exists");
    webhook.put("reinvocationPolicy", "Never");
    return configuration;
  }

  /** {@code apiVersion} as in an object: {@code group/version}, or {@code version} for core. */
  private static void rule(
      ObjectNode webhook, String apiVersion, String resource, String scope, String... operations) {
    int slash = apiVersion.indexOf('/');
    ObjectNode rule = webhook.putArray("rules").addObject();
    rule.set("apiGroups", KubeObjects.strings(slash < 0 ? "" : apiVersion.substring(0, slash)));
    rule.set("apiVersions", KubeObjects.strings(apiVersion.substring(slash + 1)));
    rule.set("operations", KubeObjects.strings(operations));
    rule.set("resources", KubeObjects.strings(resource));
    rule.put("scope", scope);
  }

  private static ObjectNode webhook(
      ObjectNode configuration,
      String name,
      String namespace,
      String path,
      ServingCertificate tls) {
    ObjectNode webhook = configuration.putArray("webhooks").addObject();
    webhook.put("name", name);
    webhook.set("admissionReviewVersions", KubeObjects.strings("v1"));
    webhook.put("sideEffects", "None");
    webhook.put("failurePolicy", "Fail");
    webhook.put("timeoutSeconds", 10);
    ObjectNode client = webhook.putObject("clientConfig");
    client
        .putObject("service")
        .put("name", NAME)
        .put("namespace", namespace)
        .put("path", path)
        .put("port", Port.HTTPS_API.number);
    client.put("caBundle", tls.caBundle());
    return webhook;
  }
}
