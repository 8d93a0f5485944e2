package io.kodiak.cp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.kodiak.model.catalog.ResourceCatalog;
import io.kodiak.model.catalog.ResourceType;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.store.api.StoreException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes every REST request by its path segments (Kuma's layout) and turns failures into Kuma's
 * error shape. Handlers run on Armeria's blocking executor because writes wait for the disk.
 */
final class ApiRouter implements HttpService {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);

  private final ResourceEndpoints resources;
  private final DataplaneEndpoints dataplanes;
  private final TokenEndpoints tokens;
  private final SystemEndpoints system;
  private final PolicyEndpoints policies;
  private final int maxRequestBytes;
  private final boolean readOnly;
  private final Access access;

  ApiRouter(
      Access access,
      ResourceEndpoints resources,
      DataplaneEndpoints dataplanes,
      PolicyEndpoints policies,
      TokenEndpoints tokens,
      SystemEndpoints system,
      int maxRequestBytes,
      boolean readOnly) {
    this.access = access;
    this.resources = resources;
    this.dataplanes = dataplanes;
    this.policies = policies;
    this.tokens = tokens;
    this.system = system;
    this.maxRequestBytes = maxRequestBytes;
    this.readOnly = readOnly;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    try {
      access.requireAdminForChanges(
          req.headers()); // before a byte of the body is read, let alone parsed
    } catch (ApiException e) {
      logRefusal(req.method(), ctx, e.error().detail());
      return Problems.render(e.error());
    }
    ctx.setMaxRequestLength(maxRequestBytes);
    CompletableFuture<HttpResponse> future =
        req.aggregate()
            .thenApplyAsync(agg -> handle(ctx, agg), ctx.blockingTaskExecutor())
            .exceptionally(t -> failure(ctx, t));
    return HttpResponse.of(future);
  }

  // Log lines name the path only: the query string can carry credentials (?token=...), and so can
  // headers, so neither is ever logged. The log pattern escapes what remains (see
  // SingleLineMessage).
  private HttpResponse handle(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    try {
      return route(ctx, req);
    } catch (ApiException e) {
      if (e.error().status() == 401) {
        logRefusal(req.method(), ctx, e.error().detail());
      }
      return Problems.render(e.error());
    } catch (ValidationException e) {
      if (req.method() != HttpMethod.GET) {
        LOG.info(
            "refused {} {}: {} violation(s), first: {}",
            req.method(),
            ctx.path(),
            e.violations().size(),
            e.violations().get(0));
      }
      return Problems.render(Problems.fromValidation(e));
    } catch (StoreException e) {
      if (req.method() != HttpMethod.GET) {
        LOG.info("refused {} {}: {}", req.method(), ctx.path(), e.getMessage());
      }
      return Problems.render(Problems.fromStore(e));
    } catch (RuntimeException e) {
      LOG.error("{} {} failed unexpectedly: {}", req.method(), ctx.path(), e.toString(), e);
      return Problems.render(
          ApiError.of(500, "Internal Server Error", "unexpected error: " + e.getMessage()));
    }
  }

  private static void logRefusal(HttpMethod method, ServiceRequestContext ctx, String why) {
    LOG.warn(
        "refused {} {} from {}: {}", method, ctx.path(), ctx.clientAddress().getHostAddress(), why);
  }

  private static HttpResponse failure(ServiceRequestContext ctx, Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof ContentTooLargeException) {
      return Problems.render(
          ApiError.of(
              413,
              "Payload Too Large",
              "the request body is larger than the limit of "
                  + "the API server (apiServer.maxRequestBytes)"));
    }
    if (ClientGone.is(cause)) {
      // the client went away mid-request: nothing failed here and there is nobody to answer
      LOG.debug(
          "{} {}: the client closed the connection before the request was complete",
          ctx.method(),
          ctx.path());
      return Problems.render(ApiError.of(400, "Bad Request", "the request was not complete"));
    }
    LOG.error(
        "{} {} failed before it could be handled: {}", ctx.method(), ctx.path(), cause.toString());
    return Problems.render(
        ApiError.of(500, "Internal Server Error", "the request could not be read"));
  }

  private HttpResponse route(ServiceRequestContext ctx, AggregatedHttpRequest req) {
    String[] parts =
        Arrays.stream(ctx.path().split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    HttpMethod method = req.method();
    QueryParams query = QueryParams.fromQueryString(ctx.query());
    if (parts.length == 0) {
      return get(method, () -> system.index());
    }
    if (parts.length == 1 && parts[0].equals("_resources")) {
      return get(method, system::resourceTypes);
    }
    if (parts.length == 1 && parts[0].equals("config")) {
      return get(method, system::config);
    }
    if (parts.length == 2 && parts[0].equals("tokens") && parts[1].equals("dataplane")) {
      if (method != HttpMethod.POST) {
        throw methodNotAllowed(method);
      }
      return tokens.token(req);
    }
    if (!parts[0].equals("meshes")) {
      Optional<ResourceType> type = ResourceCatalog.byPath(parts[0]);
      if (parts.length == 1 && type.isPresent() && type.get().isMeshScoped()) {
        return get(method, () -> resources.list(req, type.get(), Optional.empty(), query));
      }
      throw notFound(ctx.path());
    }
    if (parts.length >= 3
        && (parts[2].equals("dataplanes") || parts[2].equals("dataplanes+insights"))) {
      HttpResponse inspected = inspect(req, parts, query);
      if (inspected != null) {
        return inspected;
      }
    }
    if (parts.length == 6 && parts[4].equals("_resources") && parts[5].equals("dataplanes")) {
      ResourceType type = meshScoped(parts[2], ctx.path());
      return get(method, () -> policies.selectedDataplanes(req, parts[1], type, parts[3], query));
    }
    return switch (parts.length) {
      case 1 ->
          get(method, () -> resources.list(req, ResourceCatalog.MESH, Optional.empty(), query));
      case 2 -> item(req, ResourceCatalog.MESH, "", parts[1]);
      case 3 -> {
        ResourceType type = meshScoped(parts[2], ctx.path());
        yield get(method, () -> resources.list(req, type, Optional.of(parts[1]), query));
      }
      case 4 -> item(req, meshScoped(parts[2], ctx.path()), parts[1], parts[3]);
      default -> throw notFound(ctx.path());
    };
  }

  /** Dataplane inspection paths, or null when the path is a plain resource path. */
  private HttpResponse inspect(AggregatedHttpRequest req, String[] parts, QueryParams query) {
    String mesh = parts[1];
    HttpMethod method = req.method();
    boolean legacy = parts[2].equals("dataplanes+insights");
    if (legacy && parts.length == 3
        || !legacy && parts.length == 4 && parts[3].equals("_overview")) {
      return get(method, () -> dataplanes.overviews(req, mesh, query));
    }
    if (legacy && parts.length == 4) {
      return get(method, () -> dataplanes.overview(req, mesh, parts[3]));
    }
    if (!legacy && parts.length == 5) {
      String name = parts[3];
      return switch (parts[4]) {
        case "_overview" -> get(method, () -> dataplanes.overview(req, mesh, name));
        case "_config" -> get(method, () -> dataplanes.config(req, mesh, name));
        case "_rules" -> get(method, () -> policies.rules(req, mesh, name, query));
        case "_policies" -> get(method, () -> policies.policies(req, mesh, name));
        case "xds" -> get(method, () -> dataplanes.envoyAdmin(req, mesh, name, "config_dump"));
        case "stats" -> get(method, () -> dataplanes.envoyAdmin(req, mesh, name, "stats"));
        case "clusters" -> get(method, () -> dataplanes.envoyAdmin(req, mesh, name, "clusters"));
        default -> null;
      };
    }
    return null;
  }

  private HttpResponse item(
      AggregatedHttpRequest req, ResourceType type, String mesh, String name) {
    HttpMethod method = req.method();
    if (method == HttpMethod.GET) {
      return resources.get(req, type, mesh, name);
    } else if (readOnly && (method == HttpMethod.PUT || method == HttpMethod.DELETE)) {
      access.requireAdmin(req.headers(), "writing a " + type.name()); // who asks, before why not
      throw new ApiException(
          ApiError.of(
              405,
              "Method Not Allowed",
              "this control plane keeps its resources in Kubernetes: change "
                  + type.name()
                  + " with kubectl (kubectl apply -f / kubectl delete), not through this API;"
                  + " reading and inspecting here keep working"));
    } else if (method == HttpMethod.PUT) {
      return resources.put(req, type, mesh, name, body(req));
    } else if (method == HttpMethod.DELETE) {
      return resources.delete(req, type, mesh, name);
    }
    throw methodNotAllowed(method);
  }

  private static JsonNode body(AggregatedHttpRequest req) {
    String text = req.contentUtf8();
    if (text.isBlank()) {
      throw ValidationException.of("", "the request body is empty; send the resource as JSON");
    }
    return Documents.parse(text);
  }

  private static ResourceType meshScoped(String path, String fullPath) {
    return ResourceCatalog.byPath(path)
        .filter(ResourceType::isMeshScoped)
        .orElseThrow(
            () ->
                new ApiException(
                    ApiError.of(
                        404,
                        "Not Found",
                        "unknown resource type \""
                            + path
                            + "\" in "
                            + fullPath
                            + "; GET /_resources lists the known ones")));
  }

  private static HttpResponse get(HttpMethod method, Supplier<HttpResponse> handler) {
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      throw methodNotAllowed(method);
    }
    return handler.get();
  }

  private static ApiException methodNotAllowed(HttpMethod method) {
    return new ApiException(
        ApiError.of(405, "Method Not Allowed", method + " is not supported on this path"));
  }

  private static ApiException notFound(String path) {
    return new ApiException(ApiError.of(404, "Not Found", "no such path: " + path));
  }

  static HttpResponse json(HttpStatus status, JsonNode body) {
    return HttpResponse.of(status, MediaType.JSON_UTF_8, Documents.toJson(body));
  }

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }
}
