# syntax=docker/dockerfile:1
# partition-keeper worker image: the Maven build in one stage, a JRE and the one jar in the other.
#   docker build -t partition-keeper .
#   docker run --rm partition-keeper --help          (ENTRYPOINT runs "worker"; see docker-compose.yml)

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# POMs first: the dependency download is cached until a POM changes, not on every source edit.
# Best effort (go-offline cannot resolve this reactor's own modules): the package step fetches the rest.
COPY pom.xml ./
COPY workflows/pom.xml workflows/
COPY activities/pom.xml activities/
COPY worker/pom.xml worker/
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -q dependency:go-offline -DexcludeGroupIds=dev.partitionkeeper || true
COPY workflows/src workflows/src
COPY activities/src activities/src
COPY worker/src worker/src
# -DskipTests compiles the tests (the worker's tests use the activities' test jar) but runs none:
# the test suite needs PostgreSQL and runs in CI (.ci/run), not in an image build
# Only the production jar goes into the image: partition-keeper-dev.jar (the embedded PostgreSQL for `dev`)
# stays in the build stage.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -ntp -q package -DskipTests \
 && cp worker/target/partition-keeper.jar /partition-keeper.jar

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 partition-keeper \
 && useradd --system --uid 10001 --gid partition-keeper --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin partition-keeper \
 && mkdir -p /app /etc/partition-keeper \
 && chown partition-keeper:partition-keeper /app
WORKDIR /app
COPY --from=build /partition-keeper.jar /app/partition-keeper.jar
# Heap from the container's memory limit; the serial collector (G1's own structures cost ~40 MB for a worker
# whose live heap is ~25 MB, docs/benchmarks.md); die on OOM so the orchestrator restarts us (activities resume
# from Temporal). LOG_FORMAT=json: one JSON object per line for log collectors.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError" \
    LOG_FORMAT=json \
    PK_CONFIG=/etc/partition-keeper/partition-keeper.yaml
USER 10001:10001
# /metrics and /health (metrics.port)
EXPOSE 9464
ENTRYPOINT ["java", "-jar", "/app/partition-keeper.jar", "worker"]
