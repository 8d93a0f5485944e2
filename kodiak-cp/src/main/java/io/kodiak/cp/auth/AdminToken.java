package io.kodiak.cp.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin token: created once at first start in the data directory (mode 0600) and compared in
 * constant time on each request. Immutable and thread-safe.
 */
public final class AdminToken {
  public static final String FILE_NAME = "admin-token";
  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

  /** Shorter secrets can be guessed over the network; generated ones have 43 characters. */
  static final int MIN_LENGTH = 16;

  private final byte[] token;
  private final Path file;

  private AdminToken(String token, Path file) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.file = file;
  }

  /** Reads the token from {@code dataDir}, creating it with fresh randomness if absent. */
  public static AdminToken loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        String existing = Files.readString(file).trim();
        if (existing.isEmpty()) {
          // an empty secret would make an empty "Authorization: Bearer " header the admin
          throw new IllegalStateException(
              "the admin token file "
                  + file
                  + " is empty, so no request could be "
                  + "told from the admin's; delete it to have a new token generated at the next start, or write a "
                  + "token into it (at least "
                  + MIN_LENGTH
                  + " characters)");
        }
        if (existing.length() < MIN_LENGTH) {
          throw new IllegalStateException(
              "the admin token in "
                  + file
                  + " has "
                  + existing.length()
                  + " characters, too few to resist guessing; use at least "
                  + MIN_LENGTH
                  + ", or delete the file to "
                  + "have a new one generated at the next start");
        }
        return new AdminToken(existing, file);
      }
      Files.createDirectories(dataDir);
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path temp =
          Files.createTempFile(
              dataDir,
              FILE_NAME,
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, token + "\n");
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("created the admin token in {} (mode 0600); kodiakctl reads it from there", file);
      return new AdminToken(token, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the admin token in " + dataDir, e);
    }
  }

  /**
   * The one token of replicas sharing a store: the first replica's (its file, or fresh) is kept in
   * the store's settings, and every replica writes it to its own data directory for kodiakctl.
   *
   * @param settingIfAbsent stores a value unless one is stored, and returns the stored one
   */
  public static AdminToken shared(Path dataDir, UnaryOperator<String> settingIfAbsent) {
    AdminToken local = loadOrCreate(dataDir);
    String stored = settingIfAbsent.apply(new String(local.token, StandardCharsets.UTF_8));
    if (MessageDigest.isEqual(local.token, stored.getBytes(StandardCharsets.UTF_8))) {
      return local;
    }
    try {
      Path temp =
          Files.createTempFile(
              dataDir,
              FILE_NAME,
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, stored + "\n");
      Files.move(temp, local.file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the shared admin token to " + local.file, e);
    }
    LOG.info(
        "the replicas' shared admin token replaced {}: every replica now takes the same one",
        local.file);
    return new AdminToken(stored, local.file);
  }

  /** Whether {@code presented} is the admin token; nothing empty ever is. */
  public boolean matches(String presented) {
    return presented != null
        && !presented.isBlank()
        && token.length > 0
        && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
  }

  public Path file() {
    return file;
  }
}
