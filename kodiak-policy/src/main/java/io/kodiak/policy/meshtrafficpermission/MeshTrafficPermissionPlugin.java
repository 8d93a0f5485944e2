package io.kodiak.policy.meshtrafficpermission;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.InboundEdits;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MeshTrafficPermission, a plugin of the inbound phase: the permissions that select an inbound
 * become the Envoy RBAC rules of its mutual-TLS chain. Callers are
 * judged by the most specific selection that matches them (MeshServiceSubset over MeshService
 * over MeshSubset over Mesh); among policies naming the same callers, the more specific policy,
 * then the policy merged later (see PolicyOrder), wins. {@code rules[]} denials beat every allow. With no allowing
 * permission, nobody is allowed. Pure and thread-safe.
 */
final class MeshTrafficPermissionPlugin implements PolicyModule.Plugin<JsonNode> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<JsonNode> rules) {
    for (InboundTarget target : resources.inbounds()) {
      List<Resource> selecting = rules.inboundPolicies(target.inbound());
      if (!selecting.isEmpty()) {
        InboundEdits.authorize(resources, target, rulesFor(resources.mesh().mesh(), selecting));
      }
    }
  }

  /** The RBAC rules of the permissions selecting one inbound (in merge order). */
  static RBAC rulesFor(String mesh, List<Resource> selecting) {

    Map<String, Rule> fromRules = new LinkedHashMap<>(); // later (more specific) policies override
    List<Sources> ruleAllows = new ArrayList<>();
    List<Sources> ruleDenies = new ArrayList<>();
    for (Resource policy : selecting) {
      for (JsonNode from : policy.spec().path("from")) {
        Sources sources = Sources.fromTargetRef(mesh, from.path("targetRef"));
        fromRules.put(sources.key(), new Rule(sources, allows(from.path("default").path("action").asText("Deny"))));
      }
      for (JsonNode rule : policy.spec().path("rules")) {
        JsonNode conf = rule.path("default");
        conf.path("allow").forEach(m -> ruleAllows.add(Sources.fromMatch(m)));
        conf.path("allowWithShadowDeny").forEach(m -> ruleAllows.add(Sources.fromMatch(m)));
        conf.path("deny").forEach(m -> ruleDenies.add(Sources.fromMatch(m)));
      }
    }

    RBAC.Builder rbac = RBAC.newBuilder().setAction(RBAC.Action.ALLOW);
    int index = 0;
    for (Rule rule : fromRules.values()) {
      if (!rule.allow()) {
        continue;
      }
      List<Principal> exclusions = new ArrayList<>();
      for (Rule other : fromRules.values()) {
        if (!other.allow() && other.sources().specificity() >= rule.sources().specificity()) {
          exclusions.add(other.sources().principal());
        }
      }
      ruleDenies.forEach(d -> exclusions.add(d.principal()));
      rbac.putPolicies("allow-" + index++, policy(rule.sources().principal(), exclusions));
    }
    for (Sources allow : ruleAllows) {
      List<Principal> exclusions = new ArrayList<>();
      ruleDenies.forEach(d -> exclusions.add(d.principal()));
      rbac.putPolicies("allow-" + index++, policy(allow.principal(), exclusions));
    }
    return rbac.build();
  }

  private static Policy policy(Principal allowed, List<Principal> exclusions) {
    Principal principal = allowed;
    if (!exclusions.isEmpty()) {
      Principal notDenied = Principal.newBuilder().setNotId(exclusions.size() == 1 ? exclusions.get(0)
          : Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(exclusions)).build()).build();
      principal = Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addIds(allowed).addIds(notDenied)).build();
    }
    return Policy.newBuilder().addPermissions(Permission.newBuilder().setAny(true)).addPrincipals(principal).build();
  }

  private static boolean allows(String action) {
    return action.equals("Allow") || action.equals("AllowWithShadowDeny");
  }

  private record Rule(Sources sources, boolean allow) {}
}
