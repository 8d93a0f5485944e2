package io.kodiak.e2e.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.e2e.support.TlsProbe;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.KumaYaml;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.kubernetes.CustomResourceDefinitions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kodiakctl install control-plane | kubectl apply -f -} against a real kube-apiserver: the
 * API server accepts every object (the Deployment too: stored, though nothing here would run it),
 * establishes every CRD, registers the webhooks with the install's CA, and takes the same output
 * again unchanged. Then a control plane started with the Deployment's settings, the installed
 * Secret's certificate and the installed ServiceAccount's token (so with exactly the installed
 * rights) starts, writes its defaults past the validating webhook and serves that certificate.
 */
class InstallTest {
  private static final Path BIN = Path.of("../bin").toAbsolutePath().normalize();
  private static final String NS = "kodiak-system";
  private static final String NAME = "kodiak-control-plane";

  @TempDir static Path dir;
  private static KubeApiServer api;

  /** What the one install printed (kept by {@code tee} on its way to kubectl). */
  private static List<JsonNode> installed;

  private static Pipeline.Result firstApply;

  @BeforeAll
  static void install() throws Exception {
    api = KubeApiServer.start();
    Path printed = dir.resolve("install.yaml");
    firstApply =
        Pipeline.run(
            dir,
            List.of(BIN.resolve("kodiakctl").toString(), "install", "control-plane"),
            List.of("tee", printed.toString()),
            kubectl("apply", "-f", "-"));
    installed = Documents.parseAll(Files.readString(printed));
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void theApiServerAcceptsEveryObjectAndTheSameOutputAgainUnchanged() throws Exception {
    assertThat(firstApply.exitCodes()).as(firstApply.errors()).containsOnly(0);
    List<String> created = firstApply.out().lines().toList();
    assertThat(created).hasSize(installed.size()).allMatch(line -> line.endsWith(" created"));
    assertThat(created)
        .contains(
            "namespace/" + NS + " created",
            "deployment.apps/" + NAME + " created",
            "secret/" + NAME + "-tls created",
            "validatingwebhookconfiguration.admissionregistration.k8s.io/"
                + "kodiak-validating-webhook-configuration created",
            "mutatingwebhookconfiguration.admissionregistration.k8s.io/"
                + "kodiak-mutating-webhook-configuration created");

    String again = api.kubectl("apply", "-f", dir.resolve("install.yaml").toString());
    assertThat(again.lines().toList())
        .hasSize(installed.size())
        .allMatch(line -> line.endsWith(" unchanged"));
  }

  @Test
  void theControlPlanesServiceAccountMayDoWhatItDoesAndNoMore() {
    String sa = "--as=system:serviceaccount:" + NS + ":" + NAME;
    for (String[] allowed :
        new String[][] {
          {"create", "dataplanes.kuma.io", "-n", "shop"},
          {"watch", "meshtimeouts.kuma.io", "--all-namespaces"},
          {"watch", "pods", "--all-namespaces"},
          {"get", "pods", "-n", "shop"},
          {"update", "pods", "--subresource=finalizers", "-n", "shop"},
          {"create", "tokenreviews.authentication.k8s.io"},
          {"update", "leases.coordination.k8s.io", "-n", NS},
          {"create", "secrets", "-n", NS},
        }) {
      assertThat(canI(sa, allowed)).as("may %s", String.join(" ", allowed)).isEqualTo("yes");
    }
    for (String[] refused :
        new String[][] {
          {"create", "pods", "-n", "shop"},
          {"get", "secrets", "-n", "shop"},
          {"delete", "namespaces", "shop"},
        }) {
      assertThat(canI(sa, refused)).as("may %s", String.join(" ", refused)).isEqualTo("no");
    }
  }

  /**
   * {@code kubectl auth can-i --quiet}: yes (exit 0) or no (exit 1, its answer; the allowed cases
   * prove the question itself is well formed).
   */
  private static String canI(String as, String... request) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i", "--quiet", as));
    args.addAll(List.of(request));
    try {
      api.kubectl(args.toArray(String[]::new));
      return "yes";
    } catch (IllegalStateException e) {
      return "no";
    }
  }

