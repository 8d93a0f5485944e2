package io.kodiak.cp.api;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import io.kodiak.cp.auth.AdminToken;

/**
 * Who may do what: writes and Secret reads need the admin token; other reads are open unless the
 * configuration closes them. There is deliberately no "loopback is admin" shortcut.
 */
final class Access {
  private final AdminToken token;
  private final boolean readsRequireToken;

  Access(AdminToken token, boolean readsRequireToken) {
    this.token = token;
    this.readsRequireToken = readsRequireToken;
  }

  void requireAdmin(RequestHeaders headers, String action) {
    String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null || auth.isBlank()) {
      throw new ApiException(
          ApiError.of(
              401,
              "Unauthorized",
              action
                  + " needs the admin token: send "
                  + "'Authorization: Bearer <token>' (the file admin-token in the control plane's data directory holds it)"));
    }
    String presented = auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : "";
    if (!token.matches(presented)) {
      throw new ApiException(
          ApiError.of(
              401,
              "Unauthorized",
              "the token presented is not the admin token, so it cannot be used for " + action));
    }
  }

  /** Every request that changes something (any method but GET, HEAD and OPTIONS) is an admin's. */
  void requireAdminForChanges(RequestHeaders headers) {
    HttpMethod method = headers.method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS) {
      requireAdmin(headers, "a " + method + " request");
    }
  }

  void requireRead(RequestHeaders headers, String what) {
    if (readsRequireToken) {
      requireAdmin(headers, "reading " + what);
    }
  }
}
