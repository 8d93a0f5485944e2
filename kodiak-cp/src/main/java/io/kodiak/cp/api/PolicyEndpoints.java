package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.policy.core.rules.Shadow;
import io.kodiak.policy.inspect.PolicyInspector;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.mesh.MeshSnapshot;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import java.util.List;

/**
 * Policy inspection: the rules a dataplane gets ({@code _rules}), its proxy-wide policies ({@code
 * _policies}) and the dataplanes a policy selects ({@code _resources/dataplanes}), all computed by
 * the same matcher the generator uses.
 */
final class PolicyEndpoints {
  private final ResourceStore store;
  private final Inspection inspection;
  private final Access access;

  PolicyEndpoints(ResourceStore store, Inspection inspection, Access access) {
    this.store = store;
    this.inspection = inspection;
    this.access = access;
  }

  HttpResponse rules(AggregatedHttpRequest req, String mesh, String name, QueryParams query) {
    access.requireRead(req.headers(), "Dataplanes");
    Resource dataplane = dataplane(mesh, name);
    MeshSnapshot snapshot = inspection.sync().snapshot(mesh);
    Shadow shadow =
        Boolean.parseBoolean(query.get("shadow", "false")) ? Shadow.INCLUDED : Shadow.EXCLUDED;
    return ApiRouter.json(
        HttpStatus.OK,
        PolicyInspector.rules(snapshot, proxy(snapshot, dataplane), dataplane, shadow));
  }

  HttpResponse policies(AggregatedHttpRequest req, String mesh, String name) {
    access.requireRead(req.headers(), "Dataplanes");
    Resource dataplane = dataplane(mesh, name);
    MeshSnapshot snapshot = inspection.sync().snapshot(mesh);
    return ApiRouter.json(
        HttpStatus.OK, PolicyInspector.proxyPolicies(snapshot, proxy(snapshot, dataplane)));
  }

  /** Paged like Kuma: {@code size}, {@code offset} and a {@code name} substring filter. */
  HttpResponse selectedDataplanes(
      AggregatedHttpRequest req, String mesh, ResourceType type, String name, QueryParams query) {
    access.requireRead(req.headers(), type.pluralDisplayName());
    if (!type.isPolicy()) {
      throw new ApiException(
          ApiError.of(
              400,
              "Bad Request",
              type.name()
                  + " is not a policy; "
                  + "_resources/dataplanes lists the dataplanes a policy selects"));
    }
    Resource policy =
        store
            .get(ResourceKey.of(type, mesh, name))
            .orElseThrow(() -> new ResourceNotFoundException(ResourceKey.of(type, mesh, name)));
    MeshSnapshot snapshot = inspection.sync().snapshot(mesh);
    String filter = query.get("name", "");
    List<ProxyModel> selected =
        PolicyInspector.selectedProxies(snapshot, policy).stream()
            .filter(p -> p.name().contains(filter))
            .toList();
    int size = parse(query, "size", 100);
    int offset = parse(query, "offset", 0);
    ObjectNode body = ApiRouter.object();
    body.put("total", selected.size());
    ArrayNode items = body.putArray("items");
    for (ProxyModel proxy : selected.stream().skip(offset).limit(size).toList()) {
      store
          .get(ResourceKey.of(ResourceCatalog.DATAPLANE, mesh, proxy.name()))
          .ifPresent(dp -> items.add(PolicyInspector.meta(dp)));
    }
    if (offset + size < selected.size()) {
      body.put(
          "next",
          "/meshes/"
              + mesh
              + "/"
              + type.path()
              + "/"
              + name
              + "/_resources/dataplanes?offset="
              + (offset + size)
              + "&size="
              + size);
    }
    return ApiRouter.json(HttpStatus.OK, body);
  }

  private static int parse(QueryParams query, String name, int fallback) {
    String value = query.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ApiException(
        ApiError.of(
            400,
            "Bad Request",
            "query parameter " + name + " must be a whole number >= 0, got \"" + value + "\""));
  }

  private Resource dataplane(String mesh, String name) {
    return store
        .get(ResourceKey.of(ResourceCatalog.DATAPLANE, mesh, name))
        .orElseThrow(
            () ->
                new ResourceNotFoundException(
                    ResourceKey.of(ResourceCatalog.DATAPLANE, mesh, name)));
  }

  private static ProxyModel proxy(MeshSnapshot snapshot, Resource dataplane) {
    ProxyModel proxy = snapshot.proxies().get(dataplane.name());
    return proxy != null ? proxy : ProxyModels.fromDataplane(dataplane);
  }
}
