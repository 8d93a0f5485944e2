package io.kodiak.cp;

import io.kodiak.cp.config.ConfigLoader;
import io.kodiak.cp.config.CpConfig;
import io.kodiak.cp.datadir.DataDirectory;
import io.kodiak.model.validation.ValidationException;
import io.kodiak.model.validation.Violation;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code kodiak-cp} command. */
@Command(
    name = "kodiak-cp",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    version = ControlPlane.VERSION,
    description = "Kodiak control plane.",
    subcommands = {KodiakCp.Run.class})
public final class KodiakCp implements Runnable {
  public static void main(String[] args) {
    System.exit(new CommandLine(new KodiakCp()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** {@code kodiak-cp run}: starts the control plane and runs until SIGTERM or Ctrl-C. */
  @Command(name = "run", description = "Start the control plane.")
  static final class Run implements Callable<Integer> {
    @Option(
        names = "--config-file",
        description = "YAML configuration file (KODIAK_* variables override it).")
    Path configFile;

    @Option(
        names = "--start-fresh",
        description =
            "Start even though the data directory was used before and a file"
                + " it needs (store.db, cp-tls.pem, ...) is missing or damaged: move damaged files aside and re-create only"
                + " what is missing. For recovery, once; without it such a start is refused.")
    boolean startFresh;

    @Override
    public Integer call() throws InterruptedException {
      CpConfig config;
      try {
        config = ConfigLoader.load(Optional.ofNullable(configFile), System.getenv());
      } catch (ValidationException e) {
        System.err.println("Error: invalid configuration:");
        for (Violation v : e.violations()) {
          System.err.println("  * " + v);
        }
        return 2;
      }
      ControlPlane cp;
      try {
        cp =
            ControlPlane.start(
                config,
                startFresh ? DataDirectory.Recovery.START_FRESH : DataDirectory.Recovery.REFUSE);
      } catch (RuntimeException e) {
        System.err.println("Error: the control plane could not start: " + e.getMessage());
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    cp.close();
                    stopped.countDown();
                  },
                  "shutdown"));
      stopped.await();
      return 0;
    }
  }
}
