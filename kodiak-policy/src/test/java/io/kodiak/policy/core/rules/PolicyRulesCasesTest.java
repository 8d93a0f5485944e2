package io.kodiak.policy.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Matching and merging, case by case: each {@code src/test/resources/rules/*.yaml} holds
 * Dataplanes, policies of one type, the proxy to look at and what it must get (which policies
 * match, the merged conf and its origins per destination, per inbound port and for the proxy).
 * Origins are written {@code name#index} ({@code #-1} for a top-level default).
 */
class PolicyRulesCasesTest {
  private static final Path CASES = Path.of("src/test/resources/rules");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(CASES)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void rulesAreWhatTheCaseExpects(String file) throws IOException {
    JsonNode spec = Documents.parse(Files.readString(CASES.resolve(file)));
    List<ProxyModel> proxies = new ArrayList<>();
    spec.path("dataplanes")
        .forEach(d -> proxies.add(ProxyModels.fromDataplane(ResourceCodec.decode(d))));
    Map<String, List<Resource>> policies = new HashMap<>();
    spec.path("policies")
        .forEach(
            p -> {
              Resource policy = ResourceCodec.decode(p);
              policies.computeIfAbsent(policy.type().name(), t -> new ArrayList<>()).add(policy);
            });
    MeshSnapshot mesh =
        MeshSnapshot.of("default", proxies, Set.of()).withPolicies(Optional.empty(), policies);
    ProxyModel proxy = mesh.proxies().get(spec.path("proxy").asText());
    String type = spec.path("type").asText();
    PolicyModule<?> module =
        PolicyModules.all().stream()
            .filter(m -> m.type().name().equals(type))
            .findFirst()
            .orElseThrow(() -> new AssertionError(file + ": no module for " + type));
    PolicyRules<?> rules =
        PolicyRules.of(
            module.policies(),
            mesh,
            proxy,
            spec.path("shadow").asBoolean(false) ? Shadow.INCLUDED : Shadow.EXCLUDED);
    JsonNode expect = spec.path("expect");

    if (expect.has("matched")) {
      List<String> names = new ArrayList<>();
      expect.path("matched").forEach(n -> names.add(n.asText()));
      assertThat(rules.matched())
          .as(file + ": matched")
          .extracting(Resource::name)
          .containsExactlyElementsOf(names);
    }
    expect
        .path("to")
        .fields()
        .forEachRemaining(
            e -> assertConf(file + ": to " + e.getKey(), rules.to(e.getKey()), e.getValue()));
    expect
        .path("inbound")
        .fields()
        .forEachRemaining(
            e -> {
              Inbound inbound =
                  proxy.inbounds().stream()
                      .filter(i -> String.valueOf(i.port()).equals(e.getKey()))
                      .findFirst()
                      .orElseThrow();
              assertConf(file + ": inbound " + e.getKey(), rules.inbound(inbound), e.getValue());
            });
    if (expect.has("proxy")) {
      assertConf(file + ": proxy", rules.proxy(), expect.path("proxy"));
    }
    expect
        .path("route")
        .fields()
        .forEachRemaining(
            e ->
                e.getValue()
                    .fields()
                    .forEachRemaining(
                        s ->
                            assertConf(
                                file + ": route " + e.getKey() + " to " + s.getKey(),
                                rules.toRoute(e.getKey(), s.getKey()),
                                s.getValue())));
  }

  private static void assertConf(String what, Conf<?> actual, JsonNode expected) {
    JsonNode conf =
        expected.has("conf") ? expected.path("conf") : JsonNodeFactory.instance.objectNode();
    assertThat((JsonNode) actual.conf()).as(what + " conf").isEqualTo(conf);
    List<String> origins = new ArrayList<>();
    expected.path("origins").forEach(o -> origins.add(o.asText()));
    assertThat(actual.origins())
        .as(what + " origins")
        .extracting(o -> o.policy().name() + "#" + o.index())
        .containsExactlyElementsOf(origins);
  }
}
