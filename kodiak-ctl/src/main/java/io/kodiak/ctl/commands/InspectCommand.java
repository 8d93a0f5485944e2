package io.kodiak.ctl.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kodiak.ctl.client.ApiClient;
import io.kodiak.ctl.client.ResourceTypes;
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

/**
 * {@code kodiakctl inspect dataplanes}, {@code kodiakctl inspect dataplane NAME --type ...} and
 * {@code kodiakctl inspect POLICY-TYPE NAME} (the dataplanes a policy selects).
 */
@Command(
    name = "inspect",
    description =
        "Inspect live state: dataplanes, their rules and config, "
            + "and the dataplanes a policy selects (kodiakctl inspect meshtimeout NAME).",
    subcommands = {InspectCommand.Dataplanes.class, InspectCommand.Dataplane.class})
public final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "0..2",
      paramLabel = "POLICY-TYPE NAME",
      description = "A policy type (meshtimeout, MeshRetry...) and a policy name.")
  List<String> policy;

  @Override
  public Integer call() {
    if (policy == null || policy.isEmpty()) {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 0;
    }
    if (policy.size() != 2) {
      throw new IllegalArgumentException(
          "give a policy type and a policy name, e.g. 'kodiakctl inspect meshtimeout my-timeout'");
    }
    Session session = Session.of(spec);
    ApiClient client = session.client();
    var type = Session.type(ResourceTypes.fetch(client), policy.get(0));
    if (!type.policy()) {
      throw new IllegalArgumentException(
          type.name() + " is not a policy; use 'kodiakctl inspect dataplane NAME'");
    }
    JsonNode page =
        client.get(
            "/meshes/"
                + session.root.mesh()
                + "/"
                + type.path()
                + "/"
                + policy.get(1)
                + "/_resources/dataplanes?size=1000");
    spec.commandLine()
        .getOut()
        .println(
            type.name()
                + " "
                + policy.get(1)
                + " selects "
                + page.path("total").asInt()
                + " dataplane(s):");
    Table table = new Table("MESH", "NAME");
    page.path("items").forEach(dp -> table.row(dp.path("mesh").asText(), dp.path("name").asText()));
    table.print(spec.commandLine().getOut());
    return 0;
  }

  @Command(name = "dataplanes", description = "Dataplanes with their connection status.")
  static final class Dataplanes implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Session session = Session.of(spec);
      JsonNode page =
          session
              .client()
              .get("/meshes/" + session.root.mesh() + "/dataplanes/_overview?size=1000");
      Table table =
          new Table(
              "MESH",
              "NAME",
              "TAGS",
              "STATUS",
              "LAST CONNECTED AGO",
              "LAST UPDATED AGO",
              "TOTAL UPDATES",
              "TOTAL ERRORS",
              "ENVOY VERSION");
      Instant now = Instant.now();
      for (JsonNode item : page.path("items")) {
        JsonNode subscriptions = item.path("dataplaneInsight").path("subscriptions");
        JsonNode last =
            subscriptions.size() == 0 ? null : subscriptions.get(subscriptions.size() - 1);
        boolean online = last != null && !last.has("disconnectTime");
        table.row(
            item.path("mesh").asText(),
            item.path("name").asText(),
            tags(item.path("dataplane")),
            online ? "Online" : "Offline",
            last == null ? "never" : ago(last.path("connectTime"), now),
            last == null ? "never" : ago(last.path("status").path("lastUpdateTime"), now),
            last == null
                ? "0"
                : last.path("status").path("total").path("responsesSent").asText("0"),
            last == null
                ? "0"
                : last.path("status").path("total").path("responsesRejected").asText("0"),
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
      Instant at =
          Instant.ofEpochSecond(
              timestamp.path("seconds").asLong(), timestamp.path("nanos").asLong());
      var fake = new ObjectMapper().createObjectNode().put("creationTime", at.toString());
      return Columns.age(fake, now);
    }
  }

  @Command(
      name = "dataplane",
      description =
          "One dataplane: the policy rules it gets and which policy set each "
              + "value (--type rules), its proxy-wide policies (--type policies), the config the control plane generates "
              + "(--type config), what its Envoy runs (--type config-dump) and Envoy's live counters and upstream hosts "
              + "(--type stats, --type clusters).")
  static final class Dataplane implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "Dataplane name.")
    String name;

    @Option(
        names = "--type",
        defaultValue = "config-dump",
        description = "rules, policies, config, config-dump, stats or clusters")
    String type;

    @Option(
        names = "--shadow",
        description = "With --type rules: include policies labelled kuma.io/effect: shadow.")
    boolean shadow;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "text",
        description = "With --type rules: text or json.")
    String output;

    @Override
    public Integer call() throws Exception {
      Session session = Session.of(spec);
      ApiClient client = session.client();
      String base = "/meshes/" + session.root.mesh() + "/dataplanes/" + name;
      JsonNode answer =
          switch (type) {
            case "rules" -> client.get(base + "/_rules" + (shadow ? "?shadow=true" : ""));
            case "policies" -> client.get(base + "/_policies");
            case "config" -> client.get(base + "/_config");
            case "config-dump" -> client.get(base + "/xds");
            case "stats", "clusters" -> null;
            default ->
                throw new IllegalArgumentException(
                    "unknown --type \""
                        + type
                        + "\"; use rules, policies, config, config-dump, stats or clusters");
          };
      if (answer == null) { // Envoy's own text, relayed by the control plane
        spec.commandLine().getOut().print(client.getText(base + "/" + type));
        spec.commandLine().getOut().flush();
        return 0;
      }
      if (type.equals("rules") && output.equals("text")) {
        RulesText.print(answer, spec.commandLine().getOut());
        return 0;
      }
      spec.commandLine()
          .getOut()
          .println(
              new ObjectMapper()
                  .enable(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(answer));
      return 0;
    }
  }
}
