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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin token: created once at first start in the data directory (mode 0600) and compared in
 * constant time on each request. Immutable and thread-safe.
 */
public final class AdminToken {
  public static final String FILE_NAME = "admin-token";
  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

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
        return new AdminToken(Files.readString(file).trim(), file);
      }
      Files.createDirectories(dataDir);
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path temp = Files.createTempFile(dataDir, FILE_NAME, ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, token + "\n");
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("created the admin token in {} (mode 0600); kodiakctl reads it from there", file);
      return new AdminToken(token, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the admin token in " + dataDir, e);
    }
  }

  /** Whether {@code presented} is the admin token. */
  public boolean matches(String presented) {
    return presented != null
        && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
  }

  public Path file() {
    return file;
  }
}
