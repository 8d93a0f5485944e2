package io.kodiak.policy.meshproxypatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.Origin;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.ProxyResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MeshProxyPatch, applied last: every {@code appendModifications} item of the merged policies, in
 * order. A modification that cannot apply to this proxy (a JSON patch whose path is not there, say)
 * is skipped with a log line naming the policy, so one bad patch never costs the proxy the rest of
 * its config.
 */
final class MeshProxyPatchPlugin implements PolicyModule.Plugin<JsonNode> {
  private static final Logger LOG = LoggerFactory.getLogger(MeshProxyPatchPlugin.class);

  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    if (rules.matched().isEmpty()) {
      return;
    }
    Conf<JsonNode> conf = rules.proxy();
    String policies =
        String.join(",", conf.origins().stream().map(Origin::policy).map(p -> p.name()).toList());
    int index = 0;
    for (JsonNode modification : conf.conf().path("appendModifications")) {
      try {
        Modifications.apply(resources, modification);
      } catch (Exception e) {
        LOG.warn(
            "proxy patch: modification {} from MeshProxyPatch {} skipped for {}: {}",
            index,
            policies,
            resources.proxy().nodeId(),
            e.getMessage());
      }
      index++;
    }
  }
}
