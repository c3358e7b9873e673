# Pacer container image, for a machine with Docker (BuildKit): `docker buildx build .` from a clean clone, or the
# release workflow (.github/workflows/release.yml, one native build per architecture). Stages:
#   build  the release binary, then hack/image/rootfs.sh: the binary, exactly the shared libraries it links, CA
#          certificates and the non-root user 65532 (the same files `make image` puts in its image, with buildah)
#   final  that root filesystem alone, from scratch: no shell, no package manager.
# Package.resolved is not in git: the versions resolve from Package.swift's requirements.
# hack/check-dockerfile.py lints this file with hadolint and checks that the final stage's user, working directory,
# entrypoint, command, port, stop signal and labels are those of the image `make image` builds (docs/image.md).

FROM swift:6.3-bookworm AS build
WORKDIR /src
# The manifest alone first, so the dependency checkout stays cached until Package.swift changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
COPY hack ./hack
RUN swift build -c release --product pacer \
 && hack/image/rootfs.sh "$(swift build -c release --show-bin-path)/pacer" /rootfs

FROM scratch
# Set by the release workflow; the defaults describe an untagged local build of this version (VERSION file).
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/pacer-dev/pacer
ARG LICENSES=NOASSERTION
COPY --from=build /rootfs/ /
LABEL org.opencontainers.image.title="pacer" \
      org.opencontainers.image.description="DORA metrics for Kubernetes, from CloudEvents and CDEvents" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.created="${CREATED}"
USER 65532:65532
WORKDIR /home/nonroot
EXPOSE 8080/tcp
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/pacer"]
CMD ["run"]
