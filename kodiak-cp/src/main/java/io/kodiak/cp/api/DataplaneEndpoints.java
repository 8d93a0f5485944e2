package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourcePage;
import io.kodiak.store.api.ResourceStore;
import io.kodiak.xds.envoy.ProtoJson;
import io.kodiak.xds.generate.ProxyConfig;
import io.kodiak.xds.proxy.ProxyModel;
import io.kodiak.xds.proxy.ProxyModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dataplane inspection: overviews with insights ({@code _overview}, legacy {@code
 * dataplanes+insights}), the config the control plane generates ({@code _config}) and the live
 * Envoy config dump ({@code xds}).
 */
final class DataplaneEndpoints {
  private final ResourceStore store;
  private final Inspection inspection;
  private final Access access;
  private final HttpClient admin =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  DataplaneEndpoints(ResourceStore store, Inspection inspection, Access access) {
    this.store = store;
    this.inspection = inspection;
    this.access = access;
  }

  HttpResponse overviews(AggregatedHttpRequest req, String mesh, QueryParams query) {
    access.requireRead(req.headers(), "Dataplanes");
    ListQuery listQuery = ListParams.parse(query, Optional.of(mesh));
    ResourcePage page = store.list(ResourceCatalog.DATAPLANE, listQuery);
    ObjectNode body = ApiRouter.object();
    body.put("total", page.total());
    ArrayNode items = body.putArray("items");
    Map<String, ObjectNode> insights =
        inspection.insights().of(mesh, page.items().stream().map(Resource::name).toList());
    page.items().forEach(dp -> items.add(overview(dp, insights.get(dp.name()))));
    return ApiRouter.json(HttpStatus.OK, body);
  }

  HttpResponse overview(AggregatedHttpRequest req, String mesh, String name) {
    access.requireRead(req.headers(), "Dataplanes");
    Resource dataplane = find(mesh, name);
    return ApiRouter.json(
        HttpStatus.OK,
        overview(dataplane, inspection.insights().of(mesh, List.of(name)).get(name)));
  }

  HttpResponse config(AggregatedHttpRequest req, String mesh, String name) {
    access.requireRead(req.headers(), "Dataplanes");
    find(mesh, name);
    ProxyConfig config =
        inspection
            .sync()
            .preview(mesh, name)
            .orElseThrow(
                () ->
                    new ResourceNotFoundException(
                        ResourceKey.of(ResourceCatalog.DATAPLANE, mesh, name)));
    ObjectNode xds = ApiRouter.object();
    add(xds, "listeners", config.listeners());
    add(xds, "routes", config.routes());
    add(xds, "clusters", config.clusters());
    add(xds, "endpoints", config.endpoints());
    ObjectNode versions = xds.putObject("versions");
    versions
        .put("listeners", config.versions().listeners())
        .put("routes", config.versions().routes())
        .put("clusters", config.versions().clusters())
        .put("endpoints", config.versions().endpoints());
    ObjectNode body = ApiRouter.object();
    body.set("xds", xds);
    return ApiRouter.json(HttpStatus.OK, body);
  }

  /** Relays a read-only Envoy admin page (config_dump, stats, clusters) of a connected proxy. */
  HttpResponse envoyAdmin(AggregatedHttpRequest req, String mesh, String name, String page) {
    access.requireAdmin(req.headers(), "reading a proxy's live Envoy state");
    ProxyModel proxy = ProxyModels.fromDataplane(find(mesh, name));
    if (!inspection.lifecycle().isConnected(mesh, name)) {
      throw new ApiException(
          ApiError.of(409, "Conflict", "proxy " + mesh + "." + name + " is not connected"));
    }
    String host = isLoopback(proxy.address()) ? "127.0.0.1" : proxy.address();
    URI uri = URI.create("http://" + host + ":" + proxy.adminPort() + "/" + page);
    try {
      var res =
          admin.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      MediaType type =
          page.startsWith("config_dump") || page.contains("format=json")
              ? MediaType.JSON_UTF_8
              : MediaType.PLAIN_TEXT_UTF_8;
      return HttpResponse.of(HttpStatus.valueOf(res.statusCode()), type, res.body());
    } catch (IOException e) {
      throw new ApiException(
          ApiError.of(
              502,
              "Bad Gateway",
              "cannot reach the Envoy admin of "
                  + mesh
                  + "."
                  + name
                  + " at "
                  + uri
                  + ": "
                  + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(ApiError.of(503, "Service Unavailable", "interrupted"));
    }
  }

  private ObjectNode overview(Resource dataplane, ObjectNode insight) {
    ObjectNode encoded = ResourceCodec.encode(dataplane);
    ObjectNode out = ApiRouter.object();
    out.put("type", "DataplaneOverview");
    for (String field : List.of("mesh", "name", "creationTime", "modificationTime", "labels")) {
      if (encoded.has(field)) {
        out.set(field, encoded.get(field));
      }
    }
    ObjectNode spec = dataplane.spec().deepCopy();
    out.set("dataplane", spec);
    out.set("dataplaneInsight", insight);
    return out;
  }

  private Resource find(String mesh, String name) {
    ResourceKey key = ResourceKey.of(ResourceCatalog.DATAPLANE, mesh, name);
    return store.get(key).orElseThrow(() -> new ResourceNotFoundException(key));
  }

  private static void add(ObjectNode out, String field, List<? extends Message> resources) {
    ArrayNode list = out.putArray(field);
    for (var resource : resources) {
      JsonNode json = Documents.parse(ProtoJson.print(resource));
      list.add(json);
    }
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("localhost");
  }
}
