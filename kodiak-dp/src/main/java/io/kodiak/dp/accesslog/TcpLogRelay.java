package io.kodiak.dp.accesslog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Envoy's stdout. Access-log lines for a MeshAccessLog Tcp backend carry their destination (a
 * plain line starts with {@code KODIAK-TCP-LOG host:port }, a JSON line has the key
 * {@code @kodiak_forward_to}; see the control plane's MeshAccessLogPlugin); they are sent, without
 * the marker, over one kept-open TCP connection per address. Anything else is passed to our stdout.
 * A receiver that is down costs its lines (logged once per outage), never Envoy's progress.
 */
public final class TcpLogRelay implements Runnable {
  static final String PREFIX = "KODIAK-TCP-LOG ";
  static final String JSON_KEY = "@kodiak_forward_to";
  private static final Logger LOG = LoggerFactory.getLogger(TcpLogRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InputStream envoyStdout;
  private final PrintStream passThrough;
  private final Map<String, Socket> connections = new HashMap<>();
  private final Map<String, Boolean> down = new HashMap<>();

  public TcpLogRelay(InputStream envoyStdout, PrintStream passThrough) {
    this.envoyStdout = envoyStdout;
    this.passThrough = passThrough;
  }

  /** Starts relaying on a daemon thread; it ends when Envoy's stdout closes. */
  public static void start(InputStream envoyStdout) {
    Thread thread = new Thread(new TcpLogRelay(envoyStdout, System.out), "access-log-relay");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void run() {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(envoyStdout, StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        handle(line);
      }
    } catch (IOException e) {
      LOG.debug("envoy stdout closed: {}", e.toString());
    } finally {
      connections
          .values()
          .forEach(
              s -> {
                try {
                  s.close();
                } catch (IOException ignored) {
                  // closing anyway
                }
              });
    }
  }

  void handle(String line) {
    if (line.startsWith(PREFIX)) {
      int space = line.indexOf(' ', PREFIX.length());
      if (space > 0) {
        send(line.substring(PREFIX.length(), space), line.substring(space + 1));
        return;
      }
    } else if (line.startsWith("{") && line.contains(JSON_KEY)) {
      try {
        ObjectNode json = (ObjectNode) JSON.readTree(line);
        String address = json.remove(JSON_KEY).asText();
        send(address, JSON.writeValueAsString(json));
        return;
      } catch (IOException | ClassCastException | NullPointerException e) {
        // not one of ours after all: pass it on
      }
    }
    passThrough.println(line);
  }

  private void send(String address, String line) {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        Socket socket = connections.get(address);
        if (socket == null || socket.isClosed()) {
          socket = connect(address);
          connections.put(address, socket);
        }
        OutputStream out = socket.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (down.remove(address) != null) {
          LOG.info("access log: TCP receiver {} is back", address);
        }
        return;
      } catch (IOException | IllegalArgumentException e) {
        Socket broken = connections.remove(address);
        if (broken != null) {
          try {
            broken.close();
          } catch (IOException ignored) {
            // already broken
          }
        }
        if (attempt == 1 && down.putIfAbsent(address, true) == null) {
          LOG.warn(
              "access log: cannot send to TCP receiver {} ({}); dropping its lines until it is back",
              address,
              e.getMessage());
        }
      }
    }
  }

  private static Socket connect(String address) throws IOException {
    URI uri = URI.create("tcp://" + address);
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2_000);
    return socket;
  }
}
