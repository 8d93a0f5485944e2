package io.kodiak.policy.meshproxypatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.kodiak.policy.core.envoy.Hcms;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.generate.ProxyResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One {@code appendModifications} item applied to a proxy's resources. */
final class Modifications {
  private Modifications() {}

  static void apply(ProxyResources resources, JsonNode modification)
      throws InvalidProtocolBufferException {
    if (modification.has("cluster")) {
      cluster(resources, modification.path("cluster"));
    } else if (modification.has("listener")) {
      listener(resources, modification.path("listener"));
    } else if (modification.has("networkFilter")) {
      networkFilter(resources, modification.path("networkFilter"));
    } else if (modification.has("httpFilter")) {
      httpFilter(resources, modification.path("httpFilter"));
    } else if (modification.has("virtualHost")) {
      virtualHost(resources, modification.path("virtualHost"));
    }
  }

  private static void cluster(ProxyResources resources, JsonNode mod)
      throws InvalidProtocolBufferException {
    String op = mod.path("operation").asText();
    if (op.equals("Add")) {
      resources.cluster(PatchValues.parse(mod.path("value").asText(), Cluster.newBuilder()));
      return;
    }
    JsonNode match = mod.path("match");
    for (Cluster cluster : List.copyOf(resources.clusters().values())) {
      String origin = resources.serviceOf(cluster.getName()).isPresent() ? "outbound" : "inbound";
      if (!matches(match, "name", cluster.getName()) || !matches(match, "origin", origin)) {
        continue;
      }
      if (op.equals("Remove")) {
        resources.removeCluster(cluster.getName());
      } else {
        resources.cluster(PatchValues.patch(cluster, mod));
      }
    }
  }

  private static void listener(ProxyResources resources, JsonNode mod)
      throws InvalidProtocolBufferException {
    String op = mod.path("operation").asText();
    if (op.equals("Add")) {
      resources.listener(PatchValues.parse(mod.path("value").asText(), Listener.newBuilder()));
      return;
    }
    for (Listener listener : selectedListeners(resources, mod.path("match"), "name", "tags")) {
      if (op.equals("Remove")) {
        resources.listeners().remove(listener.getName());
      } else {
        resources.listener(PatchValues.patch(listener, mod));
      }
    }
  }

  private static void networkFilter(ProxyResources resources, JsonNode mod)
      throws InvalidProtocolBufferException {
    String op = mod.path("operation").asText();
    JsonNode match = mod.path("match");
    Filter added =
        op.startsWith("Add")
            ? PatchValues.parse(mod.path("value").asText(), Filter.newBuilder())
            : null;
    for (Listener listener : selectedListeners(resources, match, "listenerName", "listenerTags")) {
      Listener.Builder out = listener.toBuilder();
      for (int c = 0; c < out.getFilterChainsCount(); c++) {
        FilterChain.Builder chain = out.getFilterChains(c).toBuilder();
        List<Filter> filters = edit(chain.getFiltersList(), op, match, added, Filter::getName, mod);
        out.setFilterChains(c, chain.clearFilters().addAllFilters(filters));
      }
      resources.listener(out.build());
    }
  }

  private static void httpFilter(ProxyResources resources, JsonNode mod)
      throws InvalidProtocolBufferException {
    String op = mod.path("operation").asText();
    JsonNode match = mod.path("match");
    HttpFilter added =
        op.startsWith("Add")
            ? PatchValues.parse(mod.path("value").asText(), HttpFilter.newBuilder())
            : null;
    for (Listener listener : selectedListeners(resources, match, "listenerName", "listenerTags")) {
      InvalidProtocolBufferException[] failure = new InvalidProtocolBufferException[1];
      Listener edited =
          Hcms.editHcm(
              listener,
              hcm -> {
                try {
                  List<HttpFilter> filters =
                      edit(hcm.getHttpFiltersList(), op, match, added, HttpFilter::getName, mod);
                  return hcm.toBuilder()
                      .clearHttpFilters()
                      .addAllHttpFilters(routerLast(filters))
                      .build();
                } catch (InvalidProtocolBufferException e) {
                  failure[0] = e;
                  return hcm;
                }
              });
      if (failure[0] != null) {
        throw failure[0];
      }
      resources.listener(edited);
    }
  }

