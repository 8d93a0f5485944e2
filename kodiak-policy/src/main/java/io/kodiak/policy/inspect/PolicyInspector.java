package io.kodiak.policy.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.core.Resource;
import io.kodiak.policy.PolicyModules;
import io.kodiak.policy.core.TargetRefKind;
import io.kodiak.policy.core.module.PolicyModule;
import io.kodiak.policy.core.rules.Conf;
import io.kodiak.policy.core.rules.Entry;
import io.kodiak.policy.core.rules.Origin;
import io.kodiak.policy.core.rules.PolicyRules;
import io.kodiak.policy.core.rules.RouteRules;
import io.kodiak.policy.core.rules.Selection;
import io.kodiak.policy.core.rules.Shadow;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.Inbound;
import io.kodiak.xds.proxy.Outbound;
import io.kodiak.xds.proxy.ProxyModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The inspect API's view of policies, computed by the same {@link PolicyRules} the plugins use: the
 * rules a proxy gets ({@code _rules}), its proxy-wide policies ({@code _policies}) and the proxies
 * a policy selects ({@code _resources/dataplanes}). Each rule also says which policy set each value
 * ({@code valueOrigins}), so an operator can tell why Envoy got what it got.
 */
public final class PolicyInspector {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private PolicyInspector() {}

  /** {@code GET /meshes/{m}/dataplanes/{name}/_rules} (Kuma's InspectRules). */
  public static ObjectNode rules(
      MeshSnapshot mesh, ProxyModel proxy, Resource dataplane, Shadow shadow) {
    ObjectNode out = JSON.objectNode();
    out.set("resource", meta(dataplane));
    ArrayNode list = out.putArray("rules");
    for (PolicyModule<?> module : PolicyModules.all()) {
      if (mesh.policies(module.type().name()).isEmpty()) {
        continue;
      }
      PolicyRules<?> rules = PolicyRules.of(module.policies(), mesh, proxy, shadow);
      if (rules.matched().isEmpty()) {
        continue;
      }
      list.add(rule(module, rules, mesh, proxy));
    }
    out.putArray("httpMatches");
    return out;
  }

  private static <C> ObjectNode rule(
      PolicyModule<?> module, PolicyRules<C> rules, MeshSnapshot mesh, ProxyModel proxy) {
    String type = module.type().name();
    ObjectNode out = JSON.objectNode().put("type", type);
    ArrayNode warnings = JSON.arrayNode();
    boolean routes = module.inspection().routeRules();
    if (rules.matched().stream().anyMatch(p -> p.spec().has("default"))) {
      Conf<C> conf = rules.proxy();
      ObjectNode proxyRule = out.putObject("proxyRule");
      proxyRule.set("conf", conf.conf().deepCopy());
      proxyRule.set("origin", origins(conf));
      proxyRule.set("valueOrigins", valueOrigins(conf));
    }
    ArrayNode toRules = out.putArray("toRules");
    Set<String> services = new LinkedHashSet<>();
    proxy.outbounds().stream().map(Outbound::service).forEach(services::add);
    for (String service : services) {
      List<Entry<C>> entries = rules.toEntries(service);
      if (entries.isEmpty()) {
        continue;
      }
      ObjectNode rule = toRules.addObject();
      rule.putArray("matchers")
          .addObject()
          .put("key", "kuma.io/service")
          .put("value", service)
          .put("not", false);
      if (routes) {
        rule.set("conf", routeConf(entries));
        ArrayNode origin = rule.putArray("origin");
        entries.stream().map(Entry::policy).distinct().forEach(p -> origin.add(meta(p)));
      } else {
        Conf<C> conf = rules.to(service);
        rule.set("conf", conf.conf().deepCopy());
        rule.set("origin", origins(conf));
        rule.set("valueOrigins", valueOrigins(conf));
      }
    }
    ArrayNode fromRules = out.putArray("fromRules");
    ArrayNode inboundRules = out.putArray("inboundRules");
    for (Inbound inbound : proxy.inbounds()) {
      Map<String, PolicyRules.FromSource<C>> sources = rules.fromSources(inbound);
      if (!sources.isEmpty()) {
        ObjectNode from = fromRules.addObject();
        from.set("inbound", inbound(inbound));
        ArrayNode list = from.putArray("rules");
        for (PolicyRules.FromSource<C> source : sources.values()) {
          ObjectNode rule = list.addObject();
          rule.set("matchers", matchers(source.targetRef()));
          rule.set("conf", source.conf().conf().deepCopy());
          rule.set("origin", origins(source.conf()));
          rule.set("valueOrigins", valueOrigins(source.conf()));
          if (!source.targetRef().isMissingNode()
              && !module.inspection().appliesSpecificCallers()) {
            warnings.add(
                "from[] entries naming specific callers ("
                    + source.targetRef().path("kind").asText()
                    + ") are shown but not yet applied to Envoy for "
                    + type
                    + "; use kind Mesh");
          }
        }
      }
      Conf<C> effective = rules.inbound(inbound);
      if (!effective.isEmpty()) {
        ObjectNode entry = inboundRules.addObject();
        entry.set("inbound", inbound(inbound));
        ObjectNode rule = entry.putArray("rules").addObject();
        rule.putArray("conf").add(effective.conf().deepCopy());
        ArrayNode origin = rule.putArray("origin");
        for (Origin o : effective.origins()) {
          origin
              .addObject()
              .<ObjectNode>set("resourceMeta", meta(o.policy()))
              .put("ruleIndex", o.index());
        }
        rule.set("valueOrigins", valueOrigins(effective));
      }
    }
    if (module.inspection().needsMtls() && mesh.mtls().isEmpty()) {
      warnings.add("mTLS is not enabled on mesh " + mesh.mesh() + ": this policy has no effect");
    }
    if (!warnings.isEmpty()) {
      out.set("warnings", warnings);
    }
    return out;
  }

