package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.client.ApiFailure;
import io.kodiak.ctl.client.ResourceTypes;
import io.kodiak.ctl.client.ResourceTypes.TypeInfo;
import io.kodiak.ctl.commands.InputDocuments.Document;
import io.kodiak.ctl.output.Yaml;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kodiakctl apply -f FILE|DIR|-}: creates or updates every resource in the input. Meshes go
 * first so a file can hold a mesh and its policies. Every document is tried; each failure is
 * reported with its document, and the exit code is non-zero if any failed.
 */
@Command(name = "apply", description = "Create or update resources from YAML or JSON.")
public final class ApplyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "File, directory, or - for stdin.")
  String file;

  @Option(
      names = "--dry-run",
      description = "Print the resources after variable substitution; change nothing.")
  boolean dryRun;

  @Option(
      names = {"-v", "--var"},
      description = "Value for a {{ name }} placeholder: -v name=value.")
  Map<String, String> variables = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    List<Document> documents = new ArrayList<>(InputDocuments.read(file, variables));
    documents.sort(Comparator.comparing(d -> !"Mesh".equals(d.node().path("type").asText())));
    if (documents.isEmpty()) {
      throw new IllegalArgumentException("no resources found in " + file);
    }
    if (dryRun) {
      for (int i = 0; i < documents.size(); i++) {
        spec.commandLine()
            .getOut()
            .print(
                (i == 0 ? "" : "---\n") + Yaml.MAPPER.writeValueAsString(documents.get(i).node()));
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
    Session session = Session.of(spec);
    ApiClient client = session.client();
    ResourceTypes types = ResourceTypes.fetch(client);
    int failures = 0;
    for (Document d : documents) {
      try {
        apply(client, types, d, session.root.mesh());
      } catch (ApiFailure | IllegalArgumentException e) {
        failures++;
        var err = spec.commandLine().getErr();
        err.println("Error: " + d.where() + describe(d.node()) + ": " + e.getMessage());
        if (e instanceof ApiFailure f) {
          f.invalidParameters().forEach(p -> err.println("  * " + p));
          if (f.status() == 0) {
            return 1; // the control plane is unreachable: the rest would fail the same way
          }
        }
      }
    }
    return failures == 0 ? 0 : 1;
  }

  private void apply(ApiClient client, ResourceTypes types, Document d, String defaultMesh) {
    JsonNode node = d.node();
    String typeName = node.path("type").asText("");
    if (typeName.isEmpty()) {
      throw new IllegalArgumentException("the document has no \"type\" field");
    }
    TypeInfo type =
        types
            .byName(typeName)
            .orElseThrow(
                () -> new IllegalArgumentException("unknown resource type \"" + typeName + "\""));
    String name = node.path("name").asText("");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("the document has no \"name\" field");
    }
    String mesh = node.path("mesh").asText(defaultMesh);
    ObjectNode body = (ObjectNode) node.deepCopy();
    if (type.meshScoped()) {
      body.put("mesh", mesh);
    }
    boolean created = client.put(type.itemPath(mesh, name), body);
    spec.commandLine()
        .getOut()
        .println(
            typeName
                + " \""
                + name
                + "\""
                + (type.meshScoped() ? " in mesh \"" + mesh + "\"" : "")
                + (created ? " created" : " configured"));
  }

  private static String describe(JsonNode node) {
    String type = node.path("type").asText("");
    String name = node.path("name").asText("");
    return type.isEmpty() ? "" : " (" + type + (name.isEmpty() ? "" : " \"" + name + "\"") + ")";
  }
}
