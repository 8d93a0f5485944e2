package io.kodiak.ctl.install;

/** The control plane's ports (Kuma's numbers), named as the Service and the container name them. */
enum Port {
  HTTP_API("http-api", 5681),
  HTTPS_API("https-api", 5682),
  DP_SERVER("dp-server", 5678),
  DIAGNOSTICS("diagnostics", 5680);

  final String portName;
  final int number;

  Port(String portName, int number) {
    this.portName = portName;
    this.number = number;
  }
}
