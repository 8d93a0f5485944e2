package io.kodiak.xds.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.kodiak.model.codec.Documents;
import io.kodiak.xds.envoy.EnvoyNames;
import io.kodiak.xds.envoy.ProtoJson;
import io.kodiak.xds.generate.ProxyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Golden Envoy config for tests: a stable JSON rendering compared with a file (regenerated with
 * {@code -Dgolden.update=true}), and the real {@code envoy --mode validate} run on it.
 */
public final class GoldenConfigs {
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  /** Envoy from 'make setup', found from any module directory. */
  public static final Path ENVOY = Path.of("../.venv/bin/envoy").toAbsolutePath().normalize();

  private GoldenConfigs() {}

  /** Asserts the config renders exactly as the golden file (writing it first when updating). */
  public static void assertMatchesGolden(ProxyConfig config, Path golden) throws Exception {
    String actual = Documents.toJson(render(config)) + "\n";
    if (UPDATE) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file (create it with -Dgolden.update=true)").exists();
    assertThat(actual).isEqualTo(Files.readString(golden));
  }

  public static ObjectNode render(ProxyConfig config) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    add(out, "listeners", config.listeners());
    add(out, "routes", config.routes());
    add(out, "clusters", config.clusters());
    add(out, "endpoints", config.endpoints());
    return out;
  }

  private static void add(ObjectNode out, String field, List<? extends Message> resources) {
    ArrayNode list = out.putArray(field);
    for (Message resource : resources) {
      JsonNode json = Documents.parse(ProtoJson.print(resource));
      list.add(json);
    }
  }

  /**
   * Runs {@code envoy --mode validate} on a static bootstrap holding the generated resources: RDS
   * references are inlined and EDS clusters get their generated assignments, which is what Envoy
   * would assemble from ADS.
   */
  public static void assertEnvoyAccepts(ProxyConfig config, Path tmp, String name)
      throws Exception {
    assertThat(ENVOY).as("Envoy from 'make setup'").isExecutable();
    Map<String, RouteConfiguration> routes =
        config.routes().stream().collect(Collectors.toMap(RouteConfiguration::getName, r -> r));
    Map<String, ClusterLoadAssignment> assignments =
        config.endpoints().stream()
            .collect(Collectors.toMap(ClusterLoadAssignment::getClusterName, a -> a));
    Bootstrap.StaticResources.Builder resources = Bootstrap.StaticResources.newBuilder();
    for (Listener listener : config.listeners()) {
      Listener.Builder copy = listener.toBuilder().clearFilterChains();
      for (FilterChain chain : listener.getFilterChainsList()) {
        FilterChain.Builder c = chain.toBuilder().clearFilters();
        for (Filter filter : chain.getFiltersList()) {
          if (filter.getName().equals(EnvoyNames.HCM_FILTER)) {
            HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
            if (hcm.hasRds()) {
              hcm =
                  hcm.toBuilder()
                      .clearRds()
                      .setRouteConfig(routes.get(hcm.getRds().getRouteConfigName()))
                      .build();
            }
            filter = filter.toBuilder().setTypedConfig(Any.pack(hcm)).build();
          }
          c.addFilters(filter);
        }
        copy.addFilterChains(c);
      }
      resources.addListeners(copy);
    }
    for (Cluster cluster : config.clusters()) {
      if (cluster.getType() == Cluster.DiscoveryType.EDS) {
        cluster =
            cluster.toBuilder()
                .clearEdsClusterConfig()
                .setType(Cluster.DiscoveryType.STATIC)
                .setLoadAssignment(assignments.get(cluster.getName()))
                .build();
      }
      resources.addClusters(cluster);
    }
    Bootstrap bootstrap = Bootstrap.newBuilder().setStaticResources(resources).build();
    Path file = tmp.resolve(name + ".json");
    Files.writeString(file, ProtoJson.print(bootstrap));
    Process envoy =
        new ProcessBuilder(
                ENVOY.toString(),
                "--mode",
                "validate",
                "-c",
                file.toString(),
                "--use-dynamic-base-id",
                "--log-level",
                "error")
            .redirectErrorStream(true)
            .start();
    String output = new String(envoy.getInputStream().readAllBytes());
    assertThat(envoy.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(envoy.exitValue()).as("envoy --mode validate:\n" + output).isZero();
  }
}
