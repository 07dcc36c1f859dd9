# The NATS image of `npm run test:docker`, built without a registry: nothing but a statically
# linked nats-server (CGO_ENABLED=0 `go install`, the release scripts/setup.mjs picks), laid out as
# the official `nats` image is, so docker-compose.yml's flags and the test fixture's `-js` work
# unchanged. The build context is the directory holding that binary (.hms/docker/nats).
FROM scratch
COPY nats-server /nats-server
EXPOSE 4222 6222 8222
ENTRYPOINT ["/nats-server"]
CMD ["-js"]
