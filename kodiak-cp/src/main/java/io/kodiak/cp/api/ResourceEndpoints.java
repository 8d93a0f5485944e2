package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import io.kodiak.cp.resources.ResourceManager;
import io.kodiak.cp.resources.ResourceManager.PutResult;
import io.kodiak.model.catalog.ReadAccess;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.ResourceCodec;
import io.kodiak.model.core.Resource;
import io.kodiak.model.core.ResourceKey;
import io.kodiak.model.validation.Violation;
import io.kodiak.store.api.ListQuery;
import io.kodiak.store.api.ResourceNotFoundException;
import io.kodiak.store.api.ResourcePage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** List, get, create-or-update and delete for every resource type. */
final class ResourceEndpoints {
  private final ResourceManager manager;
  private final Access access;

  ResourceEndpoints(ResourceManager manager, Access access) {
    this.manager = manager;
    this.access = access;
  }

  HttpResponse list(
      AggregatedHttpRequest req, ResourceType type, Optional<String> mesh, QueryParams query) {
    checkRead(req, type);
    ListQuery listQuery = ListParams.parse(query, mesh);
    ResourcePage page = manager.store().list(type, listQuery);
    ObjectNode body = ApiRouter.object();
    body.put("total", page.total());
    ArrayNode items = body.putArray("items");
    page.items().forEach(r -> items.add(ResourceCodec.encode(r)));
    int nextOffset = listQuery.offset() + page.items().size();
    if (nextOffset < page.total()) {
      body.put("next", nextUrl(req, query, nextOffset, listQuery.size()));
    }
    return ApiRouter.json(HttpStatus.OK, body);
  }

  HttpResponse get(AggregatedHttpRequest req, ResourceType type, String mesh, String name) {
    checkRead(req, type);
    ResourceKey key = ResourceKey.of(type, mesh, name);
    Resource resource =
        manager.store().get(key).orElseThrow(() -> new ResourceNotFoundException(key));
    return ApiRouter.json(HttpStatus.OK, ResourceCodec.encode(resource));
  }

  HttpResponse put(
      AggregatedHttpRequest req, ResourceType type, String mesh, String name, JsonNode body) {
    access.requireAdmin(req.headers(), "writing a " + type.name());
    PutResult result = manager.put(type, mesh, name, body, ifMatch(req));
    ObjectNode out = ApiRouter.object();
    out.putArray("warnings");
    return ApiRouter.json(result.created() ? HttpStatus.CREATED : HttpStatus.OK, out);
  }

  HttpResponse delete(AggregatedHttpRequest req, ResourceType type, String mesh, String name) {
    access.requireAdmin(req.headers(), "deleting a " + type.name());
    manager.delete(ResourceKey.of(type, mesh, name));
    return ApiRouter.json(HttpStatus.OK, ApiRouter.object());
  }

  private void checkRead(AggregatedHttpRequest req, ResourceType type) {
    if (type.readAccess() == ReadAccess.ADMIN_ONLY) {
      access.requireAdmin(req.headers(), "reading " + type.pluralDisplayName());
    } else {
      access.requireRead(req.headers(), type.pluralDisplayName());
    }
  }

  private static OptionalLong ifMatch(AggregatedHttpRequest req) {
    String value = req.headers().get(HttpHeaderNames.IF_MATCH);
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.replace("\"", "").trim()));
    } catch (NumberFormatException e) {
      throw new ApiException(
          new ApiError(
              400,
              "Bad Request",
              "Invalid headers",
              List.of(new Violation("If-Match", "must be the resource version, a number")),
              "header"));
    }
  }

  private static String nextUrl(
      AggregatedHttpRequest req, QueryParams query, int offset, int size) {
    StringBuilder url = new StringBuilder();
    String authority = req.headers().authority();
    url.append(req.scheme() == null ? "http" : req.scheme())
        .append("://")
        .append(authority == null ? "localhost" : authority)
        .append(req.path().split("\\?")[0]);
    QueryParams next =
        query.toBuilder()
            .set("offset", String.valueOf(offset))
            .set("size", String.valueOf(size))
            .build();
    url.append('?');
    boolean first = true;
    for (String name : next.names()) {
      url.append(first ? "" : "&")
          .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(next.get(name), StandardCharsets.UTF_8));
      first = false;
    }
    return url.toString();
  }
}
