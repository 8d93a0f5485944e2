package io.kodiak.e2e.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import io.kodiak.cp.logging.BenignXdsRaces;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The ERROR events logged in this JVM, which is where the in-process control planes ({@code
 * RunningControlPlane}) log: an appender on the root logger, with the same filter the control
 * plane's own log configuration applies ({@link BenignXdsRaces}), so what counts here is what would
 * be an ERROR line in its log. Thread-safe.
 */
final class JvmErrorLog {
  private static final int KEPT = 200;
  private static final Capture CAPTURE = install();

  private JvmErrorLog() {}

  /** How many ERROR events were logged so far: pass it to {@link #since}. */
  static long mark() {
    return CAPTURE.count();
  }

  /**
   * The ERROR events logged after {@code mark}, one line each (the last {@value #KEPT} at most).
   */
  static List<String> since(long mark) {
    return CAPTURE.since(mark);
  }

  private static Capture install() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Capture capture = new Capture();
    capture.setContext(context);
    capture.setName("mesh-invariants");
    capture.addFilter(new BenignXdsRaces());
    capture.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    return capture;
  }

  private static final class Capture extends AppenderBase<ILoggingEvent> {
    private final List<String> kept = new ArrayList<>();
    private long count;

    @Override
    protected synchronized void append(ILoggingEvent event) {
      if (!event.getLevel().isGreaterOrEqual(Level.ERROR)) {
        return;
      }
      count++;
      kept.add(line(event));
      if (kept.size() > KEPT) {
        kept.remove(0);
      }
    }

    synchronized long count() {
      return count;
    }

    synchronized List<String> since(long mark) {
      int missing = (int) Math.min(count - mark, kept.size());
      return List.copyOf(kept.subList(kept.size() - missing, kept.size()));
    }

    private static String line(ILoggingEvent event) {
      IThrowableProxy thrown = event.getThrowableProxy();
      return Instant.ofEpochMilli(event.getTimeStamp())
          + " ERROR ["
          + event.getLoggerName()
          + "] ("
          + event.getThreadName()
          + ") "
          + event.getFormattedMessage()
          + (thrown == null ? "" : " | " + thrown.getClassName() + ": " + thrown.getMessage());
    }
  }
}
