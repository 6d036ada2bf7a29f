# DeskBridge container image: build with the Swift toolchain, run on a slim Debian as a non-root user.
#
#   docker build -t deskbridge .
#   docker run -p 8080:8080 -v deskbridge-data:/var/lib/deskbridge \
#     -e BM_TOKEN=… -e BM_CLIENT_TOKEN=… -e DESK_SECRET=… -e DESKBRIDGE_HOST=0.0.0.0 deskbridge
#
# The build stage runs the same steps as CI (`scripts/setup`, then `swift build`), in release
# mode; no Docker engine runs where this project is developed, so CI does not build this file.

ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Dependencies first, so editing sources does not refetch them.
COPY Package.swift ./
COPY scripts/setup scripts/setup
RUN scripts/setup && swift package resolve
COPY . .
RUN swift build -c release --product deskbridge --static-swift-stdlib \
 && install -D -m 0755 .build/release/deskbridge /out/usr/local/bin/deskbridge \
 && install -D -m 0644 config/deskbridge.yaml /out/etc/deskbridge/deskbridge.yaml

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libsqlite3-0 libcurl4 libssl3 zlib1g tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/deskbridge --create-home --shell /usr/sbin/nologin deskbridge
COPY --from=build /out/ /
USER deskbridge
WORKDIR /var/lib/deskbridge
# The shipped config with its defaults: SQLite in the working folder unless DESKBRIDGE_STORAGE_URL
# names PostgreSQL; listen on DESKBRIDGE_HOST:DESKBRIDGE_PORT.
ENV DESKBRIDGE_HOST=0.0.0.0 \
    DESKBRIDGE_PORT=8080 \
    DESKBRIDGE_STORAGE_URL=sqlite:/var/lib/deskbridge/deskbridge.sqlite \
    DESKBRIDGE_CONFIG=/etc/deskbridge/deskbridge.yaml
VOLUME /var/lib/deskbridge
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/deskbridge"]
CMD ["serve"]
