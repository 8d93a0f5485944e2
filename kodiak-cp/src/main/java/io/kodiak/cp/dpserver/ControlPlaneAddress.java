package io.kodiak.cp.dpserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.kodiak.model.validation.FieldPath;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One control-plane replica's dp-server, as an agent lists them in its bootstrap request ({@code
 * controlPlaneAddresses: ["cp-1:5678", ...]}); they become the endpoints of its Envoy's ADS
 * cluster. Only host names and addresses pass: the list reaches Envoy's config.
 */
record ControlPlaneAddress(String host, int port) {
  static final int MAX = 16;
  private static final Pattern HOST_PORT =
      Pattern.compile("^(?:\\[([0-9A-Fa-f:.]{2,45})\\]|([A-Za-z0-9.-]{1,253})):([0-9]{1,5})$");

  /** The list in {@code field}, or empty when the agent sent none (one replica). */
  static Optional<List<ControlPlaneAddress>> listed(JsonNode field) {
    if (field.isMissingNode() || field.isNull()) {
      return Optional.empty();
    }
    Violations violations = new Violations();
    if (!field.isArray() || field.isEmpty() || field.size() > MAX) {
      throw ValidationException.of(
          "controlPlaneAddresses", "must list 1 to " + MAX + " host:port entries");
    }
    List<ControlPlaneAddress> out = new ArrayList<>();
    for (int i = 0; i < field.size(); i++) {
      String text = field.get(i).asText("");
      Matcher m = HOST_PORT.matcher(text);
      int port = m.matches() ? Integer.parseInt(m.group(3)) : 0;
      if (!m.matches() || port < 1 || port > 65535) {
        violations.add(
            FieldPath.of("controlPlaneAddresses").index(i),
            "must be host:port (a host name or an address, a port 1-65535)");
        continue;
      }
      out.add(new ControlPlaneAddress(m.group(1) != null ? m.group(1) : m.group(2), port));
    }
    violations.throwIfAny();
    return Optional.of(out);
  }
}
