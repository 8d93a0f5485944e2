package io.kodiak.k8s.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the Kubernetes mode relies on works on the real API server without a kubelet. */
class KubeApiServerTest {
  private static KubeApiServer api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = KubeApiServer.start();
    client = api.client();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void watchSeesAConfigMapUpdate() {
    api.createNamespace("watch");
    client.configMaps().inNamespace("watch").resource(configMap("settings", "one")).create();
    List<String> events = new CopyOnWriteArrayList<>();
    try (Watch watch = client.configMaps().inNamespace("watch").watch(recorder(events))) {
      // the watch begins with a synthetic ADDED; update only then, or the update may come first
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("ADDED settings=one"));
      client.configMaps().inNamespace("watch").resource(configMap("settings", "two")).update();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("MODIFIED settings=two"));
    }
  }

  @Test
  void podStatusIsWrittenByTheTestAsNoKubeletDoes() {
    api.createNamespace("pods");
    Pod pod =
        client
            .pods()
            .inNamespace("pods")
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("web")
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("app")
                    .withImage("kodiak.test/none")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");

    pod.setStatus(
        pod.getStatus().toBuilder()
            .withPhase("Running")
            .withPodIP("127.0.0.5")
            .withPodIPs(new PodIPBuilder().withIp("127.0.0.5").build())
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .build());
    client.pods().inNamespace("pods").resource(pod).updateStatus();

    Pod read = client.pods().inNamespace("pods").withName("web").get();
    assertThat(read.getStatus().getPhase()).isEqualTo("Running");
    assertThat(read.getStatus().getPodIP()).isEqualTo("127.0.0.5");
    assertThat(read.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
  }

  @Test
  void serviceAccountTokenBoundToAPodPassesTokenReview() {
    api.createNamespace("tokens");
    client
        .serviceAccounts()
        .inNamespace("tokens")
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("backend").endMetadata().build())
        .create();
    Pod pod =
        client
            .pods()
            .inNamespace("tokens")
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("backend")
                    .endMetadata()
                    .withNewSpec()
                    .withServiceAccountName("backend")
                    .addNewContainer()
                    .withName("app")
                    .withImage("kodiak.test/none")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    TokenRequest request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withExpirationSeconds(600L)
            .withNewBoundObjectRef()
            .withApiVersion("v1")
            .withKind("Pod")
            .withName("backend")
            .withUid(pod.getMetadata().getUid())
            .endBoundObjectRef()
            .endSpec()
            .build();
    String token =
        client
            .serviceAccounts()
            .inNamespace("tokens")
            .withName("backend")
            .tokenRequest(request)
            .getStatus()
            .getToken();

    TokenReview review =
        client
            .resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build())
            .create();
    assertThat(review.getStatus().getAuthenticated()).isTrue();
    assertThat(review.getStatus().getUser().getUsername())
        .isEqualTo("system:serviceaccount:tokens:backend");
    assertThat(review.getStatus().getUser().getExtra())
        .containsEntry("authentication.kubernetes.io/pod-name", List.of("backend"));
  }

  @Test
  void forgedBearerTokenGets401() throws GeneralSecurityException {
    try (KubernetesClient forged = api.clientFor(serviceAccountTokenSignedByAnotherKey())) {
      assertThatThrownBy(() -> forged.namespaces().list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
    }
  }

  @Test
  void builtKubectlUsesTheKubeconfig() {
    api.createNamespace("kubectl");
    assertThat(api.kubectl("get", "ns", "-o", "name").lines()).contains("namespace/kubectl");
  }

  /** A service-account JWT like the API server's own, with every claim right but the signature. */
  private static String serviceAccountTokenSignedByAnotherKey() throws GeneralSecurityException {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    String claims =
        "{\"iss\":\"https://kubernetes.default.svc\",\"aud\":[\"https://kubernetes.default.svc\"],"
            + "\"sub\":\"system:serviceaccount:kube-system:default\","
            + "\"iat\":1700000000,\"nbf\":1700000000,\"exp\":4102444800}";
    String signed =
        base64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + base64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    Signature signature = Signature.getInstance("SHA256withRSA");
    signature.initSign(generator.generateKeyPair().getPrivate());
    signature.update(signed.getBytes(StandardCharsets.US_ASCII));
    return signed + "." + base64.encodeToString(signature.sign());
  }

  private static ConfigMap configMap(String name, String value) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withData(Map.of("value", value))
        .build();
  }

  private static Watcher<ConfigMap> recorder(List<String> events) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap map) {
        events.add(action + " " + map.getMetadata().getName() + "=" + map.getData().get("value"));
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }
}
