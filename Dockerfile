# Pacer container image: build the static-stdlib release binary, run it as a non-root user on Debian slim.
# Base images are pinned by tag (hack/check-chart.py checks: no `latest`, non-root USER, binary path = chart command).

FROM swift:6.3-bookworm AS build
WORKDIR /src
# Resolve dependencies first so source edits reuse the cached layer.
COPY Package.swift Package.resolved ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
COPY hack/bench ./hack/bench
RUN swift build -c release --product pacer --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/pacer" /out/pacer

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/pacer /usr/local/bin/pacer
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/pacer"]
CMD ["run"]
