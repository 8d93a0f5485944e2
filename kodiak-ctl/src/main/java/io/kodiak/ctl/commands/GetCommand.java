package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.client.ResourceTypes;
import io.kodiak.ctl.client.ResourceTypes.TypeInfo;
import io.kodiak.ctl.output.Columns;
import io.kodiak.ctl.output.Yaml;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kodiakctl get <plural>} lists; {@code kodiakctl get <singular> NAME} shows one. Types come
 * from the control plane's {@code /_resources}.
 */
@Command(name = "get", description = "Show resources: get <plural> | get <singular> NAME.")
public final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Resource type, e.g. meshes, meshtimeouts, dataplane.")
  String typeWord;

  @Parameters(index = "1", arity = "0..1", description = "Name of one resource.")
  String name;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table, yaml or json.")
  String output;

  @Option(
      names = "--size",
      defaultValue = "100",
      description = "Page size for lists (at most 1000).")
  int size;

  @Option(names = "--offset", defaultValue = "0", description = "Skip this many resources.")
  int offset;

  @Override
  public Integer call() throws Exception {
    if (!List.of("table", "yaml", "json").contains(output)) {
      throw new IllegalArgumentException(
          "unknown output format \"" + output + "\"; use table, yaml or json");
    }
    Session session = Session.of(spec);
    ApiClient client = session.client();
    TypeInfo type = Session.type(ResourceTypes.fetch(client), typeWord);
    String mesh = session.root.mesh();
    if (name != null) {
      JsonNode item = client.get(type.itemPath(mesh, name));
      print(type, List.of(item), item);
    } else {
      JsonNode page = client.get(type.listPath(mesh) + "?size=" + size + "&offset=" + offset);
      print(type, page.path("items"), page);
    }
    return 0;
  }

  private void print(TypeInfo type, Iterable<JsonNode> items, JsonNode whole) throws Exception {
    var out = spec.commandLine().getOut();
    switch (output) {
      case "yaml" -> out.print(Yaml.MAPPER.writeValueAsString(whole));
      case "json" ->
          out.println(
              new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(whole));
      default -> Columns.table(type, items, Instant.now()).print(out);
    }
    out.flush();
  }
}
