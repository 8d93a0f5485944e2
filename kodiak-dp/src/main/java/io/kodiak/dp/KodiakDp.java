package io.kodiak.dp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kodiak.dp.bootstrap.BootstrapClient;
import io.kodiak.dp.bootstrap.BootstrapRefusedException;
import io.kodiak.dp.envoy.EnvoyBinary;
import io.kodiak.dp.envoy.EnvoySupervisor;
import io.kodiak.dp.metrics.MetricsServer;
import io.kodiak.dp.metrics.OtlpMetricsExporter;
import io.kodiak.dp.probes.ApplicationProbeProxy;
import io.kodiak.dp.readiness.ReadinessServer;
import io.kodiak.dp.workdir.WorkDir;
import io.kodiak.model.validation.Durations;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** The {@code kodiak-dp} command: registers a Dataplane, runs and supervises its Envoy. */
@Command(
    name = "kodiak-dp",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    version = KodiakDp.VERSION,
    description = "Kodiak data-plane agent.",
    subcommands = {KodiakDp.Run.class})
public final class KodiakDp implements Runnable {
  public static final String VERSION = "0.1.0";

  public static void main(String[] args) {
    System.exit(new CommandLine(new KodiakDp()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** {@code kodiak-dp run}. */
  @Command(name = "run", description = "Register the Dataplane and run Envoy for it until SIGTERM.")
  public static final class Run implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(Run.class);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    @Option(
        names = "--cp-address",
        required = true,
        description =
            "dp-server URL, e.g. https://localhost:5678; several control-plane replicas: their"
                + " URLs separated by commas (tried in turn, and Envoy moves between them)")
    String cpAddress;

    @Option(
        names = "--dataplane-file",
        description =
            "The Dataplane (YAML or JSON) this agent registers. Without it, --name (and --mesh)"
                + " name a Dataplane the control plane already has: one created through the API,"
                + " or by the Pod controller on Kubernetes.")
    Path dataplaneFile;

    @Option(
        names = "--admin-port",
        description =
            "Envoy's admin port when there is no --dataplane-file (default: 9901; the file's"
                + " networking.admin.port otherwise).")
    Integer adminPortOption;

    @Option(
        names = {"-v", "--dataplane-var"},
        description = "Value for a {{ name }} placeholder in the file.")
    Map<String, String> variables = new LinkedHashMap<>();

    @Option(names = "--name", description = "Dataplane name (overrides the file).")
    String name;

    @Option(names = "--mesh", description = "Mesh (overrides the file; default: default).")
    String mesh;

    @Option(names = "--binary-path", description = "Envoy binary.")
    Path binaryPath;

    @Option(
        names = "--dataplane-token-file",
        description = "File holding this proxy's dataplane token.")
    Path tokenFile;

    @Option(
        names = "--dataplane-token",
        description = "The dataplane token itself (prefer the file).")
    String token;

    @Option(
        names = "--ca-cert-file",
        description =
            "The control plane's CA (https addresses; default: "
                + "~/.kodiak/cp-ca.pem when it exists, as written by a control plane on this machine).")
    Path caCertFile;

    @Option(
        names = "--ca-cert",
        defaultValue = "${env:KODIAK_CONTROL_PLANE_CA_CERT}",
        description =
            "The control plane's CA itself, PEM (default: $KODIAK_CONTROL_PLANE_CA_CERT, as the"
                + " Kubernetes injector sets it); --ca-cert-file wins.")
    String caCertPem;

    @Option(names = "--concurrency", defaultValue = "2", description = "Envoy worker threads.")
    int concurrency;

    @Option(
        names = "--drain-time",
        defaultValue = "5s",
        description = "How long Envoy drains on shutdown.")
    String drainTime;

    @Option(
        names = "--readiness-port",
        defaultValue = "9902",
        description = "Port of GET /ready (0: any).")
    int readinessPort;

    @Option(
        names = "--readiness-address",
        defaultValue = "127.0.0.1",
        description =
            "Address of GET /ready: 0.0.0.0 in a Pod, where the kubelet probes the Pod IP.")
    String readinessAddress;

    @Option(
        names = "--application-probe-proxy-port",
        defaultValue = "0",
        description =
            "Port (all IPv4 addresses) where the kubelet's rewritten probes of the application"
                + " arrive (0: off).")
    int applicationProbeProxyPort;

    @Option(
        names = "--application-probe",
        description =
            "One rewritten probe the probe port answers, TIMEOUT_SECONDS:PATH, PATH being"
                + " /<port>/<path>, /https/<port>/<path> or /tcp/<port>; repeatable (the injector"
                + " passes one per probe).")
    List<String> applicationProbes = new ArrayList<>();

    @Option(names = "--envoy-log-level", defaultValue = "warning")
    String envoyLogLevel;

    @Option(
        names = "--metrics-port",
        defaultValue = "5670",
        description = "Port of the Prometheus endpoint MeshMetric configures (0: any, -1: off).")
    int metricsPort;

    @Option(
        names = "--metrics-address",
        defaultValue = "0.0.0.0",
        description = "Address of the Prometheus endpoint.")
    String metricsAddress;

    @Option(
        names = "--metrics-check-interval",
        defaultValue = "30s",
        description = "How often to look whether a MeshMetric asks for an OpenTelemetry push.")
    String metricsCheckInterval;

    @Option(
        names = "--workdir",
        description =
            "Where the bootstrap (it holds the token) is written; removed on "
                + "exit (default: a new directory in java.io.tmpdir).")
    Path workdir;

    @Override
    public Integer call() throws Exception {
      ObjectNode dataplane;
      Path binary;
      Duration drain;
      try {
        dataplane = readDataplane();
        binary = EnvoyBinary.find(Optional.ofNullable(binaryPath));
        drain = parseDuration(drainTime, "--drain-time");
        ApplicationProbeProxy.parseProbes(
            applicationProbes); // refused here, before anything starts
        if (tokenFile != null) {
          if (!Files.isReadable(tokenFile)) {
            throw new IllegalArgumentException("cannot read the dataplane token file " + tokenFile);
          }
          token = Files.readString(tokenFile).trim();
        }
      } catch (IllegalStateException | IllegalArgumentException e) {
        System.err.println("Error: " + e.getMessage());
        return 2;
      }
      String dpMesh = dataplane.path("mesh").asText("default");
      String dpName = dataplane.path("name").asText("");
      int adminPort =
          adminPortOption != null
              ? adminPortOption
              : dataplane.path("networking").path("admin").path("port").asInt(9901);
      WorkDir dir;
      try {
        dir = WorkDir.open(Optional.ofNullable(workdir), dpName);
      } catch (IllegalStateException e) {
        System.err.println("Error: " + e.getMessage());
        return 2;
      }
      // the bootstrap holds the token: it goes on every exit (a return, an exception, a signal the
      // JVM exits on); a SIGKILLed run's is removed by the next start (WorkDir.open)
      Runtime.getRuntime().addShutdownHook(new Thread(dir::close, "workdir-cleanup"));
      try {
        return run(dataplane, binary, drain, dir, dpMesh, dpName, adminPort);
      } finally {
        dir.close();
      }
    }

    private int run(
        ObjectNode dataplane,
        Path binary,
        Duration drain,
        WorkDir dir,
        String dpMesh,
        String dpName,
        int adminPort)
        throws Exception {
      // Asking Envoy its version costs a process start: do it while the bootstrap is fetched.
      var envoyVersion = CompletableFuture.supplyAsync(() -> EnvoyBinary.version(binary));
      Optional<Path> ca = Optional.ofNullable(caCertFile);
      Path localCa = Path.of(System.getProperty("user.home"), ".kodiak", "cp-ca.pem");
      if (ca.isEmpty() && caCertPem != null && !caCertPem.isBlank()) {
        Path pem = dir.path().resolve("cp-ca.pem");
        Files.writeString(pem, caCertPem);
        ca = Optional.of(pem);
      }
      if (ca.isEmpty() && cpAddress.startsWith("https") && Files.isReadable(localCa)) {
        ca = Optional.of(localCa);
      }
      if (cpAddress.startsWith("http:")) {
        LOG.warn(
            "the control plane address {} is plaintext: use https:// outside development",
            cpAddress);
      }
      List<String> cpAddresses =
          Stream.of(cpAddress.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
      if (cpAddresses.isEmpty()) {
        throw new IllegalArgumentException("--cp-address names no URL: \"" + cpAddress + "\"");
      }
      BootstrapClient client = new BootstrapClient(cpAddresses, token == null ? "" : token, ca);
      EnvoySupervisor supervisor =
          new EnvoySupervisor(
              binary,
              dir,
              adminPort,
              new EnvoySupervisor.Options(concurrency, drain, envoyLogLevel));
      // SIGTERM and Ctrl-C drain Envoy and end run() normally, so the agent exits 0.
      SignalHandler stop =
          signal ->
              new Thread(
                      () -> {
                        LOG.info("{}: draining and stopping Envoy", signal.getName());
                        supervisor.stop();
                      },
                      "stop")
                  .start();
      Signal.handle(new Signal("TERM"), stop);
      Signal.handle(new Signal("INT"), stop);
      try (ReadinessServer readiness =
              new ReadinessServer(readinessAddress, readinessPort, supervisor::ready);
          AutoCloseable probes =
              applicationProbeProxyPort == 0
                  ? () -> {}
                  : new ApplicationProbeProxy(
                      "0.0.0.0",
                      applicationProbeProxyPort,
                      ApplicationProbeProxy.parseProbes(applicationProbes),
                      // a Set.of would throw on two equal ports (two 0s, say)
                      IntStream.of(adminPort, readiness.port(), metricsPort)
                          .boxed()
                          .collect(Collectors.toSet()));
          AutoCloseable metrics =
              metricsPort < 0
                  ? () -> {}
                  : new MetricsServer(metricsAddress, metricsPort, adminPort);
          AutoCloseable push =
              new OtlpMetricsExporter(
                  adminPort,
                  serviceOf(dataplane, dpName),
                  parseDuration(metricsCheckInterval, "--metrics-check-interval"))) {
        LOG.info(
            "proxy {}.{}: Envoy at {}, readiness on {}:{}/ready{}{}",
            dpMesh,
            dpName,
            binary,
            readinessAddress,
            readiness.port(),
            probes instanceof ApplicationProbeProxy p
                ? ", the application's probes on 0.0.0.0:" + p.port()
                : "",
            metrics instanceof MetricsServer m
                ? ", metrics (MeshMetric) on " + metricsAddress + ":" + m.port()
                : "");
        Optional<ObjectNode> declared =
            dataplaneFile == null ? Optional.empty() : Optional.of(dataplane);
        supervisor.run(() -> client.fetch(dpMesh, dpName, declared, VERSION, envoyVersion::join));
        return 0;
      } catch (BootstrapRefusedException e) {
        System.err.println(
            "Error: the control plane refused Dataplane "
                + dpMesh
                + "."
                + dpName
                + " (HTTP "
                + e.status()
                + "): "
                + e.getMessage());
        e.violations().forEach(v -> System.err.println("  * " + v));
        return 1;
      } catch (BindException e) {
        System.err.println(
            "Error: the readiness port "
                + readinessPort
                + ", the metrics port "
                + metricsPort
                + " or the application probe port "
                + applicationProbeProxyPort
                + " is in use ("
                + e.getMessage()
                + "); pass --readiness-port / --metrics-port / --application-probe-proxy-port"
                + " with free ports, 0 for any");
        return 2;
      } catch (InterruptedException e) {
        return 0;
      }
    }

    /** The proxy's service (its first inbound's kuma.io/service tag), for telemetry. */
    private static String serviceOf(ObjectNode dataplane, String fallback) {
      return dataplane
          .path("networking")
          .path("inbound")
          .path(0)
          .path("tags")
          .path("kuma.io/service")
          .asText(fallback);
    }

    private ObjectNode readDataplane() throws IOException {
      if (dataplaneFile == null) {
        if (name == null || name.isBlank()) {
          throw new IllegalArgumentException(
              "pass --dataplane-file, or --name of a Dataplane the control plane has");
        }
        ObjectNode named = new YAMLMapper().createObjectNode();
        named
            .put("type", "Dataplane")
            .put("name", name)
            .put("mesh", mesh == null ? "default" : mesh);
        return named;
      }
      if (adminPortOption != null) {
        throw new IllegalArgumentException(
            "--admin-port is for a Dataplane without --dataplane-file; set networking.admin.port"
                + " in the file");
      }
      if (!Files.isReadable(dataplaneFile)) {
        throw new IllegalArgumentException("cannot read the dataplane file " + dataplaneFile);
      }
      String text = Files.readString(dataplaneFile);
      Matcher m = PLACEHOLDER.matcher(text);
      StringBuilder resolved = new StringBuilder();
      while (m.find()) {
        String value = variables.get(m.group(1));
        if (value == null) {
          throw new IllegalArgumentException(
              dataplaneFile
                  + ": variable \""
                  + m.group(1)
                  + "\" has no value; pass it with -v "
                  + m.group(1)
                  + "=VALUE");
        }
        m.appendReplacement(resolved, Matcher.quoteReplacement(value));
      }
      m.appendTail(resolved);
      JsonNode node = new YAMLMapper().readTree(resolved.toString());
      if (!(node instanceof ObjectNode dataplane)) {
        throw new IllegalArgumentException(
            dataplaneFile + " does not hold a Dataplane (an object)");
      }
      if (name != null) {
        dataplane.put("name", name);
      }
      if (mesh != null) {
        dataplane.put("mesh", mesh);
      }
      dataplane.put("type", "Dataplane");
      if (dataplane.path("name").asText("").isEmpty()) {
        throw new IllegalArgumentException(
            "the Dataplane has no name: set it in the file or pass --name");
      }
      return dataplane;
    }

    private static Duration parseDuration(String text, String option) {
      try {
        return Durations.requireNonNegative(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            option + " " + e.getMessage() + ", not \"" + text + "\"");
      }
    }
  }
}
