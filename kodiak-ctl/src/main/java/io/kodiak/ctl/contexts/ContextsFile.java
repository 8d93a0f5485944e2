package io.kodiak.ctl.contexts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.ctl.output.Yaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CLI's control-plane contexts, kept in {@code ~/.kodiak/config} in kumactl's layout ({@code
 * contexts}, {@code controlPlanes}, {@code currentContext}). On first use the file is created with
 * a {@code local} context that reads the admin token from the control plane's data directory, so a
 * fresh checkout needs no set-up. Written atomically with mode 0600.
 */
public final class ContextsFile {
  public static final String LOCAL = "local";
  private static final ObjectMapper YAML = Yaml.MAPPER;

  private final Path file;
  private final List<ControlPlaneEntry> controlPlanes;
  private String current;

  private ContextsFile(Path file, List<ControlPlaneEntry> controlPlanes, String current) {
    this.file = file;
    this.controlPlanes = new ArrayList<>(controlPlanes);
    this.current = current;
  }

  /** Loads the file, creating it with the local context when it does not exist. */
  public static ContextsFile loadOrCreate(Path file) {
    if (!Files.exists(file)) {
      Path tokenFile = file.toAbsolutePath().getParent().resolve("admin-token");
      ContextsFile created =
          new ContextsFile(
              file,
              List.of(
                  new ControlPlaneEntry(
                      LOCAL,
                      "http://localhost:5681",
                      Optional.empty(),
                      Optional.of(tokenFile.toString()))),
              LOCAL);
      created.save();
      return created;
    }
    try {
      JsonNode root = YAML.readTree(file.toFile());
      List<ControlPlaneEntry> planes = new ArrayList<>();
      for (JsonNode cp : root.path("controlPlanes")) {
        JsonNode api = cp.path("coordinates").path("apiServer");
        JsonNode conf = api.path("authConf");
        planes.add(
            new ControlPlaneEntry(
                cp.path("name").asText(),
                api.path("url").asText(),
                optional(conf.path("token")),
                optional(conf.path("tokenFile"))));
      }
      return new ContextsFile(file, planes, root.path("currentContext").asText(""));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public List<ControlPlaneEntry> controlPlanes() {
    return List.copyOf(controlPlanes);
  }

  public String currentContext() {
    return current;
  }

  public Optional<ControlPlaneEntry> current() {
    return find(current);
  }

  public Optional<ControlPlaneEntry> find(String name) {
    return controlPlanes.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** Adds or (when allowed) replaces a control plane and makes it current. */
  public void add(ControlPlaneEntry entry, boolean overwrite) {
    if (find(entry.name()).isPresent() && !overwrite) {
      throw new IllegalArgumentException(
          "a control plane named \""
              + entry.name()
              + "\" already exists; use --overwrite to replace it");
    }
    controlPlanes.removeIf(c -> c.name().equals(entry.name()));
    controlPlanes.add(entry);
    current = entry.name();
    save();
  }

  public void switchTo(String name) {
    requireKnown(name);
    current = name;
    save();
  }

  public void remove(String name) {
    requireKnown(name);
    controlPlanes.removeIf(c -> c.name().equals(name));
    if (current.equals(name)) {
      current = controlPlanes.isEmpty() ? "" : controlPlanes.get(0).name();
    }
    save();
  }

  private void requireKnown(String name) {
    if (find(name).isEmpty()) {
      throw new IllegalArgumentException(
          "there is no control plane named \""
              + name
              + "\"; 'kodiakctl config control-planes list' shows them");
    }
  }

  private void save() {
    ObjectNode root = YAML.createObjectNode();
    ArrayNode contexts = root.putArray("contexts");
    ArrayNode planes = root.putArray("controlPlanes");
    for (ControlPlaneEntry cp : controlPlanes) {
      contexts.addObject().put("name", cp.name()).put("controlPlane", cp.name());
      ObjectNode api =
          planes.addObject().put("name", cp.name()).putObject("coordinates").putObject("apiServer");
      api.put("url", cp.address());
      if (cp.token().isPresent() || cp.tokenFile().isPresent()) {
        api.put("authType", "tokens");
        ObjectNode conf = api.putObject("authConf");
        cp.token().ifPresent(t -> conf.put("token", t));
        cp.tokenFile().ifPresent(t -> conf.put("tokenFile", t));
      }
    }
    root.put("currentContext", current);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp =
          Files.createTempFile(
              dir,
              "config",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, YAML.writeValueAsString(root));
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static Optional<String> optional(JsonNode node) {
    return node.isTextual() && !node.asText().isEmpty()
        ? Optional.of(node.asText())
        : Optional.empty();
  }

  /** One control plane the CLI can talk to. */
  public record ControlPlaneEntry(
      String name, String address, Optional<String> token, Optional<String> tokenFile) {
    /** The token to send: given inline, or read from the token file when that exists. */
    public Optional<String> resolveToken() {
      if (token.isPresent()) {
        return token;
      }
      if (tokenFile.isPresent() && Files.isReadable(Path.of(tokenFile.get()))) {
        try {
          return Optional.of(Files.readString(Path.of(tokenFile.get())).trim());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the token file " + tokenFile.get(), e);
        }
      }
      return Optional.empty();
    }
  }
}
