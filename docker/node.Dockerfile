# The HMS node image that docker-compose.yml builds: the repository built inside the image (npm
# packages, the Rust native addon, the TypeScript packages), run as `hms`. The base is a Node
# image of a supported line (22, 24 or 26) on Debian 12; `npm run test:docker` passes one
# assembled on this machine (docker/node-base.Dockerfile) through docker-compose.local.yml.
ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS build
# A C linker for the addon, and Rust from rustup (Debian 12's Rust is too old for napi-rs).
RUN apt-get update \
  && apt-get install -y --no-install-recommends build-essential ca-certificates curl \
  && rm -rf /var/lib/apt/lists/*
ARG RUST_TOOLCHAIN=1.95.0
RUN curl -fsSL -o /tmp/rustup-init "https://static.rust-lang.org/rustup/dist/$(uname -m)-unknown-linux-gnu/rustup-init" \
  && chmod +x /tmp/rustup-init \
  && /tmp/rustup-init -y --no-modify-path --profile minimal --default-toolchain "${RUST_TOOLCHAIN}" \
  && rm /tmp/rustup-init
ENV PATH=/root/.cargo/bin:${PATH}
WORKDIR /hms
COPY . .
# As scripts/setup.mjs does: `npm install` from the lock (see its comment), then turbo's build;
# Rust's target directory is dropped so that the final image does not carry it.
RUN npm install --no-audit --no-fund \
  && TURBO_TELEMETRY_DISABLED=1 npx turbo run build --output-logs=errors-only \
  && node -e "require('@hms/native')" \
  && rm -rf target /root/.cargo/registry

FROM ${NODE_IMAGE}
WORKDIR /hms
COPY --from=build /hms /hms
ENTRYPOINT ["node", "packages/cli/dist/bin.js"]
