package io.kodiak.model.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Kuma's rules for tag maps (Dataplane tags, MeshSubset tags). */
public final class Tags {
  public static final String SERVICE = "kuma.io/service";
  public static final String PROTOCOL = "kuma.io/protocol";
  private static final Pattern ALLOWED = Pattern.compile("[a-zA-Z0-9.\\-_:/]*");

  private Tags() {}

  /**
   * Checks every key and value of a tag map; {@code requireService} demands {@code
   * kuma.io/service}.
   */
  public static void check(At tags, ServiceTag requireService, Violations out) {
    if (requireService == ServiceTag.REQUIRED && tags.field(SERVICE).text().isEmpty()) {
      out.add(tags.path().key(SERVICE), "tag must be defined and not empty");
    }
    if (!tags.node().isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> it = tags.node().fields();
    while (it.hasNext()) {
      var tag = it.next();
      FieldPath path = tags.path().key(tag.getKey());
      if (tag.getKey().isEmpty()) {
        out.add(path, "tag name must not be empty");
      } else if (!ALLOWED.matcher(tag.getKey()).matches()) {
        out.add(path, "tag name must consist of letters, digits and '.', '-', '_', ':', '/'");
      }
      String value = tag.getValue().asText();
      if (value.isEmpty()) {
        out.add(path, "tag value must not be empty");
      } else if (!ALLOWED.matcher(value).matches()) {
        out.add(path, "tag value must consist of letters, digits and '.', '-', '_', ':', '/'");
      }
      if (tag.getKey().equals(PROTOCOL)
          && !value.isEmpty()
          && !Set.of("http", "http2", "grpc", "tcp", "kafka").contains(value)) {
        out.add(path, "must be one of: http, http2, grpc, tcp, kafka");
      }
    }
  }

  /** Whether a tag map must carry {@code kuma.io/service}. */
  public enum ServiceTag {
    REQUIRED,
    OPTIONAL
  }
}
