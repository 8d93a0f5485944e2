package io.kodiak.cp.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the one ERROR java-control-plane logs for a race that is no fault: a proxy's stream ended
 * while the cache was answering it ("failed to respond ... because watch was already cancelled").
 * Nothing is lost (the proxy gets its config on its next stream, and the stream's end is logged by
 * us), and an ERROR line at every disconnect would bury real errors. Every other event passes.
 */
public final class BenignXdsRaces extends Filter<ILoggingEvent> {
  static final String CACHE_LOGGER = "io.envoyproxy.controlplane.cache.SimpleCache";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    String template = event.getMessage();
    return CACHE_LOGGER.equals(event.getLoggerName())
            && template != null
            && template.contains("because watch was already cancelled")
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
