package io.kodiak.cp.api;

import com.linecorp.armeria.common.QueryParams;
import io.kodiak.store.api.ListQuery;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Parses list paging and filters: {@code size}, {@code offset}, {@code name}, {@code
 * filter[labels.k]=v}.
 */
final class ListParams {
  static final int DEFAULT_SIZE = 100;
  static final int MAX_SIZE = 1000;

  private ListParams() {}

  static ListQuery parse(QueryParams params, Optional<String> mesh) {
    int size = integer(params, "size", DEFAULT_SIZE);
    if (size < 1 || size > MAX_SIZE) {
      throw new ApiException(ApiError.invalidQuery("size", "must be between 1 and " + MAX_SIZE));
    }
    int offset = integer(params, "offset", 0);
    if (offset < 0) {
      throw new ApiException(ApiError.invalidQuery("offset", "must not be negative"));
    }
    Map<String, String> labels = new TreeMap<>();
    for (String name : params.names()) {
      if (name.startsWith("filter[labels.") && name.endsWith("]")) {
        labels.put(name.substring("filter[labels.".length(), name.length() - 1), params.get(name));
      } else if (name.startsWith("filter[")) {
        throw new ApiException(
            ApiError.invalidQuery(
                name, "only label filters are supported: filter[labels.KEY]=VALUE"));
      }
    }
    return new ListQuery(mesh, params.get("name", ""), labels, offset, size);
  }

  private static int integer(QueryParams params, String name, int fallback) {
    String value = params.get(name);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new ApiException(
          ApiError.invalidQuery(name, "must be an integer, not \"" + value + "\""));
    }
  }
}
