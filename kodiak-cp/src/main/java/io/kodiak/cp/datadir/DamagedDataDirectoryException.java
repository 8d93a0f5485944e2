package io.kodiak.cp.datadir;

/**
 * A data directory that was used before lacks a file it needs; the message says which and how to
 * recover.
 */
public final class DamagedDataDirectoryException extends RuntimeException {
  DamagedDataDirectoryException(String message) {
    super(message, null, false, false);
  }
}
