package io.kodiak.policy.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.testing.PolicyCases;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.Outbound;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a plugin reads (the typed merge of decoded blocks) is what the inspect API shows (the JSON
 * merge of the same blocks): for every golden and rules case, every proxy, every typed policy and
 * every rule (proxy, each destination, each inbound), decoding the shown JSON gives the plugin's
 * value.
 */
class TypedConfMatchesInspectTest {
  static Stream<Path> cases() throws IOException {
    List<Path> all = new ArrayList<>(PolicyCases.all("golden", ".yaml"));
    for (Path dir :
        List.of(Path.of("src/test/resources/golden"), Path.of("src/test/resources/rules"))) {
      try (Stream<Path> files = Files.list(dir)) {
        files
            .filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("mesh.yaml"))
            .sorted()
            .forEach(all::add);
      }
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void typedValuesAreTheDecodedInspectView(Path file) throws IOException {
    JsonNode spec = Documents.parse(Files.readString(file));
    List<JsonNode> dataplanes = new ArrayList<>();
    spec.path("dataplanes").forEach(dataplanes::add);
    if (dataplanes.isEmpty()) {
      dataplanes.addAll(
          Documents.parseAll(Files.readString(Path.of("src/test/resources/golden/mesh.yaml"))));
    }
    List<ProxyModel> proxies =
        dataplanes.stream().map(d -> ProxyModels.fromDataplane(ResourceCodec.decode(d))).toList();
    Map<String, List<Resource>> policies = new HashMap<>();
    spec.path("policies")
        .forEach(
            p -> {
              Resource policy = ResourceCodec.decode(p);
              policies.computeIfAbsent(policy.type().name(), t -> new ArrayList<>()).add(policy);
            });
    MeshSnapshot mesh =
        MeshSnapshot.of("default", proxies, Set.of()).withPolicies(Optional.empty(), policies);
    int checked = 0;
    for (PolicyModule<?> module : PolicyModules.all()) {
      Optional<Class<?>> record = module.policies().conf().recordType();
      if (record.isEmpty() || !policies.containsKey(module.type().name())) {
        continue;
      }
      for (ProxyModel proxy : mesh.proxies().values()) {
        PolicyRules<?> rules = PolicyRules.of(module.policies(), mesh, proxy);
        List<Conf<?>> confs = new ArrayList<>();
        confs.add(rules.proxy());
        proxy.outbounds().stream().map(Outbound::service).forEach(s -> confs.add(rules.to(s)));
        proxy.inbounds().forEach((Inbound in) -> confs.add(rules.inbound(in)));
        for (Conf<?> conf : confs) {
          assertThat(conf.value())
              .as(file.getFileName() + ": " + module.type().name() + " for " + proxy.name())
              .isEqualTo(SpecMapper.decode(conf.conf(), record.get()));
          checked++;
        }
      }
    }
    CHECKED.addAndGet(checked);
  }

  /** Rules compared over all cases: the typed policies' cases must have given some. */
  private static final AtomicInteger CHECKED = new AtomicInteger();

  @AfterAll
  static void someTypedRulesWereCompared() {
    assertThat(CHECKED.get()).as("typed rules compared across the cases").isPositive();
  }
}
