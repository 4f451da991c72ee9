# ternd on Debian 12: built in one stage, run as the unprivileged user "tern" in a slim one.
#
#   docker build -t tern --build-arg TERN_COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run --rm -p 53:53/udp -p 53:53/tcp tern --listen 0.0.0.0:53 --allow 172.16.0.0/12
#
# Not built by the tests (their machine has no registry to pull debian:12 from); see
# docs/operations.md "Docker".
FROM debian:12 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config git ca-certificates \
      libuv1-dev libfmt-dev libtomlplusplus-dev libmimalloc-dev libssl-dev libsystemd-dev libhttp-parser-dev libnghttp2-dev libhiredis-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The commit ternd --version names; empty = ask git (works when .git is a directory in the context).
ARG TERN_COMMIT=
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DTERN_TESTS=OFF -DTERN_BENCH=OFF \
      -DTERN_COMMIT="${TERN_COMMIT}" \
 && cmake --build /build -j"$(nproc)" --target ternd \
 && DESTDIR=/staging cmake --install /build --prefix /usr \
 && /staging/usr/sbin/ternd --check-config --config /staging/etc/tern/ternd.toml

FROM debian:12-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libuv1 libfmt9 libtomlplusplus3 libmimalloc2.0 libssl3 libsystemd0 libhttp-parser2.9 libnghttp2-14 libhiredis0.14 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tern
COPY --from=build /staging/usr/sbin/ternd /usr/sbin/ternd
COPY --from=build /staging/etc/tern/ternd.toml /etc/tern/ternd.toml
# Docker (20.10 and later) sets net.ipv4.ip_unprivileged_port_start=0 in a container's own network
# namespace, so "tern" may bind port 53 without any capability.
USER tern
EXPOSE 53/udp 53/tcp
# Logs go to stderr with RFC 3339 UTC timestamps (docker logs).
ENTRYPOINT ["/usr/sbin/ternd", "--config", "/etc/tern/ternd.toml"]
# Serves the container's addresses; only loopback clients until --allow names the clients' network.
CMD ["--listen", "0.0.0.0:53", "--listen", "[::]:53"]