  @Test
  void everyCrdIsEstablishedAndTheWebhooksCarryTheInstallsCa() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode crds = Documents.parse(api.kubectl("get", "crd", "-o", "json"));
              for (var type : CustomResourceDefinitions.types()) {
                String name = CustomResourceDefinitions.name(type);
                JsonNode crd = null;
                for (JsonNode item : crds.path("items")) {
                  if (item.at("/metadata/name").asText().equals(name)) {
                    crd = item;
                  }
                }
                assertThat(crd).as(name).isNotNull();
                assertThat(condition(crd, "Established")).as(name).isEqualTo("True");
              }
            });
    String ca = data("ca.crt");
    for (String kind : List.of("validatingwebhookconfiguration", "mutatingwebhookconfiguration")) {
      JsonNode configuration =
          Documents.parse(
              api.kubectl(
                  "get",
                  kind,
                  "-l",
                  "app.kubernetes.io/part-of=kodiak",
                  "-o",
                  "jsonpath={.items[0]}"));
      JsonNode webhook = configuration.at("/webhooks/0");
      assertThat(decode(webhook.at("/clientConfig/caBundle").asText())).as(kind).isEqualTo(ca);
      assertThat(webhook.at("/clientConfig/service/name").asText()).isEqualTo(NAME);
      assertThat(webhook.at("/clientConfig/service/namespace").asText()).isEqualTo(NS);
      assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Fail");
    }
  }

  @Test
  void aControlPlaneWithTheInstalledRightsAndCertificateStartsAndServesIt() throws Exception {
    Path tls = Files.createDirectories(dir.resolve("tls"));
    for (String file : List.of("tls.crt", "tls.key", "ca.crt")) {
      Files.writeString(tls.resolve(file), data(file));
    }
    String token = api.kubectl("create", "token", NAME, "-n", NS).trim();
    Path kubeconfig = dir.resolve("service-account.kubeconfig");
    Files.writeString(
        kubeconfig, Files.readString(api.kubeconfig()).replace(api.adminToken(), token));

    Map<String, String> env = new HashMap<>();
    for (JsonNode variable : only("Deployment").at("/spec/template/spec/containers/0/env")) {
      env.put(variable.path("name").asText(), variable.path("value").asText());
    }
    // the Deployment's settings, with its mounted files where this test put them
    env.replaceAll((name, value) -> value.replace("/etc/kodiak/tls", tls.toString()));
    env.put("KODIAK_STORE_KUBERNETES_KUBECONFIG", kubeconfig.toString());

    try (RunningControlPlane cp = RunningControlPlane.start(dir.resolve("data"), env)) {
      assertThat(cp.get("/meshes/default").status()).isEqualTo(200);
      // written as the ServiceAccount, so past the validating webhook (which nothing serves here);
      // the initial policies follow the Mesh, so they may land a moment after it answers
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(api.kubectl("get", "meshtimeouts", "-n", NS, "-o", "name"))
                      .contains("mesh-timeout-all-default"));
      X509Certificate served =
          TlsProbe.serverCertificate(cp.controlPlane().apiHttpsPort(), null).orElseThrow();
      assertThat(served).isEqualTo(certificate(data("tls.crt")));
    }
    // anyone else's write is sent to the webhook, which nothing serves here: refused, not let by
    Path timeout = dir.resolve("timeout.yaml");
    Files.writeString(timeout, KumaYaml.meshTimeout("from-admin", NS, "idleTimeout: 42s"));
    assertThatThrownBy(() -> api.kubectl("apply", "-f", timeout.toString()))
        .hasMessageContaining("validator.kodiak.io");
  }

  private static List<String> kubectl(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                KubeApiServer.TOOLS.resolve("kubectl").toString(),
                "--kubeconfig",
                api.kubeconfig().toString()));
    command.addAll(List.of(args));
    return command;
  }

  /** A file of the TLS Secret as the API server holds it. */
  private static String data(String key) {
    return decode(
        api.kubectl(
            "get",
            "secret",
            NAME + "-tls",
            "-n",
            NS,
            "-o",
            "jsonpath={.data." + key.replace(".", "\\.") + "}"));
  }

  private static JsonNode only(String kind) {
    List<JsonNode> matching =
        installed.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertThat(matching).as(kind).hasSize(1);
    return matching.get(0);
  }

  private static String condition(JsonNode crd, String type) {
    for (JsonNode condition : crd.at("/status/conditions")) {
      if (condition.path("type").asText().equals(type)) {
        return condition.path("status").asText();
      }
    }
    return "absent";
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
  }

  private static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
  }
}