  /** The router must stay last ("AddLast" means last before the router). */
  private static List<HttpFilter> routerLast(List<HttpFilter> filters) {
    List<HttpFilter> out = new ArrayList<>(filters);
    List<HttpFilter> routers =
        out.stream().filter(f -> f.getName().equals(EnvoyNames.ROUTER_FILTER)).toList();
    out.removeAll(routers);
    out.addAll(routers);
    return out;
  }

  private static void virtualHost(ProxyResources resources, JsonNode mod)
      throws InvalidProtocolBufferException {
    String op = mod.path("operation").asText();
    JsonNode match = mod.path("match");
    VirtualHost added =
        op.equals("Add")
            ? PatchValues.parse(mod.path("value").asText(), VirtualHost.newBuilder())
            : null;
    for (RouteConfiguration config : List.copyOf(resources.routes().values())) {
      String origin = config.getName().startsWith("inbound:") ? "inbound" : "outbound";
      if (!matches(match, "routeConfigurationName", config.getName())
          || !matches(match, "origin", origin)) {
        continue;
      }
      RouteConfiguration.Builder out = config.toBuilder();
      if (added != null) {
        out.addVirtualHosts(added);
      } else {
        List<VirtualHost> hosts = new ArrayList<>();
        for (VirtualHost host : config.getVirtualHostsList()) {
          if (!matches(match, "name", host.getName())) {
            hosts.add(host);
          } else if (!op.equals("Remove")) {
            hosts.add(PatchValues.patch(host, mod));
          }
        }
        out.clearVirtualHosts().addAllVirtualHosts(hosts);
      }
      resources.route(out.build());
    }
  }

  private interface Named<T> {
    String name(T item);
  }

  /**
   * AddFirst, AddLast, AddBefore, AddAfter (relative to the filter named by match.name), Remove,
   * Patch.
   */
  private static <T extends Message> List<T> edit(
      List<T> items, String op, JsonNode match, T added, Named<T> named, JsonNode mod)
      throws InvalidProtocolBufferException {
    List<T> out = new ArrayList<>();
    String name = match.path("name").asText(null);
    switch (op) {
      case "AddFirst" -> {
        out.add(added);
        out.addAll(items);
        return out;
      }
      case "AddLast" -> {
        out.addAll(items);
        out.add(added);
        return out;
      }
      default -> {}
    }
    for (T item : items) {
      boolean hit = name == null || name.equals(named.name(item));
      if (!hit) {
        out.add(item);
        continue;
      }
      switch (op) {
        case "AddBefore" -> {
          out.add(added);
          out.add(item);
        }
        case "AddAfter" -> {
          out.add(item);
          out.add(added);
        }
        case "Remove" -> {}
        case "Patch" -> out.add(PatchValues.patch(item, mod));
        default -> out.add(item);
      }
    }
    return out;
  }

  /** Listeners matching a match block: a name, an origin (inbound/outbound) and inbound tags. */
  private static List<Listener> selectedListeners(
      ProxyResources resources, JsonNode match, String nameField, String tagsField) {
    List<Listener> out = new ArrayList<>();
    for (Listener listener : List.copyOf(resources.listeners().values())) {
      String origin =
          listener.getTrafficDirection() == TrafficDirection.INBOUND ? "inbound" : "outbound";
      if (!matches(match, nameField, listener.getName()) || !matches(match, "origin", origin)) {
        continue;
      }
      if (match.has(tagsField)
          && !tagsMatch(resources, listener.getName(), match.path(tagsField))) {
        continue;
      }
      out.add(listener);
    }
    return out;
  }

  private static boolean tagsMatch(ProxyResources resources, String listener, JsonNode wanted) {
    for (var target : resources.inbounds()) {
      if (target.listener().equals(listener)) {
        Map<String, String> tags = target.inbound().tags();
        boolean all = true;
        var it = wanted.fields();
        while (it.hasNext()) {
          var tag = it.next();
          all &= tag.getValue().asText().equals(tags.get(tag.getKey()));
        }
        return all;
      }
    }
    return false;
  }

  private static boolean matches(JsonNode match, String field, String actual) {
    return !match.has(field) || match.path(field).asText().equals(actual);
  }
}
