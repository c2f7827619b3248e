# syntax=docker/dockerfile:1
# Fanout's image (docs/deployment.md#the-image): built with the Maven wrapper, run from the extracted
# jar with a class data sharing archive recorded in the image itself, as a non-root user, on a
# read-only root file system. Every step that does work is deploy/image/fanout.sh, which the build
# (deploy module, ImageScriptsIntegrationTests) runs outside a container.
#
#   docker build -t fanout .
#   docker run --read-only -p 8080:8080 -p 127.0.0.1:8081:8081 fanout
# Built for Java 17 (release 17); run on JDK 25, whose AOT cache starts Fanout in 2.98 s against 4.17 s
# with JDK 17's class data sharing (docs/benchmarks.md, S7). JRE_IMAGE=eclipse-temurin:17-jre still works:
# fanout.sh records and uses a CDS archive there.
ARG JDK_IMAGE=eclipse-temurin:17-jdk
ARG JRE_IMAGE=eclipse-temurin:25-jre

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -pl api -am package -DskipTests

# The AOT cache (or archive) fits one JDK, one jar and its path: it is recorded here, in the image that
# runs it, with /app/fanout.jar where every start finds it.
FROM ${JRE_IMAGE}
COPY deploy/image/fanout.sh /usr/local/bin/fanout.sh
COPY --from=build /src/api/target/fanout.jar /tmp/fanout.jar
RUN fanout.sh extract /tmp/fanout.jar /app \
    && fanout.sh train /app \
    && rm -rf /tmp/* \
    && groupadd --system --gid 10001 fanout \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin fanout \
    && mkdir -m 0700 /data \
    && chown 10001:10001 /data
# The only writable places: the embedded database's directory, and the JVM's and Netty's temporary files.
ENV FANOUT_DATA_DIR=/data
VOLUME ["/data", "/tmp"]
USER 10001:10001
WORKDIR /data
EXPOSE 8080 8081
ENTRYPOINT ["fanout.sh", "start", "/app"]
