package io.kodiak.ctl.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.ca.Pem;
import io.kodiak.ctl.KodiakCtl;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code kodiakctl install}, run through the CLI's entry point: the output is YAML that names every
 * object, the namespace option reaches every reference to the namespace, and the webhooks trust
 * exactly the CA that signed the certificate the control plane serves for its Service.
 */
class InstallCommandTest {
  private static final String NS = "mesh-system";

  /** Cluster-scoped kinds; every other object must sit in the chosen namespace. */
  private static final Set<String> CLUSTER_KINDS =
      Set.of(
          "Namespace",
          "CustomResourceDefinition",
          "ClusterRole",
          "ClusterRoleBinding",
          "ValidatingWebhookConfiguration",
          "MutatingWebhookConfiguration");

  @Test
  void crdsAreEveryCustomResourceDefinition() {
    List<JsonNode> documents = Documents.parseAll(run("install", "crds"));
    assertThat(documents)
        .extracting(d -> d.at("/metadata/name").asText())
        .containsExactlyElementsOf(
            CustomResourceDefinitions.types().stream()
                .map(CustomResourceDefinitions::name)
                .toList());
  }

  @Test
  void everyDocumentNamesItselfAndLivesInTheChosenNamespace() {
    List<JsonNode> documents =
        Documents.parseAll(run("install", "control-plane", "--namespace", NS));
    for (JsonNode document : documents) {
      String kind = document.path("kind").asText();
      assertThat(document.path("apiVersion").asText()).as(kind).isNotEmpty();
      assertThat(kind).isNotEmpty();
      assertThat(document.at("/metadata/name").asText()).as(kind).isNotEmpty();
      assertThat(document.at("/metadata/namespace").asText(""))
          .as(kind + " " + document.at("/metadata/name").asText())
          .isEqualTo(CLUSTER_KINDS.contains(kind) ? "" : NS);
    }
    assertThat(kinds(documents))
        .contains(
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Secret",
            "Service",
            "Deployment",
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration");
    assertThat(documents)
        .filteredOn(d -> d.path("kind").asText().equals("CustomResourceDefinition"))
        .hasSize(CustomResourceDefinitions.types().size());
    JsonNode namespace = only(documents, "Namespace");
    assertThat(namespace.at("/metadata/name").asText()).isEqualTo(NS);
    assertThat(namespace.at("/metadata/labels/kuma.io~1sidecar-injection").asText())
        .isEqualTo("disabled");
    for (String binding : List.of("ClusterRoleBinding", "RoleBinding")) {
      assertThat(only(documents, binding).at("/subjects/0/namespace").asText())
          .as(binding)
          .isEqualTo(NS);
    }
    for (String kind : List.of("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")) {
      assertThat(only(documents, kind).at("/webhooks/0/clientConfig/service/namespace").asText())
          .as(kind)
          .isEqualTo(NS);
    }
    JsonNode env = only(documents, "Deployment").at("/spec/template/spec/containers/0/env");
    assertThat(env.findValuesAsText("value")).contains(NS).doesNotContain("kodiak-system");
  }

  @Test
  void theWebhooksTrustTheCaThatSignedTheServiceCertificate() throws Exception {
    List<JsonNode> documents =
        Documents.parseAll(run("install", "control-plane", "--namespace", NS));
    JsonNode data = only(documents, "Secret").path("data");
    assertThat(only(documents, "Secret").path("type").asText()).isEqualTo("kubernetes.io/tls");
    List<X509Certificate> chain = certificates(decode(data.path("tls.crt")));
    X509Certificate served = chain.get(0);
    for (String kind : List.of("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")) {
      X509Certificate ca =
          certificates(decode(only(documents, kind).at("/webhooks/0/clientConfig/caBundle")))
              .get(0);
      served.verify(ca.getPublicKey()); // throws unless this CA signed it
      assertThat(ca.getBasicConstraints()).as(kind + " bundle is a CA").isGreaterThanOrEqualTo(0);
      assertThat(ca).isEqualTo(certificates(decode(data.path("ca.crt"))).get(0));
    }
    assertThat(served.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)).toList())
        .contains(
            "kodiak-control-plane." + NS + ".svc",
            "kodiak-control-plane." + NS + ".svc.cluster.local");
    assertThat(served.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth

    // the key in the Secret is the certificate's
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(Pem.privateKey(decode(data.path("tls.key"))));
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(served.getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).isTrue();
  }

  @Test
  void theOptionsReachTheDeployment() {
    List<JsonNode> documents =
        Documents.parseAll(
            run(
                "install",
                "control-plane",
                "--image",
                "registry.example/kodiak-cp:dev",
                "--replicas",
                "3",
                "--without-crds"));
    JsonNode deployment = only(documents, "Deployment");
    assertThat(deployment.at("/metadata/namespace").asText()).isEqualTo("kodiak-system");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(deployment.at("/spec/template/spec/containers/0/image").asText())
        .isEqualTo("registry.example/kodiak-cp:dev");
    assertThat(kinds(documents)).doesNotContain("CustomResourceDefinition");
    assertThat(
            only(Documents.parseAll(run("install", "control-plane")), "Deployment")
                .at("/spec/template/spec/containers/0/image")
                .asText())
        .isEqualTo("kodiak/kodiak-cp:" + KodiakCtl.VERSION);
  }

  @Test
  void aBadOptionIsRefusedWithWhatItMustBe() {
    assertThat(refused("--namespace", "Mesh_System"))
        .contains("--namespace must be a Kubernetes namespace name");
    assertThat(refused("--replicas", "0")).contains("--replicas must be at least 1, not 0");
  }

  /** What {@code install control-plane} with {@code options} printed on stderr, failing. */
  private static String refused(String... options) {
    StringWriter err = new StringWriter();
    String[] args = new String[options.length + 2];
    args[0] = "install";
    args[1] = "control-plane";
    System.arraycopy(options, 0, args, 2, options.length);
    StringWriter out = new StringWriter();
    assertThat(KodiakCtl.execute(new PrintWriter(out), new PrintWriter(err, true), args))
        .isEqualTo(1);
    assertThat(out.toString()).isEmpty();
    return err.toString();
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KodiakCtl.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  private static Set<String> kinds(List<JsonNode> documents) {
    return documents.stream().map(d -> d.path("kind").asText()).collect(Collectors.toSet());
  }

  private static JsonNode only(List<JsonNode> documents, String kind) {
    List<JsonNode> matching =
        documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertThat(matching).as(kind).hasSize(1);
    return matching.get(0);
  }

  private static String decode(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private static List<X509Certificate> certificates(String pem) throws Exception {
    return (List<X509Certificate>)
        (List<?>)
            List.copyOf(
                CertificateFactory.getInstance("X.509")
                    .generateCertificates(
                        new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8))));
  }
}
