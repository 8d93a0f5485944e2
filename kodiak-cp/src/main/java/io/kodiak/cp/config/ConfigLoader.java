package io.kodiak.cp.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kodiak.model.codec.Documents;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the effective configuration: built-in defaults, then an optional YAML file, then {@code
 * KODIAK_*} environment variables (named after each key's path). Unknown keys in the file and
 * unknown {@code KODIAK_*} variables are errors, so a typo never silently does nothing.
 */
public final class ConfigLoader {
  private static final String PREFIX = "KODIAK_";

  /** KODIAK_* variables read by the launchers and logging, not configuration keys. */
  private static final Set<String> NOT_SETTINGS =
      Set.of(
          "KODIAK_LOG_LEVEL",
          "KODIAK_CP_MAX_HEAP",
          "KODIAK_CP_JVM_FLAGS",
          "KODIAK_DP_LOG_LEVEL",
          "KODIAK_ENVOY_BINARY");

  private static final ObjectMapper MAPPER =
      Documents.JSON.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ConfigLoader() {}

  public static CpConfig load(Optional<Path> file, Map<String, String> env) {
    ObjectNode tree = defaults();
    List<Violation> problems = new ArrayList<>();
    if (file.isPresent()) {
      JsonNode overlay;
      try {
        overlay = Documents.parse(Files.readString(file.get()));
      } catch (IOException e) {
        throw ValidationException.of(
            "", "cannot read configuration file " + file.get() + ": " + e.getMessage());
      }
      merge(tree, overlay, "", problems);
    }
    TreeSet<String> known = new TreeSet<>();
    applyEnv(tree, "", env, known, problems);
    for (String name : env.keySet()) {
      if (name.startsWith(PREFIX) && !known.contains(name) && !NOT_SETTINGS.contains(name)) {
        problems.add(
            new Violation(name, "unknown setting; known ones are " + String.join(", ", known)));
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    try {
      CpConfig config = MAPPER.treeToValue(tree, CpConfig.class);
      config.dpServer().grace();
      config.xds().debounceDuration();
      config.proxyAuth();
      config.store().kubernetes().leaderElection().check();
      if (config.store().type() == CpConfig.StoreType.postgres) {
        config.store().postgres().options(); // refuses a bad pool size, port or timeout now
      }
      return config;
    } catch (JsonProcessingException e) {
      throw ValidationException.of("", "invalid configuration: " + e.getOriginalMessage());
    }
  }

  /** The effective configuration as a JSON tree, for logging and {@code GET /config}. */
  public static JsonNode toTree(CpConfig config) {
    ObjectNode tree = MAPPER.valueToTree(config);
    JsonNode postgres = tree.path("store").path("postgres");
    if (postgres instanceof ObjectNode node && !node.path("password").asText().isEmpty()) {
      node.put("password", REDACTED); // logged at start and served by GET /config
    }
    return tree;
  }

  /** What a secret setting shows in the log and {@code GET /config}. */
  static final String REDACTED = "(set, not shown)";

  private static void merge(
      ObjectNode base, JsonNode overlay, String path, List<Violation> problems) {
    if (!overlay.isObject()) {
      problems.add(new Violation(path, "must be a mapping"));
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      JsonNode current = base.get(field.getKey());
      if (current == null) {
        problems.add(new Violation(fieldPath, "unknown setting"));
      } else if (current.isObject()) {
        merge((ObjectNode) current, field.getValue(), fieldPath, problems);
      } else if (field.getValue().isContainerNode()) {
        problems.add(new Violation(fieldPath, "must be a single value"));
      } else {
        base.set(field.getKey(), field.getValue());
      }
    }
  }

  private static void applyEnv(
      ObjectNode node,
      String path,
      Map<String, String> env,
      TreeSet<String> known,
      List<Violation> problems) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    fields.forEachRemaining(entries::add);
    for (Map.Entry<String, JsonNode> field : entries) {
      String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      if (field.getValue().isObject()) {
        applyEnv((ObjectNode) field.getValue(), fieldPath, env, known, problems);
        continue;
      }
      String name = envName(fieldPath);
      known.add(name);
      String value = env.get(name);
      if (value != null) {
        node.set(field.getKey(), typed(field.getValue(), value, name, problems));
      }
    }
  }

  private static JsonNode typed(
      JsonNode example, String value, String name, List<Violation> problems) {
    if (example.isBoolean()) {
      if (!value.equals("true") && !value.equals("false")) {
        problems.add(new Violation(name, "must be true or false, not \"" + value + "\""));
      }
      return BooleanNode.valueOf(Boolean.parseBoolean(value));
    }
    if (example.isIntegralNumber()) {
      try {
        return IntNode.valueOf(Integer.parseInt(value));
      } catch (NumberFormatException e) {
        problems.add(new Violation(name, "must be an integer, not \"" + value + "\""));
      }
    }
    return TextNode.valueOf(value);
  }

  /** {@code apiServer.http.port} becomes {@code KODIAK_API_SERVER_HTTP_PORT}. */
  static String envName(String path) {
    return PREFIX
        + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  private static ObjectNode defaults() {
    try (InputStream in =
        ConfigLoader.class.getResourceAsStream("/io/kodiak/cp/config/defaults.yaml")) {
      return (ObjectNode) Documents.YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