  /** For route policies: the merged rules in the order Envoy matches them. */
  private static ObjectNode routeConf(List<? extends Entry<?>> entries) {
    ObjectNode conf = JSON.objectNode();
    ArrayNode list = conf.putArray("rules");
    for (RouteRules.MatchRule rule : RouteRules.of(entries)) {
      ObjectNode item = list.addObject();
      if (rule.match().size() > 0) {
        item.putArray("matches").add(rule.match().deepCopy());
      }
      item.set("default", rule.conf().deepCopy());
      item.put("policy", rule.policy());
    }
    return conf;
  }

  /** {@code GET /meshes/{m}/dataplanes/{name}/_policies}: proxy-wide confs (top-level default). */
  public static ObjectNode proxyPolicies(MeshSnapshot mesh, ProxyModel proxy) {
    ObjectNode out = JSON.objectNode();
    ArrayNode list = out.putArray("policies");
    for (PolicyModule<?> module : PolicyModules.all()) {
      if (mesh.policies(module.type().name()).isEmpty()) {
        continue;
      }
      PolicyRules<?> rules = PolicyRules.of(module.policies(), mesh, proxy);
      if (rules.matched().stream().noneMatch(p -> p.spec().has("default"))) {
        continue;
      }
      Conf<?> conf = rules.proxy();
      ObjectNode item = list.addObject().put("kind", module.type().name());
      item.set("conf", conf.conf().deepCopy());
      ArrayNode origins = item.putArray("origins");
      conf.origins().stream()
          .map(Origin::policy)
          .distinct()
          .forEach(p -> origins.addObject().put("kri", Kri.of(p)));
    }
    return out;
  }

  /**
   * The proxies a policy's top-level targetRef selects (for a MeshHTTPRoute target: the route's),
   * by name.
   */
  public static List<ProxyModel> selectedProxies(MeshSnapshot mesh, Resource policy) {
    JsonNode ref = policy.spec().path("targetRef");
    List<ProxyModel> out = new ArrayList<>();
    for (ProxyModel proxy :
        mesh.proxies().values().stream().sorted(Comparator.comparing(ProxyModel::name)).toList()) {
      boolean selected;
      if (Selection.kind(ref) == TargetRefKind.MESH_HTTP_ROUTE) {
        String route = ref.path("name").asText();
        selected =
            mesh.policies(ResourceCatalog.MESH_HTTP_ROUTE.name()).stream()
                .anyMatch(
                    r ->
                        r.name().equals(route)
                            && Selection.selectsProxy(r.spec().path("targetRef"), proxy));
      } else {
        selected = Selection.selectsProxy(ref, proxy);
      }
      if (selected) {
        out.add(proxy);
      }
    }
    return out;
  }

  public static ObjectNode meta(Resource resource) {
    ObjectNode meta =
        JSON.objectNode()
            .put("type", resource.type().name())
            .put("mesh", resource.mesh())
            .put("name", resource.name())
            .put("kri", Kri.of(resource));
    ObjectNode labels = meta.putObject("labels");
    resource.meta().labels().forEach(labels::put);
    return meta;
  }

  private static ArrayNode origins(Conf<?> conf) {
    ArrayNode out = JSON.arrayNode();
    conf.origins().stream().map(Origin::policy).distinct().forEach(p -> out.add(meta(p)));
    return out;
  }

  private static ObjectNode valueOrigins(Conf<?> conf) {
    ObjectNode out = JSON.objectNode();
    conf.setBy().forEach((path, origin) -> out.put(path, origin.policy().name()));
    return out;
  }

  private static ObjectNode inbound(Inbound inbound) {
    ObjectNode out = JSON.objectNode().put("port", inbound.port());
    ObjectNode tags = out.putObject("tags");
    inbound.tags().forEach(tags::put);
    return out;
  }

  private static ArrayNode matchers(JsonNode targetRef) {
    ArrayNode out = JSON.arrayNode();
    if (targetRef.isMissingNode()) {
      return out;
    }
    String name = targetRef.path("name").asText("");
    if (!name.isEmpty()) {
      out.addObject().put("key", "kuma.io/service").put("value", name).put("not", false);
    }
    targetRef
        .path("tags")
        .fields()
        .forEachRemaining(
            t ->
                out.addObject()
                    .put("key", t.getKey())
                    .put("value", t.getValue().asText())
                    .put("not", false));
    return out;
  }
}
