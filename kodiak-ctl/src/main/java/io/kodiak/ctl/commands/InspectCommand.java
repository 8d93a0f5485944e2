package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.output.Columns;
import io.kodiak.ctl.output.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kodiakctl inspect dataplanes} and {@code kodiakctl inspect dataplane NAME --type ...}. */
@Command(name = "inspect", description = "Inspect live state: dataplanes and their config.",
    subcommands = {InspectCommand.Dataplanes.class, InspectCommand.Dataplane.class})
public final class InspectCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "dataplanes", description = "Dataplanes with their connection status.")
  static final class Dataplanes implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Session session = Session.of(spec);
      JsonNode page = session.client().get("/meshes/" + session.root.mesh() + "/dataplanes/_overview?size=1000");
      Table table = new Table("MESH", "NAME", "TAGS", "STATUS", "LAST CONNECTED AGO", "LAST UPDATED AGO",
          "TOTAL UPDATES", "TOTAL ERRORS", "ENVOY VERSION");
      Instant now = Instant.now();
      for (JsonNode item : page.path("items")) {
        JsonNode subscriptions = item.path("dataplaneInsight").path("subscriptions");
        JsonNode last = subscriptions.size() == 0 ? null : subscriptions.get(subscriptions.size() - 1);
        boolean online = last != null && !last.has("disconnectTime");
        table.row(item.path("mesh").asText(), item.path("name").asText(), tags(item.path("dataplane")),
            online ? "Online" : "Offline",
            last == null ? "never" : ago(last.path("connectTime"), now),
            last == null ? "never" : ago(last.path("status").path("lastUpdateTime"), now),
            last == null ? "0" : last.path("status").path("total").path("responsesSent").asText("0"),
            last == null ? "0" : last.path("status").path("total").path("responsesRejected").asText("0"),
            last == null ? "-" : last.path("version").path("envoy").path("version").asText("-"));
      }
      table.print(spec.commandLine().getOut());
      return 0;
    }

    private static String tags(JsonNode dataplane) {
      List<String> tags = new ArrayList<>();
      for (JsonNode inbound : dataplane.path("networking").path("inbound")) {
        Iterator<Map.Entry<String, JsonNode>> it = inbound.path("tags").fields();
        while (it.hasNext()) {
          var tag = it.next();
          String text = tag.getKey() + "=" + tag.getValue().asText();
          if (!tags.contains(text)) {
            tags.add(text);
          }
        }
      }
      return String.join(" ", tags);
    }

    private static String ago(JsonNode timestamp, Instant now) {
      if (!timestamp.has("seconds")) {
        return "-";
      }
      Instant at = Instant.ofEpochSecond(timestamp.path("seconds").asLong(), timestamp.path("nanos").asLong());
      var fake = new ObjectMapper().createObjectNode().put("creationTime", at.toString());
      return Columns.age(fake, now);
    }
  }

  @Command(name = "dataplane", description = "One dataplane's config: what the control plane generates "
      + "(--type config) or what its Envoy runs (--type config-dump).")
  static final class Dataplane implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "Dataplane name.") String name;

    @Option(names = "--type", defaultValue = "config-dump", description = "config or config-dump") String type;

    @Override
    public Integer call() throws Exception {
      Session session = Session.of(spec);
      ApiClient client = session.client();
      String base = "/meshes/" + session.root.mesh() + "/dataplanes/" + name;
      JsonNode answer = switch (type) {
        case "config" -> client.get(base + "/_config");
        case "config-dump" -> client.get(base + "/xds");
        default -> throw new IllegalArgumentException("unknown --type \"" + type + "\"; use config or config-dump");
      };
      spec.commandLine().getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(answer));
      return 0;
    }
  }
}
