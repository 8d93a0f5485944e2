package io.kodiak.cp.datadir;

import io.kodiak.cp.config.CpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a first start from a damaged data directory. A directory has been used once it holds a
 * {@value #MANIFEST} (written after every successful start, listing the files this control plane
 * made) or a store file. Control-plane TLS files alone are an operator's provisioning (a replica or
 * a restored control plane shares the CA agents trust), which needs the CA's certificate and key. A
 * used directory whose store or control-plane TLS files are missing, empty or not what they should
 * be is refused with a message naming each file and the way to recover, unless the operator starts
 * with {@link Recovery#START_FRESH}. Immutable; used once at start, from one thread.
 */
public final class DataDirectory {
  public static final String MANIFEST = "manifest";

  /**
   * Shows the directory was used, though it is no {@link DataFile}. The admin token is no evidence:
   * an operator may provision it before the first start.
   */
  private static final List<String> EVIDENCE = List.of("store.db-wal");

  private static final byte[] SQLITE_HEADER =
      "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);

  /** What to do with a damaged directory. */
  public enum Recovery {
    /** Refuse to start (the default). */
    REFUSE,
    /** Accept the loss: move damaged files aside and re-create what is missing. */
    START_FRESH
  }

  private final Path dir;
  private final Set<DataFile> expected;
  private final Set<DataFile> listed;

  private DataDirectory(Path dir, Set<DataFile> expected, Set<DataFile> listed) {
    this.dir = dir;
    this.expected = expected;
    this.listed = listed;
  }

  /**
   * Checks the data directory of {@code config} before anything in it is opened or created.
   *
   * @throws DamagedDataDirectoryException when it was used and a file it needs is damaged
   */
  public static DataDirectory check(CpConfig config, Recovery recovery) {
    Path dir = config.dataPath();
    Set<DataFile> expected = expectedBy(config);
    Optional<Set<DataFile>> manifest = readManifest(dir);
    boolean used =
        manifest.isPresent()
            || exists(dir, DataFile.STORE.fileName())
            || EVIDENCE.stream().anyMatch(name -> exists(dir, name));
    if (!used) {
      provisionedCa(dir, expected)
          .ifPresent(
              damages -> {
                throw new DamagedDataDirectoryException(provisioningRefusal(dir, damages));
              });
      return new DataDirectory(dir, expected, EnumSet.noneOf(DataFile.class));
    }
    Set<DataFile> listed = manifest.orElseGet(() -> inferred(dir, expected));
    List<Damage> damages = new ArrayList<>();
    for (DataFile file : listed) {
      if (expected.contains(file)) {
        damage(dir, file).ifPresent(damages::add);
      }
    }
    if (!damages.isEmpty()) {
      if (recovery == Recovery.REFUSE) {
        throw new DamagedDataDirectoryException(refusal(dir, damages));
      }
      damages.forEach(d -> startFresh(dir, d));
    }
    return new DataDirectory(dir, expected, listed);
  }

  /**
   * A first start where the operator put TLS files in place (the control-plane CA every replica, or
   * a restored control plane, shares with the others): the CA's certificate and key must both be
   * there and not empty; the TLS certificate is issued from them when it is missing.
   */
  private static Optional<List<Damage>> provisionedCa(Path dir, Set<DataFile> expected) {
    boolean provisioned =
        Arrays.stream(DataFile.values()).anyMatch(f -> f.isTls() && exists(dir, f.fileName()));
    if (!provisioned || !expected.contains(DataFile.CP_CA)) {
      return Optional.empty();
    }
    List<Damage> damages = new ArrayList<>();
    for (DataFile file : List.of(DataFile.CP_CA, DataFile.CP_CA_KEY)) {
      damage(dir, file).ifPresent(damages::add);
    }
    return damages.isEmpty() ? Optional.empty() : Optional.of(damages);
  }

  /** Records the files this start made or kept, so a later start can tell what went missing. */
  public void recordStarted() {
    Set<DataFile> now = EnumSet.noneOf(DataFile.class);
    now.addAll(listed);
    expected.stream().filter(f -> exists(dir, f.fileName())).forEach(now::add);
    String text =
        "# Written by kodiak-cp after each start: the files of this data directory. A listed file that\n"
            + "# is missing or empty stops the next start (see the README, \"A damaged data directory\").\n"
            + now.stream().map(DataFile::fileName).collect(Collectors.joining("\n", "", "\n"));
    try {
      Path temp = Files.createTempFile(dir, MANIFEST, ".tmp");
      Files.writeString(temp, text);
      Files.move(
          temp,
          dir.resolve(MANIFEST),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(MANIFEST), e);
    }
  }

  private static Set<DataFile> expectedBy(CpConfig config) {
    Set<DataFile> out = EnumSet.noneOf(DataFile.class);
    if (config.store().type() == CpConfig.StoreType.embedded) {
      out.add(DataFile.STORE);
    }
    CpConfig.Tls tls = config.dpServer().tls();
    if (tls.enabled() && tls.certFile().isEmpty()) {
      Arrays.stream(DataFile.values()).filter(DataFile::isTls).forEach(out::add);
    }
    return out;
  }

  /** A directory from before the manifest: the store was always there; TLS files come as a set. */
  private static Set<DataFile> inferred(Path dir, Set<DataFile> expected) {
    Set<DataFile> out = EnumSet.noneOf(DataFile.class);
    if (expected.contains(DataFile.STORE)) {
      out.add(DataFile.STORE);
    }
    if (Arrays.stream(DataFile.values()).anyMatch(f -> f.isTls() && exists(dir, f.fileName()))) {
      Arrays.stream(DataFile.values()).filter(DataFile::isTls).forEach(out::add);
    }
    return out;
  }

  private static Optional<Set<DataFile>> readManifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      Set<String> names =
          Files.readAllLines(file).stream()
              .map(String::trim)
              .filter(l -> !l.isEmpty() && !l.startsWith("#"))
              .collect(Collectors.toSet());
      Set<DataFile> out = EnumSet.noneOf(DataFile.class);
      Arrays.stream(DataFile.values()).filter(f -> names.contains(f.fileName())).forEach(out::add);
      return Optional.of(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Optional<Damage> damage(Path dir, DataFile file) {
    Path path = dir.resolve(file.fileName());
    try {
      if (!Files.exists(path)) {
        return Optional.of(new Damage(file, "is missing"));
      }
      if (Files.size(path) == 0) {
        return Optional.of(new Damage(file, "is empty (0 bytes)"));
      }
      if (file == DataFile.STORE && !startsWithSqliteHeader(path)) {
        return Optional.of(new Damage(file, "is not an SQLite database (damaged)"));
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(new Damage(file, "cannot be read (" + e.getMessage() + ")"));
    }
  }

  private static boolean startsWithSqliteHeader(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return Arrays.equals(in.readNBytes(SQLITE_HEADER.length), SQLITE_HEADER);
    }
  }

  private static String provisioningRefusal(Path dir, List<Damage> damages) {
    StringBuilder out =
        new StringBuilder("the data directory ")
            .append(dir)
            .append(
                " is new but holds control-plane TLS files put there before its first start, and:\n");
    for (Damage d : damages) {
      out.append("  * ")
          .append(d.file().fileName())
          .append(' ')
          .append(d.problem())
          .append(": it is ")
          .append(d.file().holds())
          .append('\n');
    }
    return out.append(
            "Nothing was changed. Copy all four cp-*.pem files from another replica's data"
                + " directory (or from the backup), or none to make a new CA, and start again.")
        .toString();
  }

  private static String refusal(Path dir, List<Damage> damages) {
    StringBuilder out =
        new StringBuilder("the data directory ")
            .append(dir)
            .append(" has been used before, but:\n");
    for (Damage d : damages) {
      out.append("  * ")
          .append(d.file().fileName())
          .append(' ')
          .append(d.problem())
          .append(": it held ")
          .append(d.file().holds())
          .append("; starting without it would ")
          .append(d.file().lossMeans())
          .append('\n');
    }
    return out.append("Nothing was changed. To recover, restore ")
        .append(damages.size() == 1 ? "that file" : "those files")
        .append(" from a backup and start again. To accept the loss instead, start once with\n")
        .append("  kodiak-cp run --start-fresh\n")
        .append(
            "which moves damaged files aside and re-creates only what is missing (see the README,")
        .append(" \"A damaged data directory\").")
        .toString();
  }

  private static void startFresh(Path dir, Damage damage) {
    String name = damage.file().fileName();
    List<String> aside =
        damage.file() == DataFile.STORE
            ? List.of(name, name + "-wal", name + "-shm")
            : List.of(name);
    String suffix = ".damaged-" + Instant.now().getEpochSecond();
    for (String each : aside) {
      Path path = dir.resolve(each);
      if (Files.exists(path)) {
        try {
          Files.move(path, dir.resolve(each + suffix));
        } catch (IOException e) {
          throw new UncheckedIOException("--start-fresh: cannot move " + path + " aside", e);
        }
        LOG.warn("--start-fresh: moved {} aside to {}", path, each + suffix);
      }
    }
    LOG.warn(
        "--start-fresh: {} {}; starting without it will {}",
        name,
        damage.problem(),
        damage.file().lossMeans());
  }

  private static boolean exists(Path dir, String name) {
    return Files.exists(dir.resolve(name));
  }

  private record Damage(DataFile file, String problem) {}
}
