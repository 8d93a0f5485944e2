package io.kodiak.policy.meshtrafficpermission;

import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Entry;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.xds.generate.InboundEdits;
import io.kodiak.xds.generate.ProxyResources;
import io.kodiak.xds.generate.ProxyResources.InboundTarget;
import io.kodiak.xds.proxy.Inbound;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MeshTrafficPermission, a plugin of the inbound phase: the permissions that select an inbound
 * become the Envoy RBAC rules of its mutual-TLS chain. Callers are judged by the most specific
 * selection that matches them (MeshServiceSubset over MeshService over MeshSubset over Mesh); among
 * policies naming the same callers, the more specific policy, then the policy merged later (see
 * PolicyOrder), wins. {@code rules[]} denials beat every allow. With no allowing permission, nobody
 * is allowed. Pure and thread-safe.
 */
final class MeshTrafficPermissionPlugin implements PolicyModule.Plugin<MeshTrafficPermissionConf> {
  @Override
  public void apply(ProxyResources resources, PolicyRules<MeshTrafficPermissionConf> rules) {
    for (InboundTarget target : resources.inbounds()) {
      Inbound inbound = target.inbound();
      if (!rules.inboundPolicies(inbound).isEmpty()) {
        InboundEdits.authorize(
            resources,
            target,
            rulesFor(
                resources.mesh().mesh(), rules.fromEntries(inbound), rules.ruleEntries(inbound)));
      }
    }
  }

  /**
   * The RBAC rules of the permissions selecting one inbound: their {@code from[]} and {@code
   * rules[]} items, each in merge order.
   */
  static RBAC rulesFor(
      String mesh,
      List<Entry<MeshTrafficPermissionConf>> from,
      List<Entry<MeshTrafficPermissionConf>> rules) {
    Map<String, Rule> fromRules = new LinkedHashMap<>(); // later (more specific) policies override
    for (Entry<MeshTrafficPermissionConf> item : from) {
      Sources sources = Sources.fromTargetRef(mesh, item.targetRef());
      fromRules.put(sources.key(), new Rule(sources, allows(item.conf().action())));
    }
    List<Sources> ruleAllows = new ArrayList<>();
    List<Sources> ruleDenies = new ArrayList<>();
    for (Entry<MeshTrafficPermissionConf> rule : rules) {
      MeshTrafficPermissionConf conf = rule.conf();
      conf.allowOrEmpty().forEach(m -> ruleAllows.add(Sources.fromMatch(m)));
      conf.allowWithShadowDenyOrEmpty().forEach(m -> ruleAllows.add(Sources.fromMatch(m)));
      conf.denyOrEmpty().forEach(m -> ruleDenies.add(Sources.fromMatch(m)));
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
      Principal notDenied =
          Principal.newBuilder()
              .setNotId(
                  exclusions.size() == 1
                      ? exclusions.get(0)
                      : Principal.newBuilder()
                          .setOrIds(Principal.Set.newBuilder().addAllIds(exclusions))
                          .build())
              .build();
      principal =
          Principal.newBuilder()
              .setAndIds(Principal.Set.newBuilder().addIds(allowed).addIds(notDenied))
              .build();
    }
    return Policy.newBuilder()
        .addPermissions(Permission.newBuilder().setAny(true))
        .addPrincipals(principal)
        .build();
  }

  /** An unset action denies. */
  private static boolean allows(String action) {
    return "Allow".equals(action) || "AllowWithShadowDeny".equals(action);
  }

  private record Rule(Sources sources, boolean allow) {}
}
