# Synchronizer container image: UI build (Node) -> Go build -> distroless runtime.
#
#   docker build --build-arg VERSION=1.0.0 --build-arg COMMIT=$(git rev-parse --short HEAD) -t synchronizer .
#   docker run -d -p 8080:8080 -v synchronizer-data:/data synchronizer
#
# In a container the server listens on 0.0.0.0:8080 (the container's own
# network namespace; publish the port to choose who reaches it). For HTTPS
# with ACME, add --domain NAME and publish 80 and 443. See docs/operations.md.

FROM node:20-bookworm-slim AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY graph/ /src/graph/
COPY ui/ ./
RUN npm run codegen && npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/ui/dist ./ui/dist
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/synchronizer . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/synchronizer /synchronizer
COPY --from=build --chown=65532:65532 /out/data /data
ENV SYNCHRONIZER_DATA=/data \
    SYNCHRONIZER_LISTEN=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 80 443 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["/synchronizer", "healthcheck"]
ENTRYPOINT ["/synchronizer"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--data", "/data"]
