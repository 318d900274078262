# matrix-dsar-bot: multi-stage build on Node 24.
# The build stage installs the production dependencies and downloads the native
# end-to-end encryption library, so the image encrypts with the native engine (the
# WebAssembly engine from npm is there too, as the fallback). Run it with
# DSAR_BOT_CRYPTO_PASSPHRASE set: it encrypts the keys the bot keeps in /data.
# test/docker/image-layout.test.ts reads this file, lays out what the last stage copies
# and runs the bot from there: a COPY it does not know fails it, so change both together.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && node node_modules/@matrix-org/matrix-sdk-crypto-nodejs/download-lib.js \
 && node -e "require('@matrix-org/matrix-sdk-crypto-nodejs')"

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    DSAR_BOT_CONFIG=/config/bot.config.json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
# The sample configuration: a reference for operators, named in start-up hints.
COPY bot.config.json ./
# The database (sync position, inbox, requests) and the crypto store live here.
# Owner-only, like every file the bot writes there.
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME ["/data"]
USER node
ENTRYPOINT ["node", "--disable-warning=DEP0060", "src/launch.ts"]
