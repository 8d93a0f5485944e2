package io.kodiak.dp.workdir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's work directory: where Envoy's bootstrap (which holds the dataplane token) is written.
 * It never outlives the agent: {@link #close} (on every exit, also from a shutdown hook) removes
 * what the agent wrote, and the directory itself unless the user made it. A run killed with SIGKILL
 * cannot clean up, so {@link #open} first removes what killed runs left behind: every default work
 * directory in {@code java.io.tmpdir} whose owner is gone, and stale files in an explicit {@code
 * --workdir}. An owner is known alive by the lock it holds on {@value #LOCK} (the kernel drops it
 * when the process dies), so a live agent's directory is never touched. Thread-safe.
 */
public final class WorkDir implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkDir.class);
  static final String PREFIX = "kodiak-dp-";
  static final String LOCK = "agent.lock";
  static final String BOOTSTRAP = "bootstrap.yaml";
  private final Path dir;
  private final boolean created;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private WorkDir(Path dir, boolean created, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.created = created;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Cleans what killed runs left, then takes {@code explicit} (created if missing) or a new
   * directory in {@code java.io.tmpdir}.
   *
   * @throws IllegalStateException when another running agent uses {@code explicit}
   */
  public static WorkDir open(Optional<Path> explicit, String dataplaneName) throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    removeAbandoned(tmp);
    Path dir;
    boolean created;
    if (explicit.isPresent()) {
      dir = explicit.get().toAbsolutePath().normalize();
      created = !Files.isDirectory(dir);
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      // owner-only permissions (Files.createTempDirectory's default on POSIX)
      dir = Files.createTempDirectory(tmp, PREFIX + safe(dataplaneName) + "-");
      created = true;
    }
    FileChannel channel =
        FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = tryLock(channel);
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(
          "the work directory "
              + dir
              + " is in use by another running kodiak-dp; "
              + "give each agent its own --workdir");
    }
    if (removeStaleFiles(dir)) {
      LOG.info("removed the bootstrap a killed kodiak-dp left in {}", dir);
    }
    // written after the lock is held: a sweeper treats only a non-empty, unlocked lock file as
    // abandoned
    channel
        .truncate(0)
        .write(
            ByteBuffer.wrap(
                (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
    channel.force(true);
    return new WorkDir(dir, created, channel, lock);
  }

  public Path path() {
    return dir;
  }

  /** Writes Envoy's bootstrap (owner-only, replaced atomically) and returns its path. */
  public Path writeBootstrap(String yaml) throws IOException {
    Path target = dir.resolve(BOOTSTRAP);
    Path partial = dir.resolve(BOOTSTRAP + ".partial");
    Files.deleteIfExists(partial);
    Files.createFile(
        partial,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(partial, yaml);
    Files.move(
        partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  /** Removes the bootstrap and the lock, and the directory unless the user made it. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      removeStaleFiles(dir);
      Files.deleteIfExists(dir.resolve(LOCK)); // still locked: no sweeper takes it meanwhile
      lock.release();
      lockChannel.close();
      if (created) {
        deleteTree(dir);
      }
    } catch (IOException e) {
      LOG.warn("could not remove the work directory {}: {}", dir, e.toString());
    }
  }

  /** Default work directories (ours, in {@code tmp}) whose agent is gone. */
  static void removeAbandoned(Path tmp) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
      for (Path candidate : dirs) {
        if (abandoned(candidate)) {
          deleteTree(candidate);
          LOG.info("removed {}, left behind by a kodiak-dp that was killed", candidate);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not look for work directories left behind in {}: {}", tmp, e.toString());
    }
  }

  private static boolean abandoned(Path candidate) {
    Path lockFile = candidate.resolve(LOCK);
    try {
      if (!Files.isDirectory(candidate)
          || !Files.isWritable(candidate)
          || Files.size(lockFile) == 0) {
        return false; // not ours, or its agent is still starting
      }
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
        FileLock held = tryLock(channel);
        if (held == null) {
          return false; // its agent is alive
        }
        held.release();
        return true;
      }
    } catch (IOException e) {
      return false; // no lock file (another program's directory) or just removed by its agent
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by this JVM
    }
  }

  /** Removes the files the agent writes; returns whether there were any. */
  private static boolean removeStaleFiles(Path dir) throws IOException {
    boolean removed = false;
    for (String name : List.of(BOOTSTRAP, BOOTSTRAP + ".partial")) {
      removed |= Files.deleteIfExists(dir.resolve(name));
    }
    return removed;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(path);
        } catch (NoSuchFileException e) {
          // removed concurrently: the same end
        }
      }
    } catch (NoSuchFileException e) {
      // already gone
    }
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
