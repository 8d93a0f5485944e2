package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.client.ResourceTypes;
import io.kodiak.ctl.client.ResourceTypes.TypeInfo;
import io.kodiak.ctl.output.Yaml;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kodiakctl export}: every resource of the control plane as YAML documents that {@code
 * kodiakctl apply -f} restores into an empty control plane. Meshes come first, then Secrets (a
 * mesh's CA and token signing key, so restored proxies keep their identities and tokens), then
 * everything else. Times are left out: the restoring control plane sets its own.
 */
@Command(
    name = "export",
    description = "Write every resource as YAML that 'kodiakctl apply -f' restores.")
public final class ExportCommand implements Callable<Integer> {
  private static final int PAGE = 1000;

  @Spec CommandSpec spec;

  @Option(
      names = "--include-admin",
      description =
          "Include Secrets (mesh CAs, token signing keys): needs the admin token; keep the file"
              + " as safe as the control plane's store.")
  boolean includeAdmin;

  @Option(
      names = "--profile",
      defaultValue = "all",
      description = "all, or no-dataplanes to leave out the proxies' Dataplanes.")
  String profile;

  @Override
  public Integer call() throws Exception {
    if (!List.of("all", "no-dataplanes").contains(profile)) {
      throw new IllegalArgumentException(
          "unknown profile \"" + profile + "\"; use all or no-dataplanes");
    }
    Session session = Session.of(spec);
    ApiClient client = session.client();
    List<TypeInfo> types = new ArrayList<>(exported(ResourceTypes.fetch(client)));
    types.sort(Comparator.comparingInt(ExportCommand::rank));
    List<String> meshes = new ArrayList<>();
    for (JsonNode mesh : list(client, "/meshes")) {
      meshes.add(mesh.path("name").asText());
    }
    StringBuilder yaml = new StringBuilder(); // printed whole or not at all: no partial backup
    int written = 0;
    for (TypeInfo type : types) {
      for (String path : type.meshScoped() ? meshPaths(type, meshes) : List.of(type.listPath(""))) {
        for (JsonNode item : list(client, path)) {
          ObjectNode doc = (ObjectNode) item.deepCopy();
          doc.remove(List.of("creationTime", "modificationTime"));
          yaml.append(written++ == 0 ? "" : "---\n").append(Yaml.MAPPER.writeValueAsString(doc));
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(yaml);
    out.flush();
    spec.commandLine()
        .getErr()
        .println(
            "exported "
                + written
                + " resources"
                + (includeAdmin ? " (Secrets included: keep this file private)" : ""));
    return 0;
  }

  private List<TypeInfo> exported(ResourceTypes types) {
    return types.all().stream()
        .filter(t -> includeAdmin || !t.name().equals("Secret"))
        .filter(t -> !(profile.equals("no-dataplanes") && t.name().equals("Dataplane")))
        .toList();
  }

  /** Meshes first (everything else lives in one), Secrets next (a Mesh's CA), Dataplanes last. */
  private static int rank(TypeInfo type) {
    return switch (type.name()) {
      case "Mesh" -> 0;
      case "Secret" -> 1;
      case "Dataplane" -> 3;
      default -> 2;
    };
  }

  private static List<String> meshPaths(TypeInfo type, List<String> meshes) {
    return meshes.stream().map(type::listPath).toList();
  }

  private static List<JsonNode> list(ApiClient client, String path) {
    List<JsonNode> items = new ArrayList<>();
    for (int offset = 0; ; offset += PAGE) {
      JsonNode page = client.get(path + "?size=" + PAGE + "&offset=" + offset);
      page.path("items").forEach(items::add);
      if (page.path("items").size() < PAGE) {
        return items;
      }
    }
  }
}
