package io.kodiak.e2e.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Real applications with a chosen behaviour, for policies to act on. */
public final class TestApps {
  private TestApps() {}

  /** What an HTTP app answers: a status and a body. */
  public interface Behaviour {
    Reply answer(HttpExchange exchange) throws Exception;
  }

  public record Reply(int status, String body) {}

  /** An HTTP app on loopback; close it to stop it. */
  public static AutoCloseable http(int port, Behaviour behaviour) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            Reply reply = behaviour.answer(exchange);
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    return () -> {
      server.stop(0);
      ((ExecutorService) server.getExecutor()).shutdownNow();
    };
  }

  /** A TCP app that reads one line, answers its name and closes the connection. */
  public static AutoCloseable tcpName(int port, String name) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress("127.0.0.1", port));
    Thread thread =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  Thread worker =
                      new Thread(
                          () -> {
                            try (socket) {
                              new BufferedReader(
                                      new InputStreamReader(
                                          socket.getInputStream(), StandardCharsets.UTF_8))
                                  .readLine();
                              socket
                                  .getOutputStream()
                                  .write((name + "\n").getBytes(StandardCharsets.UTF_8));
                              socket.getOutputStream().flush();
                            } catch (IOException e) {
                              // the peer went away
                            }
                          });
                  worker.setDaemon(true);
                  worker.start();
                } catch (IOException e) {
                  return; // closed
                }
              }
            },
            "tcp-" + name);
    thread.setDaemon(true);
    thread.start();
    return server;
  }
}
