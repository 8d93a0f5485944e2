package io.kodiak.cp.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.kodiak.model.text.Printable;

/**
 * The log message with control characters escaped and its length capped, whatever was put in it: a
 * newline in a proxy's name or a resource type cannot forge a second log line, and a 900 KiB value
 * cannot flood the log. Used as {@code %safeMsg} in logback.xml. Stateless.
 */
public final class SingleLineMessage extends MessageConverter {
  /** Long enough for any message Kodiak itself writes. */
  static final int MAX_CHARACTERS = 4096;

  @Override
  public String convert(ILoggingEvent event) {
    return Printable.escaped(super.convert(event), MAX_CHARACTERS);
  }
}
