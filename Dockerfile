# One image for the three apps; docker-compose.yml picks the app with `command`, exactly as
# `npm start` runs it (`node dist/apps/<app>/src/main.js`).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The wheel fallback of tools/provision/tfjs-native.sh needs these; in a normal build the
# package's own libtensorflow download works and they stay unused.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip unzip g++ make ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Fixes to dependencies, applied by the install (patch-package, package.json's postinstall).
COPY patches patches
RUN npm ci --no-audit --no-fund
COPY tools tools
RUN bash tools/provision/tfjs-native.sh
COPY tsconfig.json nest-cli.json ./
COPY libs libs
COPY apps apps
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# The official Fashion-MNIST files, at the trainer's default FMNIST_DIR.
RUN apt-get update \
 && apt-get install -y --no-install-recommends dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# Static files of the web page are served from the sources' folder.
COPY --from=build /app/apps/gateway/client apps/gateway/client
RUN mkdir -p /app/.data/trainer && chown -R node:node /app/.data
USER node
EXPOSE 3000 3001 3002
CMD ["node", "dist/apps/gateway/src/main.js"]
