package io.kodiak.policy.golden;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.validation.Violations;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.testing.PolicyCases;
import io.kodiak.xds.mesh.MeshMtls;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyIdentity;
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

/**
 * One golden case: the shared mesh ({@code golden/mesh.yaml}) with the case's policies (each must
 * be valid), for the proxy it names.
 */
record GoldenCase(String name, MeshSnapshot mesh, ProxyModel proxy, boolean mtls) {
  static final Path DIR = Path.of("src/test/resources/golden");
  static final MeshMtls MTLS =
      new MeshMtls("default", MeshMtls.Mode.STRICT, List.of("placeholder CA"));
  static final ProxyIdentity IDENTITY =
      new ProxyIdentity("placeholder certificate", "placeholder key");

  /** Each policy's cases, from its own folder ({@code <package>/golden/}), and the stock mesh's. */
  static Stream<Path> files() {
    List<Path> all = new ArrayList<>(PolicyCases.all("golden", ".yaml"));
    all.add(DIR.resolve("stock-mesh.yaml"));
    return all.stream();
  }

  /**
   * @param extraDataplanes more Dataplanes (YAML) in the mesh besides {@code mesh.yaml}'s
   */
  static GoldenCase load(Path file, String extraDataplanes) throws IOException {
    String name = file.getFileName().toString().replace(".yaml", "");
    List<ProxyModel> proxies = new ArrayList<>();
    String dataplanes = Files.readString(DIR.resolve("mesh.yaml")) + "\n---\n" + extraDataplanes;
    for (JsonNode doc : Documents.parseAll(dataplanes)) {
      if (doc.isObject()) {
        proxies.add(ProxyModels.fromDataplane(ResourceCodec.decode(doc)));
      }
    }
    JsonNode spec = Documents.parse(Files.readString(file));
    Map<String, List<Resource>> policies = new HashMap<>();
    for (JsonNode doc : spec.path("policies")) {
      Resource policy = ResourceCodec.decode(doc);
      Violations violations = new Violations();
      var validator = PolicyModules.validators().get(policy.type());
      if (validator != null) {
        validator.validate(policy, violations);
      }
      assertThat(violations.list()).as(name + ": " + policy.name() + " must be valid").isEmpty();
      policies.computeIfAbsent(policy.type().name(), t -> new ArrayList<>()).add(policy);
    }
    boolean mtls = spec.path("mtls").asText().equals("Strict");
    MeshSnapshot mesh =
        MeshSnapshot.of("default", proxies, Set.of())
            .withPolicies(mtls ? Optional.of(MTLS) : Optional.empty(), policies);
    return new GoldenCase(name, mesh, mesh.proxies().get(spec.path("proxy").asText()), mtls);
  }

  Optional<ProxyIdentity> identity() {
    return mtls ? Optional.of(IDENTITY) : Optional.empty();
  }
}
