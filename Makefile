# Kodiak: `make run` builds and starts the control plane; `make test` runs the whole test suite.
SHELL := /bin/bash
MVN ?= mvn -B -q
CTL_TARGET := kodiak-ctl/target
JAVA = $(shell bin/java-runtime)

.PHONY: all setup build run test demo bench clean

all: build

# Everything the build needs from the machine: a JDK 17+ and Maven (Maven fetches the rest).
setup:
	@command -v mvn >/dev/null || { echo "Maven is missing: apt-get install -y maven" >&2; exit 1; }
	@test -n "$(JAVA)" || { echo "No Java 17+ found: apt-get install -y openjdk-17-jdk-headless" >&2; exit 1; }

build: setup
	$(MVN) install -DskipTests
	@# Record a class-data-sharing archive so kodiakctl starts fast (see CdsTraining).
	@rm -f $(CTL_TARGET)/kodiakctl.jsa
	@$(JAVA) -XX:ArchiveClassesAtExit=$(CTL_TARGET)/kodiakctl.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
	  -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xss512k \
	  -cp "$(CTL_TARGET)/kodiak-ctl.jar:$(CTL_TARGET)/lib/*" io.kodiak.ctl.CdsTraining \
	  || echo "note: no CDS archive for kodiakctl; it will start slower" >&2

run: build
	bin/kodiak-cp run

test: setup
	$(MVN) install

demo:
	@echo "make demo: not yet — the two-service demo with Envoy sidecars comes with issue 3." >&2; exit 2

bench: build
	kodiak-bench/foundation.sh

clean:
	$(MVN) clean
