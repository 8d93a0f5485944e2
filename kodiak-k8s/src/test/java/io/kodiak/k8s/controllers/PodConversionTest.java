package io.kodiak.k8s.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kuma's Pod-to-Dataplane rules, case by case, on Kubernetes objects built in memory. */
class PodConversionTest {
  private static final List<MeshService> MESH =
      List.of(
          new MeshService("backend_shop_svc_80", "10.96.0.10", 80),
          new MeshService("redis_shop_svc_6379", "10.96.0.11", 6379));

  @Test
  void aServicePortAnnotationGivesTheProtocolAndUnknownOnesAreTcp() {
    Service annotated =
        service("web", Map.of("app", "web"), port(8080, new IntOrString(8080), null, "TCP"));
    annotated.getMetadata().setAnnotations(Map.of("8080.service.kuma.io/protocol", "grpc"));
    assertThat(PodConversion.protocol(annotated, annotated.getSpec().getPorts().get(0)))
        .isEqualTo("grpc");
    Service h2c = service("web", Map.of(), port(80, null, "kubernetes.io/h2c", "TCP"));
    assertThat(PodConversion.protocol(h2c, h2c.getSpec().getPorts().get(0))).isEqualTo("http2");
    Service odd = service("web", Map.of(), port(80, null, "mqtt", "TCP"));
    assertThat(PodConversion.protocol(odd, odd.getSpec().getPorts().get(0))).isEqualTo("tcp");
  }

  @Test
  void udpPortsAndNamedPortsThePodLacksGiveNoInbound() {
    Service service =
        service(
            "web",
            Map.of("app", "web"),
            port(53, new IntOrString(53), null, "UDP"),
            port(81, new IntOrString("metrics"), null, "TCP"),
            port(80, new IntOrString("http"), null, "TCP"));
    JsonNode inbounds = convert(pod("web-1", Map.of("app", "web"), Map.of()), service);
    assertThat(inbounds).hasSize(1);
    assertThat(inbounds.get(0).path("port").asInt()).isEqualTo(8080);
    assertThat(inbounds.get(0).at("/tags/kuma.io~1service").asText()).isEqualTo("web_shop_svc_80");
  }

  @Test
  void aServiceWithoutSelectorSelectsNothing() {
    Service external = service("external", Map.of(), port(80, null, null, "TCP"));
    assertThat(PodConversion.selects(external, pod("web-1", Map.of("app", "web"), Map.of())))
        .isFalse();
  }

  @Test
  void aServicelessPodIsNamedAfterItsDeployment() {
    Pod pod =
        new PodBuilder(pod("worker-7d9f8-abcde", Map.of("pod-template-hash", "7d9f8"), Map.of()))
            .editMetadata()
            .addNewOwnerReference()
            .withKind("ReplicaSet")
            .withName("worker-7d9f8")
            .withApiVersion("apps/v1")
            .withUid("u")
            .endOwnerReference()
            .endMetadata()
            .build();
    JsonNode inbound = convert(pod).get(0);
    assertThat(inbound.at("/tags/kuma.io~1service").asText()).isEqualTo("worker_shop_svc");
    assertThat(inbound.path("state").asText()).isEqualTo("Ignored");
    assertThat(inbound.path("port").asInt()).isEqualTo(PodConversion.SERVICELESS_PORT);
  }

  @Test
  void theReachableServicesAnnotationLimitsTheOutbounds() {
    Pod pod =
        pod(
            "client-1",
            Map.of(),
            Map.of(
                "kuma.io/transparent-proxying-reachable-services", " redis_shop_svc_6379 ,other"));
    JsonNode outbounds =
        PodConversion.dataplane(pod, "default", List.of(), MESH).networking().path("outbound");
    assertThat(outbounds).hasSize(1);
    assertThat(outbounds.get(0).path("address").asText()).isEqualTo("10.96.0.11");
    assertThat(
            PodConversion.dataplane(pod("client-2", Map.of(), Map.of()), "default", List.of(), MESH)
                .networking()
                .path("outbound"))
        .hasSize(2);
  }

  @Test
  void theAdminPortAnnotationIsTheEnvoyAdminPortAndABadOneIsLeftForValidation() {
    Pod pod = pod("web-1", Map.of(), Map.of("kuma.io/envoy-admin-port", "9911"));
    assertThat(
            PodConversion.dataplane(pod, "default", List.of(), MESH)
                .networking()
                .at("/admin/port")
                .asInt())
        .isEqualTo(9911);
    Pod bad = pod("web-2", Map.of(), Map.of("kuma.io/envoy-admin-port", "ninety"));
    assertThat(
            PodConversion.dataplane(bad, "default", List.of(), MESH)
                .networking()
                .at("/admin/port")
                .asText())
        .isEqualTo("ninety");
  }

  @Test
  void aTransparentlyProxiedPodNamesItsRedirectPorts() {
    Pod injected =
        pod(
            "web-1",
            Map.of(),
            Map.of(
                "kuma.io/transparent-proxying", "enabled",
                "kuma.io/transparent-proxying-outbound-port", "15101"));
    JsonNode proxying =
        PodConversion.dataplane(injected, "default", List.of(), MESH)
            .networking()
            .path("transparentProxying");
    assertThat(proxying.path("redirectPortInbound").asInt()).isEqualTo(15006);
    assertThat(proxying.path("redirectPortOutbound").asInt()).isEqualTo(15101);
    Pod plain = pod("web-2", Map.of(), Map.of());
    assertThat(
            PodConversion.dataplane(plain, "default", List.of(), MESH)
                .networking()
                .has("transparentProxying"))
        .isFalse();
  }

  @Test
  void kumasOwnPodLabelsAreSettingsNotTags() {
    Service service =
        service("web", Map.of("app", "web"), port(80, new IntOrString(8080), null, "TCP"));
    JsonNode tags =
        convert(
                pod(
                    "web-1",
                    Map.of(
                        "app", "web", "kuma.io/sidecar-injection", "enabled", "kuma.io/mesh", "m"),
                    Map.of()),
                service)
            .get(0)
            .path("tags");
    assertThat(tags.has("kuma.io/sidecar-injection")).isFalse();
    assertThat(tags.has("kuma.io/mesh")).isFalse();
    assertThat(tags.path("app").asText()).isEqualTo("web");
  }

  private static JsonNode convert(Pod pod, Service... services) {
    return PodConversion.dataplane(pod, "default", List.of(services), List.of())
        .networking()
        .path("inbound");
  }

  private static Pod pod(String name, Map<String, String> labels, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .addNewPort()
        .withName("http")
        .withContainerPort(8080)
        .endPort()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPodIP("10.0.0.5")
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }

  private static Service service(String name, Map<String, String> selector, ServicePort... ports) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withSelector(selector)
        .withPorts(ports)
        .endSpec()
        .build();
  }

  private static ServicePort port(
      int port, IntOrString target, String appProtocol, String protocol) {
    return new ServicePortBuilder()
        .withPort(port)
        .withTargetPort(target)
        .withAppProtocol(appProtocol)
        .withProtocol(protocol)
        .build();
  }
}
