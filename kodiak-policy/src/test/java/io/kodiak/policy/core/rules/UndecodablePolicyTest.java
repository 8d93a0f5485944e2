package io.kodiak.policy.core.rules;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.PolicyModules;
import io.kodiak.xds.generate.ProxyConfigGenerator;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A stored policy that does not decode (written by an older version, say; validation refuses it
 * today) is never silently left out: leaving out a Deny would open a door. Generation from such a
 * snapshot fails, naming the policy, so the mesh's proxies keep their last config.
 */
class UndecodablePolicyTest {
  @Test
  void generationRefusesASnapshotWithAPolicyThatDoesNotDecode() {
    ProxyModel web =
        ProxyModels.fromDataplane(
            ResourceCodec.decode(
                Documents.parse(
                    "type: Dataplane\nmesh: default\nname: web-1\nnetworking:\n  address: 127.0.0.1\n  inbound:\n"
                        + "    - port: 20001\n      servicePort: 8080\n      tags: {kuma.io/service: web}\n")));
    Resource stored =
        ResourceCodec.decode(
            Documents.parse(
                "type: MeshTrafficPermission\nmesh: default\nname: deny-evil\nspec:\n  targetRef: {kind: Mesh}\n  from:\n"
                    + "    - targetRef: {kind: MeshService, name: evil}\n      default: {action: Deny}\n"));
    ObjectNode spec = stored.spec().deepCopy();
    ((ObjectNode) spec.path("from").get(0).path("default"))
        .put("since", "v9"); // a field this version does not know
    Resource deny = new Resource(stored.key(), stored.meta(), spec);
    MeshSnapshot mesh =
        MeshSnapshot.of("default", List.of(web), Set.of())
            .withPolicies(Optional.empty(), Map.of("MeshTrafficPermission", List.of(deny)));
    assertThatThrownBy(() -> new ProxyConfigGenerator(PolicyModules.plugins()).generate(mesh, web))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MeshTrafficPermission default/deny-evil does not decode");
  }
}
