package io.kodiak.cp.api;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;

/**
 * Renders errors Armeria raises before a request reaches the router (a body over the size limit, a
 * malformed request) in Kuma's error shape too, so clients parse one shape only.
 */
final class ProtocolErrors implements ServerErrorHandler {
  @Override
  public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
    return null; // the router renders its own failures
  }

  @Override
  public AggregatedHttpResponse renderStatus(
      ServiceRequestContext ctx,
      ServiceConfig config,
      RequestHeaders headers,
      HttpStatus status,
      String description,
      Throwable cause) {
    String detail =
        status == HttpStatus.REQUEST_ENTITY_TOO_LARGE
            ? "the request body is larger than the API server accepts (apiServer.maxRequestBytes)"
            : description != null ? description : status.reasonPhrase();
    return Problems.render(ApiError.of(status.code(), status.reasonPhrase(), detail))
        .aggregate()
        .join();
  }
}
