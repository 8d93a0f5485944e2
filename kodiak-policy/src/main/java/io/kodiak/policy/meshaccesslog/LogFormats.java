package io.kodiak.policy.meshaccesslog;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.kodiak.policy.core.Lists;
import java.util.Map;

/**
 * Access-log formats: Plain (a line of Envoy command operators) or Json (key -> operator), with
 * Kuma's {@code %KUMA_*%} placeholders replaced by what the control plane knows about the traffic
 * (mesh, source and destination service, direction). Kuma's default lines when no format is given.
 */
final class LogFormats {
  static final String DEFAULT_HTTP =
      "[%START_TIME%] %KUMA_MESH% \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% "
          + "%PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "
          + "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% \"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" "
          + "\"%REQ(X-B3-TRACEID?TRACEPARENT)%\" \"%REQ(X-REQUEST-ID)%\" \"%REQ(:AUTHORITY)%\" \"%KUMA_SOURCE_SERVICE%\" "
          + "\"%KUMA_DESTINATION_SERVICE%\" \"%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%\" \"%UPSTREAM_HOST%\"\n";
  static final String DEFAULT_TCP =
      "[%START_TIME%] %RESPONSE_FLAGS% %KUMA_MESH% %KUMA_SOURCE_ADDRESS_WITHOUT_PORT%"
          + "(%KUMA_SOURCE_SERVICE%)->%UPSTREAM_HOST%(%KUMA_DESTINATION_SERVICE%) took %DURATION%ms, sent %BYTES_SENT% "
          + "bytes, received: %BYTES_RECEIVED% bytes\n";

  /** The source service where the mesh cannot know it (Kuma's word for it). */
  static final String UNKNOWN_SOURCE = "unknown";

  /**
   * The calling service on a mutual-TLS connection: the path of the peer certificate's SPIFFE ID
   * ({@code spiffe://<mesh>/<service>}, the first URI SAN of every workload certificate), cut out
   * by Envoy's CEL formatter when the line is written.
   */
  static final String PEER_SERVICE =
      "%CEL(re.extract(connection.uri_san_peer_certificate, '^spiffe://[^/]+/(.+)$', '\\\\1'))%";

  private LogFormats() {}

  /** What the placeholders stand for on one listener. */
  record Traffic(
      String mesh, String source, String destination, String sourceAddress, String direction) {
    Traffic withSource(String newSource) {
      return new Traffic(mesh, newSource, destination, sourceAddress, direction);
    }

    Map<String, String> placeholders() {
      return Map.of(
          "%KUMA_MESH%",
          mesh,
          "%KUMA_SOURCE_SERVICE%",
          source,
          "%KUMA_DESTINATION_SERVICE%",
          destination,
          "%KUMA_SOURCE_ADDRESS%",
          sourceAddress,
          "%KUMA_SOURCE_ADDRESS_WITHOUT_PORT%",
          sourceAddress
              .replaceAll(":[0-9]+$", "")
              .replace("%DOWNSTREAM_REMOTE_ADDRESS%", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"),
          "%KUMA_TRAFFIC_DIRECTION%",
          direction);
    }
  }

  /**
   * The format of a backend; {@code prefix} goes before a plain line and {@code extraJson} into a
   * JSON object (the agent uses them to route TCP log lines).
   */
  static SubstitutionFormatString of(
      MeshAccessLogConf.Format format,
      boolean http,
      Traffic traffic,
      String prefix,
      Map<String, String> extraJson) {
    SubstitutionFormatString.Builder out = SubstitutionFormatString.newBuilder();
    if (format != null && "Json".equals(format.type())) {
      Struct.Builder json = Struct.newBuilder();
      extraJson.forEach((k, v) -> json.putFields(k, Value.newBuilder().setStringValue(v).build()));
      for (MeshAccessLogConf.Field field : Lists.orEmpty(format.json())) {
        json.putFields(
            field.key(),
            Value.newBuilder().setStringValue(substitute(field.value(), traffic)).build());
      }
      out.setJsonFormat(json);
    } else {
      String line =
          format != null && format.plain() != null
              ? format.plain()
              : http ? DEFAULT_HTTP : DEFAULT_TCP;
      if (!line.endsWith("\n")) {
        line += "\n";
      }
      out.setTextFormatSource(
          DataSource.newBuilder().setInlineString(prefix + substitute(line, traffic)));
    }
    out.setOmitEmptyValues(format != null && Boolean.TRUE.equals(format.omitEmptyValues()));
    return out.build();
  }

  static String substitute(String text, Traffic traffic) {
    String out = text;
    for (var entry : traffic.placeholders().entrySet()) {
      out = out.replace(entry.getKey(), entry.getValue());
    }
    return out;
  }
}
