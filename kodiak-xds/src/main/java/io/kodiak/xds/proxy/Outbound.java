package io.kodiak.xds.proxy;

/** One outbound of a proxy: the application calls {@code address:port} to reach {@code service}. */
public record Outbound(String address, int port, String service) {}
