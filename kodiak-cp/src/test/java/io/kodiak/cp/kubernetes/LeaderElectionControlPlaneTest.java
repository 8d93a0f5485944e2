package io.kodiak.cp.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kodiak.ca.Pem;
import io.kodiak.cp.testing.RunningControlPlane;
import io.kodiak.k8s.testing.KodiakCrds;
import io.kodiak.k8s.testing.KubeApiServer;
import io.kodiak.k8s.testing.Kubelet;
import io.kodiak.k8s.testing.KumaYaml;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control-plane replicas on one real API server elect one leader with the Lease {@code
 * kodiak-cp-leader}: only it runs the singleton work (the default mesh, a Mesh's builtin CA), the
 * other serves; when the leader stops, the other takes the Lease and the work; a Lease left by a
 * dead replica is respected until it expires, then taken over. Each test's replicas have a system
 * namespace (Lease, Secrets, settings) of their own; Meshes are cluster-wide, so each test names
 * its own.
 */
class LeaderElectionControlPlaneTest {
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final Duration FAILOVER = Duration.ofSeconds(60);
  private static KubeApiServer api;

  @TempDir Path dir;
  private String namespace;
  private final List<RunningControlPlane> started = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startApiServer() {
    api = KubeApiServer.start();
    KodiakCrds.install(api);
  }

  @AfterAll
  static void stopApiServer() {
    api.close();
  }

  @AfterEach
  void stopReplicas() {
    started.forEach(RunningControlPlane::close);
  }

  @Test
  void oneOfTwoReplicasLeadsAndAMeshGetsItsCaOnce() throws Exception {
    useNamespace("lease-one-leader");
    Replicas replicas = twoReplicas();
    RunningControlPlane leader = replicas.leader();
    RunningControlPlane follower = replicas.follower();
    await().atMost(FAILOVER).until(() -> leaderGauge(leader) == 1);
    assertThat(leaderGauge(follower)).isZero();
    await()
        .atMost(FAILOVER)
        .until(() -> api.kubectl("get", "meshes", "-o", "name").contains("mesh.kuma.io/default"));

    applyMeshWithMtls("secure");
    await().atMost(FAILOVER).until(() -> caSecrets("secure").size() == 2);
    assertCertificateMatchesKey("secure");
    await() // the follower serves it too
        .atMost(FAILOVER)
        .until(() -> follower.get("/meshes/secure").status() == 200);
    assertThat(holder()).contains(instanceId(leader)); // the follower never took it
  }

  @Test
  void whenTheLeaderStopsTheOtherTakesOverAndRunsTheSingletonWork() throws Exception {
    useNamespace("lease-failover");
    Replicas replicas = twoReplicas();
    RunningControlPlane survivor = replicas.follower();
    String survivorId = instanceId(survivor);

    replicas.leader().close();
    started.remove(replicas.leader());
    awaitHolder(survivorId::equals);
    await().atMost(FAILOVER).until(() -> leaderGauge(survivor) == 1);

    applyMeshWithMtls("after-failover");
    await().atMost(FAILOVER).until(() -> caSecrets("after-failover").size() == 2);
    assertCertificateMatchesKey("after-failover");
    assertThat(survivor.get("/meshes/after-failover").status()).isEqualTo(200);

    // the Pod controller is singleton work too: the new leader turns a new Pod into a Dataplane
    Kubelet kubelet = new Kubelet(api);
    kubelet.createMeshedNamespace("failover-pods", Map.of());
    kubelet.createPod("failover-pods", "web-1", Map.of("app", "web"), Kubelet.INJECTED, Map.of());
    kubelet.run("failover-pods", "web-1", "127.0.0.61", true);
    await()
        .atMost(FAILOVER)
        .until(
            () -> survivor.get("/meshes/default/dataplanes/web-1.failover-pods").status() == 200);
  }

  @Test
  void aLeaseHeldByAnotherReplicaIsRespectedAndTakenOverOnceItExpires() throws Exception {
    useNamespace("lease-departed-holder");
    writeLease("departed-replica", Instant.now()); // alive as far as anyone can tell
    RunningControlPlane cp = replica("a");
    applyMeshWithMtls("while-following");
    await()
        .atMost(FAILOVER)
        .until(() -> cp.get("/meshes/while-following").status() == 200); // a follower serves
    await() // and makes no CA: only the leader may
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> caSecrets("while-following").isEmpty() && leaderGauge(cp) == 0);
    assertThat(holder()).contains("departed-replica");

    writeLease("departed-replica", Instant.now().minus(Duration.ofHours(2))); // never renewed
    awaitHolder(instanceId(cp)::equals);
    await().atMost(FAILOVER).until(() -> leaderGauge(cp) == 1);
    // the new leader catches up on what it could not do as a follower
    await().atMost(FAILOVER).until(() -> caSecrets("while-following").size() == 2);
    assertCertificateMatchesKey("while-following");
  }

  /** Two replicas, once one of them holds the Lease. */
  private Replicas twoReplicas() {
    RunningControlPlane a = replica("a");
    RunningControlPlane b = replica("b");
    String holder = awaitHolder(h -> h.equals(instanceId(a)) || h.equals(instanceId(b)));
    return holder.equals(instanceId(a)) ? new Replicas(a, b) : new Replicas(b, a);
  }

  private record Replicas(RunningControlPlane leader, RunningControlPlane follower) {}

  private void useNamespace(String name) {
    namespace = name;
    api.createNamespace(name);
  }

  private RunningControlPlane replica(String name) {
    RunningControlPlane cp =
        RunningControlPlane.start(
            dir.resolve(name),
            Map.of(
                "KODIAK_STORE_TYPE",
                "kubernetes",
                "KODIAK_STORE_KUBERNETES_KUBECONFIG",
                api.kubeconfig().toString(),
                "KODIAK_STORE_KUBERNETES_SYSTEM_NAMESPACE",
                namespace));
    started.add(cp);
    return cp;
  }

  private static String instanceId(RunningControlPlane cp) {
    return cp.get("/").json().path("instanceId").asText();
  }

  /** The Lease's holder, empty while there is no Lease or no holder. */
  private Optional<String> holder() {
    String out =
        api.kubectl(
            "get",
            "leases",
            "-n",
            namespace,
            "--field-selector",
            "metadata.name=" + KubernetesMode.LEADER_LEASE,
            "-o",
            "jsonpath={.items[*].spec.holderIdentity}");
    return out.isBlank() ? Optional.empty() : Optional.of(out.trim());
  }

  private String awaitHolder(java.util.function.Predicate<String> expected) {
    return await()
        .atMost(FAILOVER)
        .until(() -> holder().filter(expected).orElse(null), h -> h != null);
  }

  private void writeLease(String holder, Instant renewed) throws Exception {
    Path file = dir.resolve("lease.yaml");
    Files.writeString(
        file,
        """
        apiVersion: coordination.k8s.io/v1
        kind: Lease
        metadata:
          name: %s
          namespace: %s
        spec:
          holderIdentity: %s
          leaseDurationSeconds: 3600
          acquireTime: "%s"
          renewTime: "%s"
          leaseTransitions: 0
        """
            .formatted(
                KubernetesMode.LEADER_LEASE,
                namespace,
                holder,
                MICRO_TIME.format(renewed),
                MICRO_TIME.format(renewed)));
    api.kubectl("apply", "-f", file.toString());
  }

  private void applyMeshWithMtls(String name) throws Exception {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, KumaYaml.meshWithBuiltinMtls(name));
    api.kubectl("apply", "-f", file.toString());
  }

  /** The Secrets of a mesh's CA: a certificate and a key, whoever made them. */
  private List<String> caSecrets(String mesh) {
    return api.kubectl("get", "secrets", "-n", namespace, "-o", "name")
        .lines()
        .filter(line -> line.startsWith("secret/" + mesh + ".ca-builtin-"))
        .toList();
  }

  /** Two replicas making one CA each could store one's certificate beside the other's key. */
  private void assertCertificateMatchesKey(String mesh) throws Exception {
    X509Certificate cert = Pem.certificate(secretValue(mesh + ".ca-builtin-cert-ca-1"));
    PrivateKey key = Pem.privateKey(secretValue(mesh + ".ca-builtin-key-ca-1"));
    byte[] probe = "one CA".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance(cert.getSigAlgName());
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(cert.getSigAlgName());
    verifier.initVerify(cert.getPublicKey());
    verifier.update(probe);
    assertThat(verifier.verify(signature)).as("the CA key belongs to its certificate").isTrue();
  }

  private String secretValue(String name) {
    String base64 =
        api.kubectl("get", "secret", name, "-n", namespace, "-o", "jsonpath={.data.value}");
    return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
  }

  /** The control plane's {@code kodiak_leader} gauge, from its /metrics. */
  private double leaderGauge(RunningControlPlane cp) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + cp.controlPlane().diagnosticsPort() + "/metrics");
    String metrics =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics
        .lines()
        .filter(line -> line.startsWith("kodiak_leader "))
        .map(line -> Double.parseDouble(line.substring("kodiak_leader ".length()).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no kodiak_leader in /metrics"));
  }
}
